import ArgumentParser
import EnergyModels
import Foundation
import Sampling
import Scoring
import Trajectories

/// `ebm score`: the energy of every window of every episode, and an online anomaly detector.
struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Energies of every window of every episode; optionally flag where each episode first turns anomalous.",
        discussion: """
        Writes FILE.npz with window_energy [E, W] (every k + H window, stride 1) and episode_energy [E] \
        (their mean), and FILE.json, a summary. --online calibrates a threshold on --calibration's test \
        episodes (at most --fpr of them flagged) and adds first_flag [E] (state index, −1 for never).
        """)

    @Option(help: "Run folder of `ebm train --model ebm` (or its .safetensors).") var model: String
    @OptionGroup var input: DataOptions
    @Option(help: "Output .npz (the summary goes beside it as .json).") var out: String
    @Flag(help: "Flag the first anomalous step of each episode (needs --calibration).") var online = false
    @Option(help: "Dataset folder of normal episodes (its test split) that calibrates the online threshold.") var calibration: String?
    @Option(help: "False-positive rate the online threshold allows on the calibration episodes.") var fpr: Double = 0.05

    func validate() throws {
        guard out.hasSuffix(".npz") else { throw ValidationError("--out \(out): must end in .npz") }
        guard fpr >= 0, fpr < 1 else { throw ValidationError("--fpr \(fpr) must be in [0, 1)") }
        if online && calibration == nil { throw ValidationError("--online needs --calibration DIR (a folder of normal episodes)") }
    }

    func run() throws {
        let (data, split, summaryPath) = (input.data, input.split, String(out.dropLast(4)) + ".json")
        for path in [out, summaryPath] { try OutputPath.check(path, inputs: [model, data, calibration]) }
        try RunFolder.requireSameRobot([model], data: data)
        let scorer = try FutureModel.load(from: RunFolder.existingCheckpoint(model)).model.windowScorer
        let dataset = try TrajectoryDataset(folder: data, split: split)
        let clock = Date()
        let scores: EpisodeScores
        let file = "\(data)/\(split.rawValue).npz"
        do { scores = try EpisodeScores(scoring: dataset, with: scorer, file: file, progress: ProgressBar.reporter(unit: "windows")) } catch let e as ScoringError { throw e.fileError.map(CLIError.file) ?? .failed("\(file): \(e)") }
        let seconds = Date().timeIntervalSince(clock)
        var summary = scores.summary(contextStates: scorer.contextLength)
        (summary["model"], summary["data"], summary["split"], summary["seconds"]) = (model, data, split.rawValue, seconds)
        print(scores.line(seconds: seconds))
        var detection: OnlineDetection?
        if online, let calibration {
            let normal: EpisodeScores
            do { normal = try EpisodeScores(scoring: try TrajectoryDataset(folder: calibration, split: .test), with: scorer, progress: ProgressBar.reporter(unit: "calibration windows")) } catch let e as ScoringError {
                throw CLIError.failed("--calibration \(calibration)/test.npz: \(e)")
            }
            let d = try OnlineDetection(scores, calibration: normal, falsePositiveRate: fpr)
            summary["online"] = d.dictionary.merging(["calibration": calibration]) { $1 }
            detection = d
            print(d.line)
        }
        let url = URL(fileURLWithPath: out)
        try AtomicFile.createDirectory(url.deletingLastPathComponent())
        try NumPyArchive(scores.arrays(online: detection)).write(to: url)
        let jsonURL = url.deletingPathExtension().appendingPathExtension("json")
        try AtomicFile.write([UInt8](try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])), to: jsonURL)
        print("wrote \(url.path), \(jsonURL.path)")
    }
}
