import XCTest
@testable import NeuralCore

final class SeededGeneratorTests: XCTestCase {
    /// First outputs of SplitMix64 from seed 0, as in Vigna's reference `splitmix64.c`.
    func testMatchesReferenceSequence() {
        var generator = SeededGenerator(seed: 0)
        XCTAssertEqual(generator.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(generator.next(), 0x6E78_9E6A_A1B9_65F4)
    }

    func testGaussianMoments() {
        var generator = SeededGenerator(seed: 5)
        let samples = (0..<20_000).map { _ in Double(generator.nextGaussian()) }
        let mean = samples.reduce(0, +) / Double(samples.count)
        let variance = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(samples.count)
        // Standard errors: 1/sqrt(n) ≈ 0.007 for the mean, sqrt(2/n) ≈ 0.01 for the variance.
        XCTAssertLessThan(abs(mean), 0.03)
        XCTAssertLessThan(abs(variance - 1), 0.04)
    }
}
