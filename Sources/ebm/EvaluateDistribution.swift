// EvaluateDistribution: `ebm evaluate`'s energy score and MMD of the sampled futures against
// futures re-simulated from the same start by the dataset's own recipe and policy.

import Foundation
import Scoring
import Simulation
import Trajectories

extension Evaluate {
    /// The states the data-dependent references come from: the training split when the folder has
    /// one, else the evaluated split; with per-dimension mean and standard deviation over all states.
    func referenceStates(_ setup: Setup) throws -> (dataset: TrajectoryDataset, mean: [Double], deviation: [Double]) {
        let trainURL = URL(fileURLWithPath: data).appendingPathComponent("train.npz")
        var reference = setup.dataset
        if split != "train", FileManager.default.fileExists(atPath: trainURL.path) {
            do { reference = try TrajectoryDataset(contentsOf: trainURL) } catch { throw CLIError("\(trainURL.path): \(error)") }
            guard reference.stateSize == setup.S else { throw CLIError("\(trainURL.path): states have \(reference.stateSize) numbers, the model reads \(setup.S)") }
        }
        let scale = StateScale(states: reference.states, stateSize: setup.S)
        return (reference, scale.mean, scale.deviation)
    }

    /// Energy score and MMD² per context, averaged over the first N contexts: EBM futures (N·K, total, S),
    /// feedforward futures (N, total, S), and one half of the references against the other.
    func distributionSection(_ setup: Setup, contexts N: Int, futures: [Double], perContext K: Int, baseline: [Double]?) throws -> [String: Any] {
        let (k, S, total, M) = (setup.k, setup.S, setup.total, referenceSamples)
        let simulator = try ReferenceSimulator(dataFolder: data)
        let robot = simulator.model
        guard simulator.steps + 1 == setup.length, robot.nq + robot.nv == S else {
            throw CLIError("\(data)/meta.json: its recipe makes \(simulator.steps + 1) states of \(robot.nq + robot.nv) numbers, \(setup.file.path) holds \(setup.length) of \(S)")
        }
        let deviation = try referenceStates(setup).deviation
        // the goal site, else the robot's first site; none: the site feature is skipped
        let site: Int? = setup.goals?.site ?? (robot.nsite > 0 ? 0 : nil)
        let siteName = setup.goals?.siteName ?? (site.map { robot.names(.site)[$0] } ?? "none")
        let clock = Date()
        let comparison = ReferenceComparison(simulator: simulator, deviation: deviation, site: site, referenceSamples: M, contextLength: k)
        let result = try comparison.run(futures: futures, perContext: K, baseline: baseline, starts: (0..<N).flatMap { setup.states($0, 0..<1) },
                                        total: total, seed: seed)
        let (ebm, ff, halves, referenceGoals) = (result.ebm, result.baseline, result.resimulatedHalf, result.referenceGoalsPerContext)

        print(String(format: "energy score / MMD² against %d re-simulated futures per context (%d contexts, %.1f s; site %@ in m, future in data std units; lower is better)",
                     M, N, Date().timeIntervalSince(clock), siteName))
        func row(_ name: String, _ s: DistributionScores) -> [String] {
            [name] + [s.energyScoreSite, s.mmdSite, s.energyScoreFuture, s.mmdFuture].map { String(format: "%.4f", $0) }
        }
        var rows = [["", "ES site", "MMD² site", "ES future", "MMD² fut."], row("EBM", ebm)]
        if baseline != nil { rows.append(row("feedforward", ff)) }
        if M >= 2 { rows.append(row("re-simulated", halves)) }
        Self.printTable(rows)

        var section: [String: Any] = [
            "reference_samples": M, "contexts": N, "site": siteName, "ebm": ebm.dictionary,
            "reference_goals_per_context": referenceGoals,
            "definition": "per context: ES = mean_j mean_i |x_i - y_j| - 1/(2K^2) sum_ii' |x_i - x_i'|; MMD^2 biased V-statistic, Gaussian kernel, bandwidth = median pairwise distance of the pooled sets; averaged over contexts. final_site: goal-site position of the last state (m); future: all states, each dimension / data std",
        ]
        if baseline != nil { section["baseline"] = ff.dictionary }
        if M >= 2 { section["resimulated_half"] = halves.dictionary }
        return section
    }
}
