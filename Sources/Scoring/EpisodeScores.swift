// EpisodeScores: a scorer run over every window of every episode, and the online detector that
// flags the first step at which a running trajectory becomes unusual.

import Foundation
import Trajectories

/// Scores of every window of every episode of a split: windows start at every step (stride 1), so
/// window w reads states w ..< w + k + H and is complete at state w + k + H − 1.
public struct EpisodeScores: Sendable {
    /// Episodes E and windows per episode W.
    public let episodes: Int, windowsPerEpisode: Int
    /// States per window k + H.
    public let windowLength: Int
    /// Window scores [E, W].
    public let window: [Double]

    /// Mean of each episode's window scores [E].
    public var episode: [Double] {
        (0..<episodes).map { e in window[(e * windowsPerEpisode)..<((e + 1) * windowsPerEpisode)].reduce(0, +) / Double(windowsPerEpisode) }
    }

    /// Largest window score of each episode [E].
    public var episodeMaximum: [Double] {
        (0..<episodes).map { e in window[(e * windowsPerEpisode)..<((e + 1) * windowsPerEpisode)].max()! }
    }

    /// The state index at which window `w` is complete (its last state).
    public func completionStep(ofWindow w: Int) -> Int { w + windowLength - 1 }

    public init(episodes: Int, windowsPerEpisode: Int, windowLength: Int, window: [Double]) {
        precondition(window.count == episodes * windowsPerEpisode, "EpisodeScores: \(window.count) scores for \(episodes) × \(windowsPerEpisode)")
        (self.episodes, self.windowsPerEpisode, self.windowLength, self.window) = (episodes, windowsPerEpisode, windowLength, window)
    }

    /// Runs `scorer` over every window of `dataset`, `batchSize` windows per call; `progress` hears
    /// (windows scored, windows) after each call.
    /// - Parameter file: The split file `dataset` was read from, named in errors about its content.
    /// - Throws: `ScoringError`: `.file` (`.mismatched`) when the states' size differs from the
    ///   scorer's or episodes are shorter than one window, (`.malformed`) when the split holds no
    ///   episodes — `.invalidArgument` for these when `file` is nil; `.invalidArgument` when a
    ///   window's energy is not finite.
    public init(scoring dataset: TrajectoryDataset, with scorer: any WindowScorer, file: String? = nil, batchSize: Int = 4096,
                progress: ((_ done: Int, _ windows: Int) -> Void)? = nil) throws {
        func content(_ kind: FileError.Kind, _ detail: String) -> ScoringError {
            file.map { .file(FileError(kind, path: $0, detail)) } ?? .invalidArgument(detail)
        }
        guard dataset.stateSize == scorer.stateSize else {
            throw content(.mismatched, "\(scorer.name): states have \(dataset.stateSize) numbers, the model reads \(scorer.stateSize)")
        }
        guard dataset.episodes > 0 else { throw content(.malformed, "the split holds no episodes") }
        let windows = try TrajectoryWindows(dataset, context: scorer.contextLength, future: scorer.horizon)
        guard windows.perEpisode > 0 else {
            throw content(.mismatched, "\(scorer.name): episodes hold \(dataset.steps + 1) states, a window needs \(scorer.contextLength + scorer.horizon)")
        }
        var scores: [Double] = []
        scores.reserveCapacity(windows.count)
        var context: [Float] = [], future: [Float] = []
        for start in stride(from: 0, to: windows.count, by: max(1, batchSize)) {
            scorer.gather(windows, Array(start..<min(start + batchSize, windows.count)), context: &context, future: &future)
            scores += scorer.scores(context: context, future: future)
            progress?(scores.count, windows.count)
        }
        if let bad = scores.firstIndex(where: { !$0.isFinite }) {
            throw ScoringError.invalidArgument("\(scorer.name): window \(bad % windows.perEpisode) of episode \(bad / windows.perEpisode) has energy \(scores[bad]) "
                               + "(states far outside the training data, or a diverged model)")
        }
        self.init(episodes: dataset.episodes, windowsPerEpisode: windows.perEpisode,
                  windowLength: scorer.contextLength + scorer.horizon, window: scores)
    }
}

/// Flags a running trajectory at the first window whose score exceeds a threshold calibrated on
/// normal episodes so that at most a chosen share of them is ever flagged.
public struct OnlineDetector: Sendable {
    /// Scores above this are anomalous.
    public let threshold: Double
    /// The share of normal calibration episodes allowed a flag anywhere (α).
    public let falsePositiveRate: Double
    /// The share actually flagged on the calibration episodes (≤ α).
    public let calibrationFalsePositiveRate: Double

    /// τ = the ⌊α·n⌋+1-th largest per-episode maximum of `normal`: at most ⌊α·n⌋ normal episodes exceed it.
    /// - Throws: `ScoringError` for α outside [0, 1) or no episodes.
    public init(calibratingOn normal: EpisodeScores, falsePositiveRate alpha: Double) throws {
        guard normal.episodes > 0 else { throw ScoringError.invalidArgument("online calibration needs at least one normal episode") }
        guard alpha >= 0, alpha < 1 else { throw ScoringError.invalidArgument("false-positive rate \(alpha) must be in [0, 1)") }
        let maxima = normal.episodeMaximum.sorted(by: >)
        let allowed = Int((alpha * Double(maxima.count) + 1e-9).rounded(.down))
        let tau = maxima[min(allowed, maxima.count - 1)]
        (threshold, falsePositiveRate) = (tau, alpha)
        calibrationFalsePositiveRate = Double(maxima.filter { $0 > tau }.count) / Double(maxima.count)
    }

    /// The state index at which each episode is first flagged (nil: never) [E].
    public func firstFlaggedStep(_ scores: EpisodeScores) -> [Int?] {
        (0..<scores.episodes).map { e in
            (0..<scores.windowsPerEpisode).first { scores.window[e * scores.windowsPerEpisode + $0] > threshold }
                .map { scores.completionStep(ofWindow: $0) }
        }
    }
}
