// ScoreSummary: what `ebm score` reports about a split's energies — statistics of the episode
// energies and, with a calibration set, where an online detector first flags each episode.

import Trajectories

/// Mean, extremes and (population) standard deviation of a set of energies.
public struct EnergyStatistics: Codable, Equatable, Sendable {
    public var mean: Double, min: Double, max: Double, std: Double

    /// The statistics of `values` (at least one).
    public init(_ values: [Double]) {
        let n = Double(values.count)
        mean = values.reduce(0, +) / n
        (min, max) = (values.min()!, values.max()!)
        let m = mean
        std = (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / n).squareRoot()
    }

    /// The keys of `ebm score`'s summary.
    public var dictionary: [String: Any] { ["mean": mean, "min": min, "max": max, "std": std] }
}

/// An online detector calibrated on normal episodes and the first flag it raises in each scored episode.
public struct OnlineDetection: Codable, Equatable, Sendable {
    public var threshold: Double
    /// The false-positive rate allowed, and the share of calibration episodes ever above the threshold.
    public var falsePositiveRate: Double, calibrationFalsePositiveRate: Double
    public var calibrationEpisodes: Int
    /// State index of each episode's first window above the threshold; nil: never flagged.
    public var firstFlags: [Int?]

    /// Calibrates on `normal` so that at most `falsePositiveRate` of its episodes are ever flagged,
    /// then flags `scores`' episodes.
    public init(_ scores: EpisodeScores, calibration normal: EpisodeScores, falsePositiveRate: Double) throws {
        let detector = try OnlineDetector(calibratingOn: normal, falsePositiveRate: falsePositiveRate)
        (threshold, calibrationFalsePositiveRate) = (detector.threshold, detector.calibrationFalsePositiveRate)
        (self.falsePositiveRate, calibrationEpisodes, firstFlags) = (falsePositiveRate, normal.episodes, detector.firstFlaggedStep(scores))
    }

    /// Flagged episodes' first flags, and their share of all episodes.
    public var flagged: [Int] { firstFlags.compactMap { $0 } }
    public var flaggedShare: Double { Double(flagged.count) / Double(firstFlags.count) }
    /// The median first flag of the flagged episodes (the upper one of an even count); −1 when none.
    public var medianFirstFlag: Int { flagged.isEmpty ? -1 : flagged.sorted()[flagged.count / 2] }
}

extension OnlineDetection {
    /// The `online` entry of `ebm score`'s summary (beside the caller's `calibration` path).
    public var dictionary: [String: Any] {
        ["calibration_episodes": calibrationEpisodes, "fpr": falsePositiveRate, "threshold": threshold, "calibration_fpr": calibrationFalsePositiveRate,
         "flagged_share": flaggedShare, "median_first_flag": medianFirstFlag]
    }

    /// `ebm score --online`'s line: the threshold, the calibration's share above it, the episodes flagged.
    public var line: String {
        String(format: "online: threshold %.4f (%.1f%% of %d calibration episodes above it); %d of %d episodes flagged, median first flag at state %d",
               threshold, 100 * calibrationFalsePositiveRate, calibrationEpisodes, flagged.count, firstFlags.count, medianFirstFlag)
    }
}

extension EpisodeScores {
    /// `ebm score`'s archive: window_energy [E, W], episode_energy [E] and, with `online`, first_flag [E]
    /// (the state index of each episode's first flag, −1 for never).
    public func arrays(online: OnlineDetection? = nil) throws -> [(name: String, array: NumPyArray)] {
        try [("window_energy", NumPyArray(doubles: window, shape: [episodes, windowsPerEpisode])),
             ("episode_energy", NumPyArray(doubles: episode, shape: [episodes]))]
            + (online.map { [("first_flag", try NumPyArray(int64s: $0.firstFlags.map { Int64($0 ?? -1) }, shape: [episodes]))] } ?? [])
    }

    /// `ebm score`'s line for scores made in `seconds`: sizes and the episode energies' statistics.
    public func line(seconds: Double) -> String {
        let energy = EnergyStatistics(episode)
        return String(format: "score: %d episodes × %d windows of %d states in %.2f s; episode energy mean %.4f, min %.4f, max %.4f",
                      episodes, windowsPerEpisode, windowLength, seconds, energy.mean, energy.min, energy.max)
    }

    /// `ebm score`'s summary keys for scores of windows with `contextStates` context states (beside
    /// the caller's model, data, split and seconds).
    public func summary(contextStates: Int) -> [String: Any] {
        ["episodes": episodes, "windows_per_episode": windowsPerEpisode, "window_states": windowLength, "context_states": contextStates,
         "episode_energy": EnergyStatistics(episode).dictionary]
    }
}
