import XCTest
@testable import Sampling

/// Each sampler against analytic energies whose moments are known.
final class SamplersTests: XCTestCase {
    let chains = 2000
    var gaussian: GaussianEnergy { try! GaussianEnergy(mean: targetMean, covariance: targetCovariance) }

    /// Mean within `meanTolerance` (absolute) and each covariance entry within `covarianceTolerance` (absolute).
    func assertMoments(_ r: SamplingResult, mean: [Double] = targetMean, covariance: [Double] = targetCovariance,
                       meanTolerance: Double = 0.1, covarianceTolerance: Double = 0.15, _ name: String,
                       file: StaticString = #filePath, line: UInt = #line) {
        let (m, c) = moments(r.samples, dimension: 2)
        for j in 0..<2 { XCTAssertEqual(m[j], mean[j], accuracy: meanTolerance, "\(name) mean \(m)", file: file, line: line) }
        for j in 0..<4 { XCTAssertEqual(c[j], covariance[j], accuracy: covarianceTolerance, "\(name) covariance \(c)", file: file, line: line) }
    }

    // Standard errors at 2000 independent chains: mean ≈ 0.03, covariance entries ≈ 0.03–0.06;
    // tolerances are about three of them plus ULA's O(η) bias.
    func testLangevinRecoversGaussianMoments() throws {
        let r = try LangevinSampler(stepSize: 0.02).sample(gaussian, initial: replicate([0, 0], chains), chains: chains,
                                                            stopping: StoppingRule(maxSteps: 600), seed: 1)
        assertMoments(r, "Langevin")
        XCTAssertEqual(r.diagnostics.count, 600)
        XCTAssertEqual(r.acceptanceRate, 1)
        // E of N(μ, Σ) in 2-D averages d/2 = 1
        XCTAssertEqual(r.diagnostics.last!.meanEnergy, 1, accuracy: 0.1)
    }

    func testAnnealedLangevinEndsAtItsFinalStepSize() throws {
        let r = try LangevinSampler(stepSize: 0.2, finalStepSize: 0.01).sample(
            gaussian, initial: replicate([5, 5], chains), chains: chains, stopping: StoppingRule(maxSteps: 400), seed: 2)
        XCTAssertEqual(r.diagnostics.first!.stepSize, 0.2, accuracy: 1e-12)
        XCTAssertEqual(r.finalStepSize, 0.01, accuracy: 1e-12)
        XCTAssertGreaterThan(r.diagnostics[0].stepSize, r.diagnostics[200].stepSize)
        assertMoments(r, "annealed Langevin")
    }

    func testClippedLangevinMovesAtMostClipTimesStepPerElement() throws {
        // Without noise, each element moves by at most η·c per step.
        let r = try LangevinSampler(stepSize: 0.5, noiseScale: 0, gradientClip: 0.1).sample(
            gaussian, initial: replicate([50, 50], 4), chains: 4, stopping: StoppingRule(maxSteps: 10), seed: 3)
        for v in r.samples { XCTAssertEqual(v, 50 - 10 * 0.5 * 0.1, accuracy: 1e-9) }
        XCTAssertGreaterThan(r.diagnostics[0].meanGradientNorm, 10)
    }

    func testMALARecoversGaussianMomentsAndReportsAcceptance() throws {
        let r = try MALASampler(stepSize: 0.3).sample(gaussian, initial: replicate([0, 0], chains), chains: chains,
                                                       stopping: StoppingRule(maxSteps: 400), seed: 4)
        assertMoments(r, "MALA")
        XCTAssertGreaterThan(r.acceptanceRate, 0.3)
        XCTAssertLessThan(r.acceptanceRate, 1)
        // smaller steps are accepted more often
        let small = try MALASampler(stepSize: 0.01).sample(gaussian, initial: r.samples, chains: chains,
                                                            stopping: StoppingRule(maxSteps: 20), seed: 5)
        XCTAssertGreaterThan(small.acceptanceRate, 0.97)
        XCTAssertGreaterThan(small.acceptanceRate, r.acceptanceRate)
        let large = try MALASampler(stepSize: 3).sample(gaussian, initial: r.samples, chains: chains,
                                                         stopping: StoppingRule(maxSteps: 20), seed: 5)
        XCTAssertLessThan(large.acceptanceRate, r.acceptanceRate)
        XCTAssertGreaterThan(large.acceptanceRate, 0)
    }

    func testHMCRecoversGaussianMoments() throws {
        let r = try HMCSampler(stepSize: 0.5, leapfrogSteps: 5).sample(gaussian, initial: replicate([0, 0], chains), chains: chains,
                                                                        stopping: StoppingRule(maxSteps: 200), seed: 6)
        assertMoments(r, "HMC")
    }

