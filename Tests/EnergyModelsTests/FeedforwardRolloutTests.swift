import EnergyModels
import Trajectories
import XCTest

/// `FeedforwardPredictor.rollout(dataset:…)` (the baseline of `ebm predict`): the k states before
/// `contextEnd` of the episode, chained like `rollout(context:)`; a context too short or of another
/// size is a `contextMismatch`, an episode or end outside the dataset a `DatasetError`.
final class FeedforwardRolloutTests: XCTestCase {
    /// An untrained predictor reading k states of S numbers, predicting H, with identity normalisation.
    static func predictor(contextLength k: Int, horizon H: Int, stateSize S: Int, seed: UInt64) -> FeedforwardPredictor {
        var c = ModelConfiguration()
        (c.contextLength, c.horizon, c.hiddenWidth, c.depth) = (k, H, 8, 2)
        let encoding = WindowEncoding(stateSize: S, contextLength: k, horizon: H, futureAsDelta: true,
                                      mean: [Float](repeating: 0, count: (k + H) * S), standardDeviation: [Float](repeating: 1, count: (k + H) * S))
        return FeedforwardPredictor(configuration: c, encoding: encoding, seed: seed)
    }

    func testRollsOutFromTheStatesBeforeTheContextEnd() throws {
        let ff = Self.predictor(contextLength: 4, horizon: 4, stateSize: 4, seed: 6)
        let (E, T, S) = (2, 9, 4)
        let states = (0..<(E * (T + 1) * S)).map { 0.01 * Double($0 % 37) - 0.1 }
        let data = TrajectoryDataset(episodes: E, steps: T, stateSize: S, controlSize: 0, siteCount: 0, states: states, controls: [], sites: [],
                                     goal: [-1, -1], episodeSeed: [0, 0])

        let path = try ff.rollout(dataset: data, episode: 1, contextEnd: 6, total: 5, run: "ff")
        let context = (2..<6).flatMap { Array(data.state(episode: 1, step: $0)) }
        XCTAssertEqual(context.first, states[((T + 1) + 2) * S])
        XCTAssertEqual(path, ff.rollout(context: context, total: 5))
        XCTAssertEqual(path.count, 5 * S)
        XCTAssertNotEqual(path, try ff.rollout(dataset: data, episode: 0, contextEnd: 6, total: 5, run: "ff"))

        XCTAssertThrowsError(try ff.rollout(dataset: data, episode: 0, contextEnd: 3, total: 5, run: "ff")) { error in
            XCTAssertEqual(error as? RunFolderError, .contextMismatch(run: "ff", reads: 4, stateSize: 4, offered: 3, offeredSize: 4))
            XCTAssertEqual("\(error)", "ff: reads 4 states of 4, this context offers 3 of 4")
        }
        var wide = data
        (wide.stateSize, wide.states) = (2, Array(states.prefix(E * (T + 1) * 2)))
        XCTAssertThrowsError(try ff.rollout(dataset: wide, episode: 0, contextEnd: 6, total: 5, run: "ff")) { error in
            XCTAssertEqual(error as? RunFolderError, .contextMismatch(run: "ff", reads: 4, stateSize: 4, offered: 6, offeredSize: 2))
        }
        XCTAssertThrowsError(try ff.rollout(dataset: data, episode: 2, contextEnd: 6, total: 5, run: "ff")) { XCTAssertTrue($0 is DatasetError) }
        XCTAssertThrowsError(try ff.rollout(dataset: data, episode: -1, contextEnd: 6, total: 5, run: "ff")) { XCTAssertTrue($0 is DatasetError) }
        XCTAssertThrowsError(try ff.rollout(dataset: data, episode: 0, contextEnd: T + 2, total: 5, run: "ff")) { XCTAssertTrue($0 is DatasetError) }
    }

    /// `requireContext` (evaluate's baseline check, predict's through `rollout`): a model reading
    /// more states than offered, or states of another size, is refused; fewer or equal are fine.
    func testRequireContextRefusesShortOrMisSizedContexts() throws {
        let ff = Self.predictor(contextLength: 3, horizon: 2, stateSize: 2, seed: 1)
        XCTAssertNoThrow(try ff.requireContext(3, stateSize: 2, run: "b"))
        XCTAssertNoThrow(try ff.requireContext(8, stateSize: 2, run: "b"))
        XCTAssertThrowsError(try ff.requireContext(2, stateSize: 2, run: "b")) { error in
            XCTAssertEqual(error as? RunFolderError, .contextMismatch(run: "b", reads: 3, stateSize: 2, offered: 2, offeredSize: 2))
            XCTAssertEqual("\(error)", "b: reads 3 states of 2, this context offers 2 of 2")
            XCTAssertEqual((error as? RunFolderError)?.reason, "reads 3 states of 2, this context offers 2 of 2", "without the path")
        }
        XCTAssertThrowsError(try ff.requireContext(3, stateSize: 4, run: "b")) { error in
            XCTAssertEqual(error as? RunFolderError, .contextMismatch(run: "b", reads: 3, stateSize: 2, offered: 3, offeredSize: 4))
        }
    }
}
