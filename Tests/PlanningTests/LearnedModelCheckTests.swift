import EnergyModels
import Trajectories
import XCTest
@testable import Planning

/// A learned plan term must read the robot's states and fit within the plan horizon.
final class LearnedModelCheckTests: XCTestCase {
    func model(stateSize S: Int, horizon H: Int) -> TrajectoryEnergyModel {
        var c = ModelConfiguration()
        (c.contextLength, c.horizon, c.hiddenWidth, c.depth) = (2, H, 8, 2)
        let width = (2 + H) * S
        let enc = WindowEncoding(stateSize: S, contextLength: 2, horizon: H, futureAsDelta: true,
                                 mean: [Float](repeating: 0, count: width), standardDeviation: [Float](repeating: 1, count: width))
        return TrajectoryEnergyModel(configuration: c, encoding: enc, seed: 1)
    }

    func testStateSizeAndHorizonAreChecked() throws {
        let setup = try PlanningSetup(preset: .pointmass2d)   // nq + nv = 4
        XCTAssertNoThrow(try setup.checkLearnedModel(model(stateSize: 4, horizon: setup.horizon)))
        XCTAssertThrowsError(try setup.checkLearnedModel(model(stateSize: 6, horizon: 4))) {
            XCTAssertTrue("\($0)".contains("reads states of 6 numbers"), "\($0)")
        }
        XCTAssertThrowsError(try setup.checkLearnedModel(model(stateSize: 4, horizon: setup.horizon + 1))) {
            XCTAssertTrue("\($0)".contains("exceeds the plan horizon \(setup.horizon)"), "\($0)")
        }
    }
}

/// Loading a run's learned term names the run in its error.
final class LearnedModelLoadingTests: XCTestCase {
    func testAMissingRunIsAPlanningErrorNamingIt() throws {
        let setup = try PlanningSetup(preset: .pointmass2d)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-run-\(UInt64.random(in: 0...UInt64.max))").path
        XCTAssertThrowsError(try setup.learnedModel(run: path)) { error in
            XCTAssertTrue(error is PlanningError, "\(error)")
            XCTAssertEqual(FileError.of(error)?.kind, .notFound, "\(error)")
            XCTAssertEqual(FileError.of(error)?.path, path, "\(error)")
            XCTAssertTrue("\(error)".hasPrefix("\(path): "), "\(error)")
        }
        XCTAssertThrowsError(try setup.transitionModel(run: path)) { XCTAssertFalse($0 is PlanningError, "a load failure passes through: \($0)") }
    }
}