    // A 25-D Gaussian with scales 0.5…2: acceptance falls smoothly with ε there. (On the 2-D
    // target above, ε settles near the leapfrog stability edge, 2·σ_min, where acceptance jumps
    // between ≈ 0 and ≈ 0.9; the averaged ε̄ then gives 0.76–0.78 for a 0.6 target.)
    func testHMCAdaptationReachesTargetAcceptance() throws {
        let d = 25
        let scales = (0..<d).map { 0.5 + 1.5 * Double($0) / Double(d - 1) }
        var covariance = [Double](repeating: 0, count: d * d)
        for i in 0..<d { covariance[i * d + i] = scales[i] * scales[i] }
        let energy = try GaussianEnergy(mean: [Double](repeating: 0, count: d), covariance: covariance)
        for target in [0.6, 0.85] {
            // start far too large and far too small
            for start in [5.0, 0.001] {
                let r = try HMCSampler(stepSize: start, leapfrogSteps: 10, targetAcceptance: target, adaptationSteps: 150)
                    .sample(energy, initial: [Double](repeating: 0, count: 200 * d), chains: 200, stopping: StoppingRule(maxSteps: 300), seed: 7)
                XCTAssertEqual(r.acceptanceRate, target, accuracy: 0.1, "target \(target) from ε₀ = \(start): ε = \(r.finalStepSize)")
                XCTAssertEqual(r.adaptationSteps, 150)
                // the adapted ε stays below the stability limit 2·σ_min = 1
                XCTAssertLessThan(r.finalStepSize, 1)
                print("HMC adaptation, 25-D Gaussian: target \(target), ε₀ \(start) → ε \(r.finalStepSize), acceptance \(r.acceptanceRate)")
            }
        }
    }

    // Two modes at (∓1.5, 0), s = 0.6, weights 0.3 / 0.7; every chain starts in the left mode, so
    // the right mode's share can only come from crossing the barrier (density ratio ≈ 0.04).
    let mixture = MixtureEnergy(means: [[-1.5, 0], [1.5, 0]], weights: [0.3, 0.7], scale: 0.6)
    func rightShare(_ r: SamplingResult) -> Double {
        Double((0..<r.chains).filter { r.sample($0).first! > 0 }.count) / Double(r.chains)
    }

    func testEverySamplerVisitsBothModes() throws {
        let start = replicate([-1.5, 0], 1000)
        let samplers: [(String, any ChainSampler)] = [
            ("Langevin", LangevinSampler(stepSize: 0.05)), ("MALA", MALASampler(stepSize: 0.1)),
            ("HMC", HMCSampler(stepSize: 0.3, leapfrogSteps: 8)),
        ]
        for (name, sampler) in samplers {
            let r = try sampler.sample(mixture, initial: start, chains: 1000, stopping: StoppingRule(maxSteps: 1500), seed: 8)
            let share = rightShare(r)
            print("two-mode mixture, \(name): right-mode share \(share) (target 0.7), acceptance \(r.acceptanceRate)")
            XCTAssertGreaterThan(share, 0.05, "\(name) never reached the right mode")
            XCTAssertLessThan(share, 0.95, "\(name) left the left mode entirely")
            if name != "Langevin" {
                XCTAssertEqual(share, 0.7, accuracy: 0.08, "\(name) mode weights")
            }
        }
    }

    func testSumOfGaussianEnergiesSamplesTheirProduct() throws {
        let a = try GaussianEnergy(mean: [0, 0], covariance: [1, 0, 0, 1])
        let b = try GaussianEnergy(mean: [2, -2], covariance: [1, 0, 0, 3])
        let sum = try WeightedSumEnergy([(1, a), (1, b)])
        // gradient of the sum is the sum of gradients, exactly
        let x = [0.3, -1.2, 4.0, 2.5]
        let (es, gs) = sum.energiesAndGradients(x, count: 2)
        let (ea, ga) = a.energiesAndGradients(x, count: 2), (eb, gb) = b.energiesAndGradients(x, count: 2)
        for i in 0..<2 { XCTAssertEqual(es[i], ea[i] + eb[i], accuracy: 1e-12) }
        for i in 0..<4 { XCTAssertEqual(gs[i], ga[i] + gb[i], accuracy: 1e-12) }
        // product: precision diag(2, 4/3); mean (1, −0.5); covariance diag(0.5, 0.75)
        let r = try MALASampler(stepSize: 0.2).sample(sum, initial: replicate([0, 0], chains), chains: chains,
                                                       stopping: StoppingRule(maxSteps: 300), seed: 9)
        assertMoments(r, mean: [1, -0.5], covariance: [0.5, 0, 0, 0.75], meanTolerance: 0.07, covarianceTolerance: 0.08, "product")
    }

