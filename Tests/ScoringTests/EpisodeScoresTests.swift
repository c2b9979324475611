import Foundation
import Trajectories
import XCTest
@testable import Scoring

/// Scores the first number of the future's first state: window w of episode e scores state w + k.
func firstFutureNumber() -> FutureScorer { FutureScorer(contextLength: 2, horizon: 3, stateSize: 2) { Double($0.first!) } }

final class EpisodeScoresTests: XCTestCase {
    /// E episodes of T steps with state (100·e + t, −t).
    func ramp(episodes: Int, steps: Int) -> TrajectoryDataset {
        let states = (0..<episodes).flatMap { e in (0...steps).flatMap { t in [Double(100 * e + t), Double(-t)] } }
        return TrajectoryDataset(episodes: episodes, steps: steps, stateSize: 2, controlSize: 0, siteCount: 0, states: states,
                                 controls: [], sites: [], goal: [Int64](repeating: -1, count: episodes),
                                 episodeSeed: [Int64](repeating: 0, count: episodes))
    }

    func testEveryWindowOfEveryEpisodeInOrder() throws {
        // 11 states, windows of 5: W = 7; window w scores state w + 2 → mean over w of 100e + w + 2 = 100e + 5
        var heard: [[Int]] = []
        let scores = try EpisodeScores(scoring: ramp(episodes: 3, steps: 10), with: firstFutureNumber(), batchSize: 4) { heard.append([$0, $1]) }
        XCTAssertEqual(heard, [4, 8, 12, 16, 20, 21].map { [$0, 21] }, "progress after every batch of 4 of the 21 windows")
        XCTAssertEqual(scores.windowsPerEpisode, 7)
        XCTAssertEqual(scores.window, (0..<3).flatMap { e in (0..<7).map { Double(100 * e + $0 + 2) } })
        XCTAssertEqual(scores.episode, [5, 105, 205])
        XCTAssertEqual(scores.episodeMaximum, [8, 108, 208])
        XCTAssertEqual(scores.completionStep(ofWindow: 0), 4)
        XCTAssertThrowsError(try EpisodeScores(scoring: ramp(episodes: 1, steps: 3), with: firstFutureNumber()))
    }

    /// Issue 18: a split of 0 episodes crashed `ebm score`; non-finite energies were written, then failed as raw JSON errors.
    func testEmptySplitsAndNonFiniteEnergiesAreErrors() throws {
        XCTAssertThrowsError(try EpisodeScores(scoring: ramp(episodes: 0, steps: 10), with: firstFutureNumber())) {
            XCTAssertTrue("\($0)".contains("no episodes"), "\($0)")
        }
        let overflowing = FutureScorer(contextLength: 2, horizon: 3, stateSize: 2) { $0.first! > 104 ? .nan : 0 }
        XCTAssertThrowsError(try EpisodeScores(scoring: ramp(episodes: 3, steps: 10), with: overflowing)) {
            XCTAssertTrue("\($0)".contains("window 3 of episode 1 has energy nan"), "\($0)")
        }
    }

    func testOnlineThresholdKeepsTheFalsePositiveRateAndFlagsTheFirstCrossing() throws {
        // ten normal episodes whose maxima are 1 … 10; α = 0.2 lets two exceed: τ = 8
        let normal = EpisodeScores(episodes: 10, windowsPerEpisode: 2, windowLength: 5,
                                   window: (1...10).flatMap { [0, Double($0)] })
        let detector = try OnlineDetector(calibratingOn: normal, falsePositiveRate: 0.2)
        XCTAssertEqual(detector.threshold, 8)
        XCTAssertEqual(detector.calibrationFalsePositiveRate, 0.2)
        let test = EpisodeScores(episodes: 3, windowsPerEpisode: 4, windowLength: 5, window: [0, 9, 20, 0, 1, 2, 3, 4, 8.5, 0, 0, 0])
        XCTAssertEqual(detector.firstFlaggedStep(test), [5, nil, 4])
        XCTAssertThrowsError(try OnlineDetector(calibratingOn: normal, falsePositiveRate: 1))
    }
}
