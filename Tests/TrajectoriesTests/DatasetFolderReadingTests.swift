// DatasetFolderReadingTests: a split of a folder by name, one episode's context and true future,
// the robot meta.json names, `ebm dataset info`'s lines, and the files of `ebm simulate`.

import Foundation
import Simulation
import XCTest
@testable import Trajectories

final class DatasetFolderReadingTests: XCTestCase {
    let directory = NSTemporaryDirectory() + "dataset-folder-reading-\(getpid())"

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    /// 2 episodes × 4 states × S = 2; state (e, t) = [100e + 10t, 100e + 10t + 1].
    func dataset() -> TrajectoryDataset {
        var states: [Double] = []
        for e in 0..<2 {
            for t in 0..<4 { states += [Double(100 * e + 10 * t), Double(100 * e + 10 * t + 1)] }
        }
        return TrajectoryDataset(episodes: 2, steps: 3, stateSize: 2, controlSize: 1, siteCount: 0, states: states,
                                 controls: [Double](repeating: 0.5, count: 6), sites: [], goal: [1, -1], episodeSeed: [0, 1])
    }

    func testSplitByNameAndItsWindows() throws {
        let d = dataset()
        try d.write(to: URL(fileURLWithPath: directory + "/test.npz"))
        let read = try TrajectoryDataset(folder: directory, split: .test)
        XCTAssertEqual(read.states, d.states)
        XCTAssertThrowsError(try TrajectoryDataset(folder: directory, split: .train)) {
            XCTAssertEqual("\($0)", "\(directory)/train.npz: no such file (a dataset folder holds train.npz and test.npz)")
        }
        // context of 2 states from state 1 of episode 1, then the rest of the episode (1 state, not 5)
        let (context, truth) = try read.window(episode: 1, contextStart: 1, contextLength: 2, total: 5, file: "f.npz")
        XCTAssertEqual(context, [110, 111, 120, 121])
        XCTAssertEqual(truth, [130, 131])
        XCTAssertEqual(try read.window(episode: 0, contextStart: 0, contextLength: 4, total: 2, file: "f.npz").truth, [])
        XCTAssertThrowsError(try read.window(episode: 2, contextStart: 0, contextLength: 2, total: 1, file: "f.npz")) {
            XCTAssertEqual("\($0)", "--episode 2: f.npz holds 2 episodes")
        }
        XCTAssertThrowsError(try read.window(episode: 0, contextStart: 3, contextLength: 2, total: 1, file: "f.npz")) {
            XCTAssertEqual("\($0)", "--context-start 3: 2 context states are needed and episodes hold 4")
        }
        XCTAssertThrowsError(try read.window(episode: 0, contextStart: -1, contextLength: 2, total: 1, file: "f.npz"))
    }

    func testRobotNameAndSummaryOfMetaJSON() throws {
        XCTAssertNil(DatasetFolder.robotName(near: directory))
        try #"{"name": "tiny", "robot": "reacher2", "dt": 0.01, "steps": 3, "state_names": ["q0", "v0"], "shard": {"index": 1, "count": 4}}"#
            .write(toFile: directory + "/meta.json", atomically: true, encoding: .utf8)
        XCTAssertEqual(DatasetFolder.robotName(near: directory), "reacher2")
        XCTAssertEqual(DatasetFolder.robotName(near: directory + "/test.npz"), "reacher2", "a file names its folder")
        let meta = try DatasetFolder.meta(of: URL(fileURLWithPath: directory))
        XCTAssertEqual(DatasetFolder.stateNames(meta: meta), ["q0", "v0"])
        XCTAssertEqual(DatasetFolder.summary(meta: meta, path: "D"),
                       ["D: tiny, robot reacher2, dt 0.01 s, 3 steps, integrator ?, model sha256 ?…, version ?", "  shard 1/4"])
        let lines = dataset().summary(fileName: "test.npz", stateNames: ["q0"])
        XCTAssertEqual(lines[0], "test.npz: 2 episodes")
        // (the name's %-16@ padding is not applied by this Foundation; the ranges are what matter)
        XCTAssertTrue(lines[2].hasPrefix("  q0 ") && lines[2].hasSuffix(" [    0.0000,   130.0000]"), lines[2])
        XCTAssertTrue(lines[3].hasPrefix("  state[1] ") && lines[3].hasSuffix(" [    1.0000,   131.0000]"), lines[3])
        XCTAssertTrue(lines[4].hasPrefix("  controls ") && lines[4].hasSuffix(" [    0.5000,     0.5000]"), lines[4])
        XCTAssertEqual(lines.last, "  goals: none: 1, 1: 1")
    }

