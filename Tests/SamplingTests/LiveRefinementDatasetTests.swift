import EnergyModels
import Foundation
import NeuralCore
import Trajectories
import XCTest
@testable import Sampling

/// `LiveRefinement.forDataset`: a trained run's chains on one context of a dataset folder, the
/// context, real future and baseline prediction taken from the episode's states, and each bad input
/// a failure naming it.
final class LiveRefinementDatasetTests: XCTestCase {
    func testContextTruthAndBaselineComeFromTheEpisodeAndFailuresNameTheirInput() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("live-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        // random walks of S = 2 states, 11 states per episode
        var g = SeededGenerator(seed: 1)
        func walks(_ E: Int) -> TrajectoryDataset {
            let states = (0..<(E * 11 * 2)).map { Double($0 % 22) * 0.1 + 0.01 * Double(g.nextGaussian()) }
            return TrajectoryDataset(episodes: E, steps: 10, stateSize: 2, controlSize: 1, siteCount: 1, states: states,
                                     controls: [Double](repeating: 0, count: E * 10), sites: [Double](repeating: 0, count: E * 11 * 3),
                                     goal: [Int64](repeating: -1, count: E), episodeSeed: (0..<E).map(Int64.init))
        }
        let data = folder.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try walks(8).write(to: data.appendingPathComponent("train.npz"))
        let test = walks(3)
        try test.write(to: data.appendingPathComponent("test.npz"))
        var c = TrainingConfiguration()
        (c.model.contextLength, c.model.horizon, c.model.hiddenWidth, c.model.depth) = (2, 3, 8, 2)
        (c.optimization.steps, c.optimization.batchSize, c.langevin.steps, c.replay.capacity, c.checkpointEvery, c.logEvery) = (2, 8, 2, 50, 2, 1)
        let (run, ff) = (folder.appendingPathComponent("run"), folder.appendingPathComponent("ff"))
        _ = try Trainer(kind: .ebm, configuration: c, dataDirectory: data, outputDirectory: run).run()
        _ = try Trainer(kind: .feedforward, configuration: c, dataDirectory: data, outputDirectory: ff).run()

        func setup(episode: Int = 1, contextStart: Int = 4, baseline: String? = ff.path, stateSize: Int = 2) throws -> LiveRefinement.DatasetContext {
            try LiveRefinement.forDataset(run: run.path, data: data.path, split: .test, episode: episode, contextStart: contextStart, baseline: baseline,
                                          stateSize: stateSize, robot: "walker", kind: .langevin, steps: 3, chains: 4, seed: 7)
        }
        let s = try setup()
        func states(_ range: Range<Int>) -> [Double] { range.flatMap { Array(test.state(episode: 1, step: $0)) } }
        XCTAssertEqual(s.context, states(4..<6))
        XCTAssertEqual(s.truth, states(6..<9))
        XCTAssertEqual(s.live.chains, 4)
        let predictor = try FeedforwardPredictor.load(run: ff.path).model
        XCTAssertEqual(s.feedforward, predictor.rollout(context: states(6 - predictor.encoding.contextLength..<6), total: 3))
        XCTAssertEqual(s.file, data.appendingPathComponent("test.npz").path)
        XCTAssertEqual(try setup(contextStart: 8).truth, states(10..<11), "the real future ends with the episode")
        XCTAssertNil(try setup(baseline: nil).feedforward)

        func input(_ make: () throws -> LiveRefinement.DatasetContext) -> LiveRefinement.Input? {
            do { _ = try make(); return nil } catch { return (error as? LiveRefinement.SetupFailure)?.input }
        }
        XCTAssertEqual(input { try setup(episode: 3) }, .episode)
        XCTAssertEqual(input { try setup(contextStart: 10) }, .contextStart)
        XCTAssertEqual(input { try setup(stateSize: 4) }, .model)
        XCTAssertEqual(input { try setup(baseline: folder.appendingPathComponent("none").path) }, .baseline)
        XCTAssertEqual(input { try LiveRefinement.forDataset(run: run.path, data: folder.path, split: .test, episode: 0, contextStart: 0, baseline: nil,
                                                             stateSize: 2, robot: "walker", kind: .langevin, steps: 3, chains: 4, seed: 7) }, .data)
        // the file problem underneath, by kind and path
        func fileError(_ make: () throws -> LiveRefinement.DatasetContext) -> FileError? {
            do { _ = try make(); return nil } catch { return FileError.of(error) }
        }
        let absent = folder.appendingPathComponent("test.npz").path
        XCTAssertEqual(fileError { try LiveRefinement.forDataset(run: run.path, data: folder.path, split: .test, episode: 0, contextStart: 0, baseline: nil,
                                                                 stateSize: 2, robot: "walker", kind: .langevin, steps: 3, chains: 4, seed: 7) }?.kind, .notFound)
        XCTAssertEqual(fileError { try LiveRefinement.forDataset(run: run.path, data: folder.path, split: .test, episode: 0, contextStart: 0, baseline: nil,
                                                                 stateSize: 2, robot: "walker", kind: .langevin, steps: 3, chains: 4, seed: 7) }?.path, absent)
        XCTAssertEqual(fileError { try setup(baseline: folder.appendingPathComponent("none").path) },
                       RunFolderError.missing(path: folder.appendingPathComponent("none").path).fileError)
        XCTAssertEqual(fileError { try setup(baseline: folder.appendingPathComponent("none").path) }?.kind, .notFound)
        XCTAssertNil(fileError { try setup(episode: 3) }, "an episode out of range is not a file problem")
    }

    /// `SetupFailure.flagged` (ebm view live's messages): the flag and value of the input at fault lead.
    func testFlaggedMessagesNameTheInput() {
        func flagged(_ input: LiveRefinement.Input) -> String {
            LiveRefinement.SetupFailure(input: input, description: "why").flagged(run: "runs/a", episode: 9, contextStart: 3, baseline: "runs/ff")
        }
        XCTAssertEqual(flagged(.model), "--model runs/a: why")
        XCTAssertEqual(flagged(.data), "why")
        XCTAssertEqual(flagged(.episode), "--episode 9: why")
        XCTAssertEqual(flagged(.contextStart), "--context-start 3: why")
        XCTAssertEqual(flagged(.baseline), "--baseline runs/ff: why")
    }
}
