import EnergyModels
import Foundation
import Sampling
import Scene
import Scoring
import Simulation
import Trajectories

/// `ebm evaluate --ood`: in-distribution test episodes against shifted ones (physics, controller,
/// time reversal, averaging, glitches, noise), each detector's episode score → AUROC and FPR at 95% TPR.
///
/// Detectors: the EBM's mean window energy (for a denoising model: of the whole window, and of its
/// basis coefficients alone; for a contrastive-divergence one also the energy above a short descent);
/// the feedforward baseline's mean prediction error
/// (`--baseline`); a full-covariance Gaussian over the EBM's normalised windows fitted on
/// DIR/train.npz, scored as −log p(future | context). Physics and controller shifts regenerate the
/// first N test episodes from the dataset's recipe (meta.json) with the same episode seeds.
enum OODEvaluation {
    typealias Detector = OODBenchmark.Detector

    static func run(_ command: Evaluate) throws {
        try command.checkOutput()
        let futureModel = try FutureModel.load(from: RunFolder.existingCheckpoint(command.model)).model
        let encoding = futureModel.encoding
        let test = try TrajectoryDataset(folder: command.data, split: command.split)
        let N = min(command.episodes, test.episodes)
        let normal = test.episodes(Array(0..<N))
        let folder = URL(fileURLWithPath: command.data)
        let meta: JSONValue
        do { meta = try DatasetFolder.meta(of: folder) } catch { throw CLIError("\(command.data)/meta.json: \(error)") }
        guard let recipeJSON = meta["recipe"] else { throw CLIError("\(command.data)/meta.json: no recipe; the physics and controller shifts regenerate from it") }
        guard case .string(let robotName)? = meta["robot"] else { throw CLIError("\(command.data)/meta.json: no robot named") }
        let robot: RobotModel
        do { robot = try RobotModel.load(robotName) } catch { throw CLIError("robot \(robotName) (\(command.data)/meta.json): \(error)") }

        // detectors
        let clock = Date()
        let feedforward = try command.baseline.map { try FeedforwardPredictor.load(run: $0, conditioned: true).model }
        var detectors = try OODBenchmark.modelDetectors(futureModel, descentSteps: command.descentSteps, feedforward: feedforward)
        let train = try TrajectoryDataset(folder: command.data, split: .train)
        do {
            let windows = try TrajectoryWindows(train, context: encoding.contextLength, future: encoding.horizon)
            detectors += try OODBenchmark.calibratedDetectors(futureModel, training: windows)
            let gaussian = try GaussianWindowModel(windows: windows, encoding: encoding, stride: max(1, windows.count / 50_000))
            detectors.append(Detector(name: "Gaussian NLL", key: "gaussian", scorer: gaussian, readsGoalLabel: encoding.goalCount > 0))
        } catch let e as ScoringError { throw CLIError("\(command.data)/train.npz: \(e)") }

        // averaged pairs count only where they end off every goal (goals: the split's mean final goal-site positions)
        let endpoints = try GoalSet.load(folder: command.data, split: command.split, dataset: test).map {
            AveragedEndpointRule(robot: $0.robot, site: $0.site, goals: $0.positions)
        }
        let report: OODReport
        do {
            report = try OODBenchmark(detectors: detectors, normal: normal, recipe: recipeJSON, positionCount: robot.nq, seed: command.seed,
                                      endpoints: endpoints).run(progress: ProgressBar.reporter(unit: "steps (normal episodes, then each shift)"))
        } catch OODBenchmarkError.regeneration(let e) {
            throw CLIError("\(command.data)/meta.json recipe: \(e)")
        } catch { throw CLIError("\(error)") }

        let rows = report.rows
        let seconds = Date().timeIntervalSince(clock)

        // how often the best EBM detector beats the best baseline: by any margin, and beyond two
        // standard errors of the difference (Hanley–McNeil)
        let (ebmWins, ebmTies, clearWins, clearLosses) = report.comparison
        let summary: [String: Any] = [
            "model": command.model, "baseline_model": command.baseline ?? NSNull(), "data": command.data, "split": command.split.rawValue,
            "episodes": N, "seed": Int(command.seed), "episode_score": "mean window score (the *_max_window fields: largest window score)",
            "detectors": detectors.map { ["key": $0.key, "name": $0.name] }, "shifts": rows,
            "ebm_beats_all_baselines_on": ebmWins, "ebm_ties_best_baseline_on": ebmTies, "shift_count": rows.count,
            "ebm_beats_all_baselines_beyond_noise_on": clearWins, "best_baseline_beats_ebm_beyond_noise_on": clearLosses, "seconds": seconds,
        ]
        let outDir = URL(fileURLWithPath: command.out)
        try AtomicFile.createDirectory(outDir)
        let jsonURL = outDir.appendingPathComponent("ood.json")
        try AtomicFile.write([UInt8](try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])), to: jsonURL)

        // a Markdown table (printed and written beside the JSON)
        let md = report.markdown(detectorNames: detectors.map(\.name))
        try AtomicFile.write(Array(md.utf8), to: outDir.appendingPathComponent("ood.md"))
        print("evaluate --ood: \(N) normal vs \(N) shifted episodes per shift (averaged: the pairs that end off every goal), episode score = mean window score (\(String(format: "%.1f", seconds)) s)")
        print(md, terminator: "")
        print("best EBM detector's AUROC above every baseline on \(ebmWins) of \(rows.count) shifts, tied with the best on \(ebmTies); "
              + "beyond two standard errors: above on \(clearWins), below on \(clearLosses), within noise on \(rows.count - clearWins - clearLosses)")
        print("wrote \(jsonURL.path), \(outDir.appendingPathComponent("ood.md").path)")
    }
}
