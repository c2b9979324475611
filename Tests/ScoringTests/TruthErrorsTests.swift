import Scoring
import XCTest

/// `SampleMetrics.truthErrors` (`ebm predict`'s error line): ADE per future over the states the truth
/// holds, mean and best of K, the baseline's; nil without truth or with shapes that disagree.
final class TruthErrorsTests: XCTestCase {
    func testMeanBestAndBaselineOverTheTruthsStates() throws {
        // S = 2, K = 2, total = 3, truth of 2 states at the origin: future 0 sits at (3, 4) (distance 5),
        // future 1 at (0, 1) then (0, 3) (distances 1, 3); the third state (beyond the truth) is ignored
        let futures: [Double] = [3, 4, 3, 4, 99, 99,
                                 0, 1, 0, 3, 99, 99]
        let truth: [Double] = [0, 0, 0, 0]
        let e = try XCTUnwrap(SampleMetrics.truthErrors(futures: futures, chains: 2, total: 3, truth: truth, baseline: [1, 0, 0, 2, 7, 7], stateSize: 2))
        XCTAssertEqual(e, TruthErrors(states: 2, meanOfK: (5 + 2) / 2, bestOfK: 2, baseline: 1.5))
        XCTAssertNil(SampleMetrics.truthErrors(futures: futures, chains: 2, total: 3, truth: truth, baseline: nil, stateSize: 2)?.baseline)
        XCTAssertNil(SampleMetrics.truthErrors(futures: futures, chains: 2, total: 3, truth: [], baseline: nil, stateSize: 2))
        XCTAssertNil(SampleMetrics.truthErrors(futures: futures, chains: 3, total: 3, truth: truth, baseline: nil, stateSize: 2))
        XCTAssertNil(SampleMetrics.truthErrors(futures: futures, chains: 2, total: 3, truth: truth, baseline: [1], stateSize: 2))
        let decoded = try JSONDecoder().decode(TruthErrors.self, from: JSONEncoder().encode(e))
        XCTAssertEqual(decoded, e)
    }

    func testLineNamesTheBaselineOnlyWhenGiven() {
        XCTAssertEqual(TruthErrors(states: 2, meanOfK: 3.5, bestOfK: 2, baseline: 1.5).line,
                       "error vs truth over 2 states (mean ‖Δstate‖): EBM mean of K 3.5000, best of K 2.0000, feedforward 1.5000")
        XCTAssertEqual(TruthErrors(states: 1, meanOfK: 0.25, bestOfK: 0.125, baseline: nil).line,
                       "error vs truth over 1 states (mean ‖Δstate‖): EBM mean of K 0.2500, best of K 0.1250")
    }
}
