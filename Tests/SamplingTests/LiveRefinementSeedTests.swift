import Foundation
import XCTest
@testable import ebm

/// The live view's initial chains keep their stream: SplitMix64 from (seed, generation), Box–Muller
/// in double precision, checked against a reference written out here.
final class LiveRefinementSeedTests: XCTestCase {
    func testInitialNoiseMatchesTheReferenceStream() {
        var state: UInt64 = 7 ^ (0x5DEE_CE66_D1CE_4E5B &+ 3 &* 0x9E37_79B9_7F4A_7C15)
        func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var x = state
            x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((x ^ (x >> 31)) >> 11) * 0x1.0p-53
        }
        let reference = (0..<12).map { _ -> Double in
            let u1 = 1 - next(), u2 = next()
            return 0.5 * (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        }
        XCTAssertEqual(LiveRefinement.initial(chains: 3, dimension: 4, scale: 0.5, seed: 7, generation: 3), reference)
        XCTAssertNotEqual(LiveRefinement.initial(chains: 3, dimension: 4, scale: 0.5, seed: 7, generation: 4), reference)
    }
}