    func testRolloutFilesRoundTrip() throws {
        let model = try RobotModel.load("pendulum")
        let (nq, nv, nu) = (model.nq, model.nv, model.nu)
        let initial = URL(fileURLWithPath: directory + "/initial.npz")
        try NumPyArchive([("qpos", NumPyArray(doubles: [0.1, 0.2, 0.3].flatMap { [Double](repeating: $0, count: nq) }, shape: [3, nq]))]).write(to: initial)
        let (qpos, qvel, batch) = try RolloutFile.initialStates(contentsOf: initial.path, nq: nq, nv: nv)
        XCTAssertEqual(batch, 3)
        let viaModel = try RolloutFile.initialStates(model: model, keyframe: nil, file: initial.path)
        XCTAssertEqual([viaModel.qpos, viaModel.qvel], [qpos, qvel])
        XCTAssertEqual(qvel, [Double](repeating: 0, count: 3 * nv), "zeros without qvel")
        let controls = URL(fileURLWithPath: directory + "/ctrl.npy")
        try NumPyArray(doubles: [Double](repeating: 0.1, count: 3 * 5 * nu), shape: [3, 5, nu]).write(to: controls)
        let ctrl = try RolloutFile.controls(contentsOf: controls.path, batch: 3, steps: 5, nu: nu)
        XCTAssertThrowsError(try RolloutFile.controls(contentsOf: controls.path, batch: 3, steps: 4, nu: nu)) {
            XCTAssertTrue("\($0)".hasPrefix("\(controls.path): controls must be [B, N, nu] = [3, 4, \(nu)] and finite"), "\($0)")
        }
        let (rollout, failed) = try model.rolloutKeepingFinite(qpos: qpos, qvel: qvel, batch: 3, steps: 5, controls: ctrl, threads: 1)
        let out = URL(fileURLWithPath: directory + "/out.npz")
        try RolloutFile.write(rollout, model: model, batch: 3, steps: 5, failed: failed, to: out)
        let archive = try NumPyArchive(contentsOf: out)
        XCTAssertEqual(archive.names.sorted(), ["ctrl", "qpos", "qvel", "sites", "time"])
        XCTAssertEqual(try archive.array(named: "qpos").asDoubles(), rollout.qpos)
        XCTAssertEqual(try archive.array(named: "qpos").shape, [3, 6, nq])
        XCTAssertEqual(try archive.array(named: "time").asDoubles()[5], 5 * model.options.timestep, accuracy: 1e-15)
    }

    /// `ebm simulate`'s start: the reference pose at rest, a keyframe, or a file's states (batch B).
    func testInitialStatesOfAModel() throws {
        let m = try RobotModel(xml: """
        <mujoco model="k"><worldbody><body><joint name="j"/><geom size="0.1"/></body></worldbody>
          <keyframe><key name="home" qpos="0.5" qvel="-1"/></keyframe></mujoco>
        """, sourceName: "k.xml")
        let rest = try RolloutFile.initialStates(model: m, keyframe: nil, file: nil)
        XCTAssertEqual([rest.qpos, rest.qvel], [m.joints.qpos0, [0]])
        XCTAssertEqual(rest.batch, 1)
        let home = try RolloutFile.initialStates(model: m, keyframe: "home", file: nil)
        XCTAssertEqual([home.qpos, home.qvel], [[0.5], [-1]])
        XCTAssertEqual(home.batch, 1)
        XCTAssertThrowsError(try RolloutFile.initialStates(model: m, keyframe: "away", file: nil)) { XCTAssertTrue("\($0)".contains("home"), "\($0)") }
        XCTAssertThrowsError(try RolloutFile.initialStates(model: m, keyframe: nil, file: directory + "/missing.npz"))
    }
}
