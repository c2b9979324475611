import XCTest
@testable import NeuralCore

final class TanhTests: XCTestCase {
    func testBackwardMatchesFiniteDifferences() {
        checkGradients(of: Tanh(width: 9), batch: 3, seed: 41) { x, _ in x.map { Foundation.tanh($0) } }
    }
}
