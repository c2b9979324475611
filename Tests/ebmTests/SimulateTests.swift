import Foundation
import Simulation
import Trajectories
import XCTest

/// `ebm simulate` and `ebm model`, run as a user would: the built binary on tiny inputs.
final class SimulateTests: XCTestCase {
    func testSimulateWritesRolloutMatchingTheLibrary() throws {
        let dir = try EBMProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let initial = dir.appendingPathComponent("init.npz")
        let controls = dir.appendingPathComponent("u.npy")
        let out = dir.appendingPathComponent("out.npz")
        let q0 = [0.1, -0.2, 0.3, 0.4], v0 = [0.0, 0.5, -0.5, 0.0]
        let u = (0..<2 * 20 * 2).map { 0.5 * sin(Double($0)) }
        try NumPyArchive([("qpos", NumPyArray(doubles: q0, shape: [2, 2])),
                          ("qvel", NumPyArray(doubles: v0, shape: [2, 2]))]).write(to: initial)
        try NumPyArray(doubles: u, shape: [2, 20, 2]).write(to: controls)
        let r = try EBMProcess.run(["simulate", "reacher2", "--steps", "20", "--dt", "0.002", "--integrator", "euler",
                                    "--initial", initial.path, "--controls", controls.path, "--out", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let archive = try NumPyArchive(contentsOf: out)
        XCTAssertEqual(archive.names, ["qpos", "qvel", "sites", "ctrl", "time"])
        XCTAssertEqual(try archive.array(named: "qpos").shape, [2, 21, 2])
        XCTAssertEqual(try archive.array(named: "sites").shape, [2, 21, 1, 3])
        // the same rollout through the library
        var options = try RobotModel.builtin("reacher2").options
        options.timestep = 0.002
        options.integrator = .euler
        let model = try RobotModel.builtin("reacher2").with(options: options)
        let expected = try model.rollout(qpos: q0, qvel: v0, batch: 2, steps: 20, controls: u)
        XCTAssertEqual(try archive.array(named: "qpos").doubles, expected.qpos)
        XCTAssertEqual(try archive.array(named: "sites").doubles, expected.sites)
    }

    func testSimulateRefusesBadInputWithMessages() throws {
        let dir = try EBMProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.npz").path
        let bad = dir.appendingPathComponent("bad.npy")
        try NumPyArray(doubles: [0, 0, 0], shape: [1, 3, 1]).write(to: bad)
        let cases: [([String], String)] = [
            (["simulate", "reacher9", "--steps", "5", "--out", out], "reacher9"),
            (["simulate", "reacher2", "--steps", "5", "--integrator", "verlet", "--out", out], "verlet"),
            (["simulate", "reacher2", "--steps", "5", "--dt", "0", "--out", out], "--dt"),
            (["simulate", "reacher2", "--steps", "5", "--controls", bad.path, "--out", out], "bad.npy"),
            (["simulate", "reacher2", "--steps", "5", "--initial", dir.appendingPathComponent("none.npz").path, "--out", out], "none.npz"),
            (["simulate", dir.appendingPathComponent("robot.xml").path, "--steps", "5", "--out", out], "robot.xml"),
        ]
        for (arguments, word) in cases {
            let r = try EBMProcess.run(arguments)
            XCTAssertNotEqual(r.status, 0, arguments.joined(separator: " "))
            XCTAssertTrue(r.stderr.contains(word), "'\(word)' not in: \(r.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing is written on error")
    }

    /// `ebm model info|xml|simulate` take a URDF file (the main job's two-link arm).
    func testURDFThroughModelAndSimulate() throws {
        let urdf = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("benchmarks/models/two_link_arm.urdf").path
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urdf-ebm-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let info = try EBMProcess.run(["model", "info", urdf, "--package-path", dir.path])
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertTrue(info.stdout.contains("nq 2, nv 2, nu 0, bodies 5"), info.stdout)
        XCTAssertTrue(info.stdout.contains("joint 0 shoulder: range [-2.0, 2.0]"), info.stdout)
        let xml = dir.appendingPathComponent("arm.xml").path
        let written = try EBMProcess.run(["model", "xml", urdf, "--out", xml])
        XCTAssertEqual(written.status, 0, written.stderr)
        XCTAssertEqual(try RobotModel(contentsOf: xml).nq, 2)
        let npz = dir.appendingPathComponent("arm.npz").path
        let sim = try EBMProcess.run(["simulate", urdf, "--steps", "10", "--out", npz])
        XCTAssertEqual(sim.status, 0, sim.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: npz))
        let refused = try EBMProcess.run(["model", "xml", dir.appendingPathComponent("missing.urdf").path])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("missing.urdf: cannot open file"), refused.stderr)
    }

    func testModelXMLLoadsBack() throws {
        let r = try EBMProcess.run(["model", "xml", "chain3"])
        XCTAssertEqual(r.status, 0)
        let model = try RobotModel(xml: r.stdout, sourceName: "chain3.xml")
        XCTAssertEqual(model.nv, 3)
        XCTAssertEqual(model.names(.site), ["tip"])
    }
}
