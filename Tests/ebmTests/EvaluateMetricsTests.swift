import Foundation
import Simulation
import Viewer
import XCTest
@testable import ebm

/// The sample-set scores of `ebm evaluate` on hand-checked examples, the PNG rasteriser, and the
/// physical-consistency replay on trajectories of the real simulator.
final class EvaluateMetricsTests: XCTestCase {
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
        let a = (mean: [0.0, 0], covariance: [1.0, 0, 0, 4]), b = (mean: [1.0, 2], covariance: [4.0, 0, 0, 9])
        XCTAssertEqual(SampleMetrics.frechetSquared(a, b), 7, accuracy: 1e-12)
        XCTAssertEqual(SampleMetrics.frechetSquared(b, a), 7, accuracy: 1e-12)
        // non-diagonal: I vs [[2, 1], [1, 2]] (eigenvalues 3, 1): tr(I + Σ − 2Σ^½) = 2 + 4 − 2(√3 + 1)
        let c = (mean: [0.0, 0], covariance: [2.0, 1, 1, 2])
        XCTAssertEqual(SampleMetrics.frechetSquared((mean: [0, 0], covariance: [1, 0, 0, 1]), c), 4 - 2 * 3.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(SampleMetrics.frechetSquared(c, c), 0, accuracy: 1e-12)
        // fits: mean and unbiased covariance of four points
        let fit = SampleMetrics.gaussianFit([[0, 0][...], [2, 0][...], [0, 2][...], [2, 2][...]], dimension: 2)
        XCTAssertEqual(fit.mean, [1, 1])
        for (v, w) in zip(fit.covariance, [4.0 / 3, 0, 0, 4.0 / 3]) { XCTAssertEqual(v, w, accuracy: 1e-15) }
    }

    func testStabilityIsOneForTheDataAndFallsForAnExplodingGenerator() {
        // data: 20 sinusoid paths of 100 states in 2-D
        let (count, length) = (20, 100)
        var data: [Double] = []
        for p in 0..<count { for t in 0..<length { data += [sin(0.1 * Double(t) + Double(p)), 0.5 * cos(0.07 * Double(t) * Double(p + 1))] } }
        let ranges = SampleMetrics.StateRanges(states: data, stateSize: 2, margin: 0.1)
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

    func testPNGDecodesWithItsSizeAndTheSeriesColours() throws {
        let folder = try EBMProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var plot = LinePlot(title: "error vs horizon", xLabel: "step", yLabel: "error")
        plot.series = [.init(name: "a", color: 0xFF0000, x: [1, 2, 3, 4], y: [0, 1, 2, 3]),
                       .init(name: "b", color: 0x0000FF, x: [1, 2, 3, 4], y: [3, 2, .nan, 0])]
        let files = try plot.write(to: folder, name: "p")
        XCTAssertEqual(files.map { URL(fileURLWithPath: $0).lastPathComponent }, ["p.svg", "p.png"])
        let image = try Image(contentsOfPNG: folder.appendingPathComponent("p.png").path)
        XCTAssertEqual(image.width, 640)
        XCTAssertEqual(image.height, 400)
        // corners stay background; the series' pixels carry their colours
        XCTAssertEqual(image[0, 0], SIMD4(255, 255, 255, 255))
        var counts: [UInt32: Int] = [:]
        for y in 0..<image.height {
            for x in 0..<image.width {
                let p = image[x, y]
                counts[UInt32(p.x) << 16 | UInt32(p.y) << 8 | UInt32(p.z), default: 0] += 1
            }
        }
        XCTAssertGreaterThan(counts[0xFF0000] ?? 0, 500, "red line pixels")
        XCTAssertGreaterThan(counts[0x0000FF] ?? 0, 300, "blue line pixels")
        XCTAssertGreaterThan(counts[0x000000] ?? 0, 500, "axes and text")
        // the red line's middle point (x = 2.5, y = 1.5) is drawn where the axes put it
        let (px, py) = (Int(plot.px(2.5).rounded()), Int(plot.py(1.5).rounded()))
        XCTAssertEqual(image[px, py], SIMD4(255, 0, 0, 255))
        // the NaN at x = 3 breaks the blue line: nothing is drawn where (2, 2)–(4, 0) would cross x = 3
        let (gx, gy) = (Int(plot.px(3).rounded()), Int(plot.py(1).rounded()))
        XCTAssertNotEqual(image[gx, gy], SIMD4(0, 0, 255, 255))
        let svg = try String(contentsOf: folder.appendingPathComponent("p.svg"), encoding: .utf8)
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 3, "one line for a, two pieces for b")
    }

    func testPhysicalConsistencyOfSimulatedAndOfInconsistentPaths() throws {
        let robot = try RobotModel.load("reacher2")
        var options = robot.options
        (options.timestep, options.integrator, options.substeps) = (0.01, .rk4, 1)
        let model = try robot.with(options: options)
        let (B, N, nq) = (3, 60, model.nq)
        let controls = (0..<(B * N * model.nu)).map { 0.3 * sin(0.05 * Double($0)) }
        var start: [Double] = [], qpos0: [Double] = [], qvel0: [Double] = []   // start (B, 4)
        for b in 0..<B {
            qpos0 += [0.1 * Double(b), -0.2]
            qvel0 += [0.0, 0.1]
            start += [0.1 * Double(b), -0.2, 0.0, 0.1]
        }
        let r = try model.rollout(qpos: qpos0, qvel: qvel0, batch: B, steps: N, controls: controls, sites: false)
        var paths: [Double] = []   // (B, N, 4): states 1…N of each rollout
        for b in 0..<B {
            for t in 1...N {
                let row = b * (N + 1) + t
                paths += r.qpos[row * nq..<(row + 1) * nq]
                paths += r.qvel[row * nq..<(row + 1) * nq]
            }
        }
        // the simulator's own states: the implied controls replay them closely (the finite-difference
        // acceleration is O(Δt) off under RK4: measured 0.0027 after one step, 0.032 after 60)
        let own = try PhysicalConsistency.check(model: model, start: start, paths: paths, count: B, length: N)
        print("physical consistency of simulated paths: one-step defect \(own.oneStepDefect), divergence after \(N) steps \(own.divergence.last!), out of range \(own.controlsOutOfRange)")
        XCTAssertEqual(own.replayed, B)
        XCTAssertLessThan(own.oneStepDefect, 0.01)
        XCTAssertLessThan(own.divergence.last!, 0.1)
        // positions that disagree with the velocities cannot be produced by any control
        var broken = paths
        for b in 0..<B { for t in 0..<N { broken[(b * N + t) * 4] += 0.1 * Double(t % 2) } }
        let bad = try PhysicalConsistency.check(model: model, start: start, paths: broken, count: B, length: N)
        XCTAssertGreaterThan(bad.oneStepDefect, 10 * own.oneStepDefect)
        XCTAssertGreaterThan(bad.oneStepDefect, 0.05)
        // a non-finite path is left out of the replay
        broken[5] = .nan
        XCTAssertEqual(try PhysicalConsistency.check(model: model, start: start, paths: broken, count: B, length: N).replayed, B - 1)
    }
}