    func testSeedMakesRunsReproducibleAndParallelPointwiseMatchesBatched() throws {
        let g = gaussian
        let pointwise = PointwiseEnergy(dimension: 2) { x in
            let (e, grad) = g.energiesAndGradients(x, count: 1)
            return (e[0], grad)
        }
        let samplers: [any ChainSampler] = [LangevinSampler(stepSize: 0.05, gradientClip: 1), MALASampler(stepSize: 0.2),
                                            HMCSampler(stepSize: 0.3, leapfrogSteps: 4)]
        let start = replicate([0.5, -0.5], 64)
        for s in samplers {
            let a = try s.sample(g, initial: start, chains: 64, stopping: StoppingRule(maxSteps: 50), seed: 11)
            let b = try s.sample(pointwise, initial: start, chains: 64, stopping: StoppingRule(maxSteps: 50), seed: 11)
            let c = try s.sample(g, initial: start, chains: 64, stopping: StoppingRule(maxSteps: 50), seed: 12)
            XCTAssertEqual(a.samples, b.samples, "\(s)")
            XCTAssertEqual(a.diagnostics, b.diagnostics, "\(s)")
            XCTAssertNotEqual(a.samples, c.samples, "\(s)")
        }
    }

    func testEnergyConvergenceStopsEarly() throws {
        let rule = StoppingRule(maxSteps: 5000, energyTolerance: 0.02, window: 20)
        let r = try MALASampler(stepSize: 0.3).sample(gaussian, initial: replicate([8, 8], 500), chains: 500, stopping: rule, seed: 13)
        XCTAssertTrue(r.converged)
        XCTAssertLessThan(r.diagnostics.count, 5000)
        XCTAssertGreaterThanOrEqual(r.diagnostics.count, 40)
        XCTAssertEqual(r.diagnostics.last!.meanEnergy, 1, accuracy: 0.2)
        let full = try MALASampler(stepSize: 0.3).sample(gaussian, initial: replicate([8, 8], 500), chains: 500,
                                                          stopping: StoppingRule(maxSteps: 100), seed: 13)
        XCTAssertFalse(full.converged)
        XCTAssertEqual(full.diagnostics.count, 100)
    }

    func testBadArgumentsGiveClearErrors() {
        let g = gaussian
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "no error" } catch { return "\(error)" }
        }
        let ok = StoppingRule(maxSteps: 10)
        XCTAssertEqual(message { _ = try LangevinSampler(stepSize: 0).sample(g, initial: [0, 0], chains: 1, stopping: ok, seed: 0) },
                       "stepSize must be finite and positive, got 0.0")
        XCTAssertEqual(message { _ = try MALASampler(stepSize: .nan).sample(g, initial: [0, 0], chains: 1, stopping: ok, seed: 0) },
                       "stepSize must be finite and positive, got nan")
        XCTAssertEqual(message { _ = try MALASampler(stepSize: 0.1).sample(g, initial: [0, 0, 0], chains: 1, stopping: ok, seed: 0) },
                       "initial has 3 values, expected chains × dimension = 1 × 2")
        XCTAssertEqual(message { _ = try MALASampler(stepSize: 0.1).sample(g, initial: [], chains: 0, stopping: ok, seed: 0) },
                       "chains must be at least 1, got 0")
        XCTAssertEqual(message { _ = try MALASampler(stepSize: 0.1).sample(g, initial: [0, 0], chains: 1, stopping: StoppingRule(maxSteps: 0), seed: 0) },
                       "maxSteps must be at least 1, got 0")
        XCTAssertEqual(message { _ = try HMCSampler(targetAcceptance: 1.2).sample(g, initial: [0, 0], chains: 1, stopping: ok, seed: 0) },
                       "targetAcceptance must lie in (0, 1), got 1.2")
        XCTAssertEqual(message { _ = try HMCSampler(leapfrogSteps: 0).sample(g, initial: [0, 0], chains: 1, stopping: ok, seed: 0) },
                       "leapfrogSteps must be at least 1, got 0")
        XCTAssertEqual(message { _ = try HMCSampler(adaptationSteps: 11).sample(g, initial: [0, 0], chains: 1, stopping: ok, seed: 0) },
                       "adaptationSteps must lie in 0...maxSteps (10), got 11")
        XCTAssertEqual(message { _ = try LangevinSampler(stepSize: 0.1, gradientClip: -1).sample(g, initial: [0, 0], chains: 1, stopping: ok, seed: 0) },
                       "gradientClip must be finite and positive, got -1.0")
        XCTAssertEqual(message { _ = try WeightedSumEnergy([(1, g), (1, try GaussianEnergy(mean: [0], covariance: [1]))]) },
                       "WeightedSumEnergy: term 1 has dimension 1, term 0 has 2")
        XCTAssertEqual(message { _ = try GaussianEnergy(mean: [0, 0], covariance: [1, 1, 1, 1]) }, "GaussianEnergy: covariance is singular")
        // a step size far past stability diverges; the error names the step and the likely cause
        let diverged = message { _ = try LangevinSampler(stepSize: 1e6).sample(g, initial: [0, 0], chains: 1, stopping: StoppingRule(maxSteps: 500), seed: 0) }
        XCTAssertTrue(diverged.hasPrefix("Langevin: non-finite energy at step ") && diverged.hasSuffix("too large?)"), diverged)
    }
}
