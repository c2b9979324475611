import Trajectories
import XCTest
@testable import Scoring

/// `ebm score`'s summary: energy statistics against hand values, and online flags of known episodes.
final class ScoreSummaryTests: XCTestCase {
    func testEnergyStatistics() {
        let s = EnergyStatistics([4, 1, 3, 2])
        XCTAssertEqual(s.mean, 2.5)
        XCTAssertEqual([s.min, s.max], [1, 4])
        XCTAssertEqual(s.std, (1.25 as Double).squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(EnergyStatistics([7]).std, 0)
    }

    func testOnlineDetectionFlagsAndMedian() throws {
        // calibration: 4 normal episodes of 3 windows, maxima 1, 2, 3, 4; α = 0.25 allows one above τ = 3
        let normal = EpisodeScores(episodes: 4, windowsPerEpisode: 3, windowLength: 5,
                                   window: [1, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4])
        // scored: episode 0 crosses at window 2, episode 1 never, episode 2 at window 0, episode 3 at window 1
        let scores = EpisodeScores(episodes: 4, windowsPerEpisode: 3, windowLength: 5,
                                   window: [0, 1, 9, 0, 3, 2, 5, 5, 5, 0, 3.5, 0])
        let d = try OnlineDetection(scores, calibration: normal, falsePositiveRate: 0.25)
        XCTAssertEqual(d.threshold, 3)
        XCTAssertEqual(d.calibrationFalsePositiveRate, 0.25)
        XCTAssertEqual(d.calibrationEpisodes, 4)
        XCTAssertEqual(d.firstFlags, [6, nil, 4, 5])   // window w completes at state w + 4
        XCTAssertEqual(d.flaggedShare, 0.75)
        XCTAssertEqual(d.medianFirstFlag, 5)
        XCTAssertEqual(d.line, "online: threshold 3.0000 (25.0% of 4 calibration episodes above it); 3 of 4 episodes flagged, median first flag at state 5")
        XCTAssertEqual(scores.line(seconds: 0.5), "score: 4 episodes × 3 windows of 5 states in 0.50 s; episode energy mean 2.7917, min 1.1667, max 5.0000")
        let none = try OnlineDetection(EpisodeScores(episodes: 1, windowsPerEpisode: 1, windowLength: 5, window: [0]), calibration: normal, falsePositiveRate: 0)
        XCTAssertEqual(none.medianFirstFlag, -1)
        XCTAssertThrowsError(try OnlineDetection(scores, calibration: normal, falsePositiveRate: 1))
    }
}

/// `ebm score`'s archive and summary keys from episode scores, with and without online flags.
final class ScoreArchiveTests: XCTestCase {
    func testArraysAndSummaryKeys() throws {
        let scores = EpisodeScores(episodes: 2, windowsPerEpisode: 3, windowLength: 5, window: [1, 2, 3, 0, 0, 9])
        let plain = try scores.arrays()
        XCTAssertEqual(plain.map(\.name), ["window_energy", "episode_energy"])
        XCTAssertEqual(plain[0].array.shape, [2, 3])
        XCTAssertEqual(try plain[1].array.doubles, [2, 3])
        let normal = EpisodeScores(episodes: 4, windowsPerEpisode: 1, windowLength: 5, window: [1, 2, 3, 4])
        let d = try OnlineDetection(scores, calibration: normal, falsePositiveRate: 0.25)
        let flagged = try scores.arrays(online: d)
        XCTAssertEqual(flagged.map(\.name), ["window_energy", "episode_energy", "first_flag"])
        XCTAssertEqual(try flagged[2].array.int64s, d.firstFlags.map { Int64($0 ?? -1) })
        let summary = scores.summary(contextStates: 2)
        XCTAssertEqual(summary["episodes"] as? Int, 2)
        XCTAssertEqual(summary["windows_per_episode"] as? Int, 3)
        XCTAssertEqual(summary["window_states"] as? Int, 5)
        XCTAssertEqual(summary["context_states"] as? Int, 2)
        XCTAssertEqual((summary["episode_energy"] as? [String: Double])?["mean"], 2.5)
        XCTAssertEqual(Set(d.dictionary.keys), ["calibration_episodes", "fpr", "threshold", "calibration_fpr", "flagged_share", "median_first_flag"])
        XCTAssertEqual(d.dictionary["fpr"] as? Double, 0.25)
    }
}
