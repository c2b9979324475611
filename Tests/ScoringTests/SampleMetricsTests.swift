import Foundation
import XCTest
@testable import Scoring

/// The sample-set scores of `ebm evaluate` on hand-checked examples: energy score, MMD, Gaussian
/// fits and the Fréchet distance, and the share of paths inside the data's state ranges.
final class SampleMetricsTests: XCTestCase {
    func points(_ values: [Double]) -> [ArraySlice<Double>] { values.map { [$0][...] } }

    func testEnergyScoreOnHandCheckedSets() {
        // X = {0, 2}, y = 1: E|X − y| = 1, E|X − X'| = (0 + 2 + 2 + 0)/4 = 1 → ES = 1 − 1/2
        XCTAssertEqual(SampleMetrics.energyScore(points([0, 2]), points([1])), 0.5, accuracy: 1e-15)
        // one prediction: the mean distance to the observations
        XCTAssertEqual(SampleMetrics.energyScore(points([1]), points([0, 4])), 2, accuracy: 1e-15)
        // identical sets {0, 1, 3}: ordered |x − x'| sum to 12 over 9 pairs → ES = 12/9 − 6/9
        let x = points([0, 1, 3])
        XCTAssertEqual(SampleMetrics.energyScore(x, x), 2.0 / 3, accuracy: 1e-14)
        // shifted by 10 (farther than any spread): E|X − Y| = 10 exactly → ES = 10 − 2/3
        XCTAssertEqual(SampleMetrics.energyScore(x, points([10, 11, 13])), 10 - 2.0 / 3, accuracy: 1e-13)
        // in 2-D: distances are Euclidean; (0,0) vs y = (3,4) is 5
        XCTAssertEqual(SampleMetrics.energyScore([[0, 0][...]], [[3, 4][...]]), 5, accuracy: 1e-15)
    }

    func testMMDIsZeroForIdenticalSetsAndGrowsWithTheShift() {
        let x = points([0, 1, 3])
        XCTAssertEqual(SampleMetrics.medianDistance(x), 2)   // distances 1, 3, 2
        let same = SampleMetrics.mmdSquared(x, x, bandwidth: 1)
        XCTAssertEqual(same.mmd2, 0, accuracy: 1e-15)
        // k(X, X) by hand at σ = 1: (3 + 2(e^−½ + e^−2 + e^−4.5))/9; far apart, k(X, Y) ≈ e^−24.5
        let kxx = (3 + 2 * (exp(-0.5) + exp(-2) + exp(-4.5))) / 9
        let far = SampleMetrics.mmdSquared(x, points([10, 11, 13]), bandwidth: 1)
        XCTAssertEqual(far.mmd2, 2 * kxx, accuracy: 1e-9)
        // the median heuristic picks the pooled median distance and MMD² grows with the shift
        var previous = 0.0
        for shift in [0.5, 1, 2, 4] {
            let m = SampleMetrics.mmdSquared(x, points([0 + shift, 1 + shift, 3 + shift]))
            XCTAssertGreaterThan(m.mmd2, previous, "shift \(shift)")
            previous = m.mmd2
        }
        XCTAssertEqual(SampleMetrics.mmdSquared(points([0, 1]), points([2, 3])).bandwidth, 1.5)   // distances 1,2,3,1,2,1 → median 1.5
    }

    func testFrechetDistanceOfGaussians() {
        // diagonal: ‖Δμ‖² + Σ (σ₁ − σ₂)² = (1 + 4) + (1 − 2)² + (2 − 3)²
        let a = GaussianFit(mean: [0, 0], covariance: [1, 0, 0, 4]), b = GaussianFit(mean: [1, 2], covariance: [4, 0, 0, 9])
        XCTAssertEqual(a.frechetSquared(to: b), 7, accuracy: 1e-12)
        XCTAssertEqual(b.frechetSquared(to: a), 7, accuracy: 1e-12)
        // non-diagonal: I vs [[2, 1], [1, 2]] (eigenvalues 3, 1): tr(I + Σ − 2Σ^½) = 2 + 4 − 2(√3 + 1)
        let c = GaussianFit(mean: [0, 0], covariance: [2, 1, 1, 2])
        XCTAssertEqual(GaussianFit(mean: [0, 0], covariance: [1, 0, 0, 1]).frechetSquared(to: c), 4 - 2 * 3.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(c.frechetSquared(to: c), 0, accuracy: 1e-12)
        // fits: mean and unbiased covariance of four points
        let fit = GaussianFit([[0, 0][...], [2, 0][...], [0, 2][...], [2, 2][...]], dimension: 2)
        XCTAssertEqual(fit.mean, [1, 1])
        for (v, w) in zip(fit.covariance, [4.0 / 3, 0, 0, 4.0 / 3]) { XCTAssertEqual(v, w, accuracy: 1e-15) }
    }

    func testStabilityIsOneForTheDataAndFallsForAnExplodingGenerator() {
        // data: 20 sinusoid paths of 100 states in 2-D
        let (count, length) = (20, 100)
        var data: [Double] = []
        for p in 0..<count { for t in 0..<length { data += [sin(0.1 * Double(t) + Double(p)), 0.5 * cos(0.07 * Double(t) * Double(p + 1))] } }
        let ranges = StateRanges(states: data, stateSize: 2, margin: 0.1)
        XCTAssertEqual(ranges.stayedWithin(data, count: count, length: length), [Double](repeating: 1, count: length))
        // half the generated paths grow 5% a step from 0.5: they leave [−1.2, 1.2] at step 18 (0.5·1.05^18 = 1.20 > upper)
        var generated: [Double] = []
        for p in 0..<4 {
            for t in 0..<length { generated += p < 2 ? [0.5 * pow(1.05, Double(t)), 0] : [0.5, 0] }
        }
        let share = ranges.stayedWithin(generated, count: 4, length: length)
        let upper = ranges.upper[0], crossing = (0..<length).first { 0.5 * pow(1.05, Double($0)) > upper }!
        XCTAssertEqual(share[crossing - 1], 1)
        XCTAssertEqual(share[crossing], 0.5)
        XCTAssertEqual(share[99], 0.5)
        XCTAssertLessThan(share[99], 1)
        // a NaN state is never within range, and a path that returned stays counted as having left
        var nan = [Double](repeating: 0, count: 2 * length)
        nan[2 * 10] = .nan
        XCTAssertEqual(ranges.stayedWithin(nan, count: 1, length: length)[9], 1)
        XCTAssertEqual(ranges.stayedWithin(nan, count: 1, length: length)[50], 0)
    }

    func testStateScaleIsThePopulationSpreadWithUnitScaleForConstants() {
        // dimension 0: 1, 3 → mean 2, deviation 1; dimension 1 constant → unit scale
        let scale = StateScale(states: [1, 5, 3, 5], stateSize: 2)
        XCTAssertEqual(scale.mean, [2, 5])
        XCTAssertEqual(scale.deviation, [1, 1])
        XCTAssertEqual(StateScale(states: [0, 0, 4, 0], stateSize: 2).deviation[0], 2, accuracy: 1e-15)
    }
}
