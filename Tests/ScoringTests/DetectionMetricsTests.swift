import XCTest
@testable import Scoring

/// AUROC and FPR at 95% TPR against hand-worked examples.
final class DetectionMetricsTests: XCTestCase {
    func testHandWorkedExample() throws {
        // pairs (positive, negative): 0.35>0.1 ✓, 0.35>0.4 ✗, 0.8>0.1 ✓, 0.8>0.4 ✓ → 3/4
        let m = try DetectionMetrics(negatives: [0.1, 0.4], positives: [0.35, 0.8])
        XCTAssertEqual(m.auroc, 0.75, accuracy: 1e-12)
        // 95% of 2 positives needs both: τ = 0.35 flags the negative 0.4 → FPR 1/2
        XCTAssertEqual(m.falsePositiveRate, 0.5, accuracy: 1e-12)
    }

    /// Hanley & McNeil's standard error by hand for A = 0.75, n₊ = n₋ = 2: Q₁ = 0.6,
    /// Q₂ = 1.125 / 1.75, SE² = (0.1875 + 0.0375 + (Q₂ − 0.5625)) / 4.
    func testAUROCStandardErrorAndClearWins() throws {
        let m = try DetectionMetrics(negatives: [0.1, 0.4], positives: [0.35, 0.8])
        let q2 = 1.125 / 1.75
        XCTAssertEqual(m.aurocStandardError, ((0.1875 + 0.0375 + (q2 - 0.5625)) / 4).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(try DetectionMetrics(negatives: [0, 1], positives: [2, 3]).aurocStandardError, 0, accuracy: 1e-12)
        // 200 vs 200 episodes: AUROC 0.501 vs 0.497 is noise (SE ≈ 0.029 each), 0.85 vs 0.56 is not
        func metrics(_ auroc: Double) -> DetectionMetrics {
            var m = try! DetectionMetrics(negatives: [0], positives: [1])
            m.auroc = auroc
            m.aurocStandardError = DetectionMetrics.aurocStandardError(auroc, positives: 200, negatives: 200)
            return m
        }
        XCTAssertEqual(metrics(0.5).aurocStandardError, 0.0289, accuracy: 0.0005)
        XCTAssertFalse(metrics(0.501).isClearlyBetter(than: metrics(0.497)))
        XCTAssertTrue(metrics(0.85).isClearlyBetter(than: metrics(0.56)))
        XCTAssertFalse(metrics(0.56).isClearlyBetter(than: metrics(0.85)))
    }

    func testTiesCountHalf() throws {
        // 2v1 ✓, 2v2 ½, 3v1 ✓, 3v2 ✓ → 3.5/4
        let m = try DetectionMetrics(negatives: [1, 2], positives: [2, 3])
        XCTAssertEqual(m.auroc, 0.875, accuracy: 1e-12)
        // τ = 2 (the smaller positive); the negative at 2 ties and is flagged
        XCTAssertEqual(m.falsePositiveRate, 0.5, accuracy: 1e-12)
    }

    func testSeparationExtremesAndTheNinetyFifthPercentile() throws {
        let positives = (1...20).map(Double.init)            // 95% of 20 = 19: τ = 2
        let negatives = [0.5, 1.5, 1.9, 2.0, 2.5, -3]
        let m = try DetectionMetrics(negatives: negatives, positives: positives)
        XCTAssertEqual(m.falsePositiveRate, 2.0 / 6, accuracy: 1e-12)   // 2.0 and 2.5
        XCTAssertEqual(try DetectionMetrics(negatives: [0, 1], positives: [2, 3]).auroc, 1)
        XCTAssertEqual(try DetectionMetrics(negatives: [2, 3], positives: [0, 1]).auroc, 0)
        XCTAssertEqual(try DetectionMetrics(negatives: [0, 1], positives: [2, .infinity]).auroc, 1)
        // brute-force oracle on random scores with ties
        var g = SystemRandomNumberGenerator()
        let n = (0..<37).map { _ in Double(Int.random(in: 0..<10, using: &g)) }, p = (0..<23).map { _ in Double(Int.random(in: 3..<14, using: &g)) }
        var wins = 0.0
        for a in p { for b in n { wins += a > b ? 1 : (a == b ? 0.5 : 0) } }
        XCTAssertEqual(try DetectionMetrics(negatives: n, positives: p).auroc, wins / Double(n.count * p.count), accuracy: 1e-12)
    }

    func testBadInputIsAnError() {
        XCTAssertThrowsError(try DetectionMetrics(negatives: [], positives: [1]))
        XCTAssertThrowsError(try DetectionMetrics(negatives: [.nan], positives: [1]))
    }
}
