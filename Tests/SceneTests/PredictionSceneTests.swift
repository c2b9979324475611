import Foundation
import Simulation
import Trajectories
import XCTest
@testable import Scene

/// Reacher2 in closed form: link0 from the base (0, 0, 0.01) along q0 with length 0.1, link1 along
/// q0 + q1 with length 0.1, the fingertip 0.11 from the elbow; nq = nv = 2 (S = 4).
func reacherFingertip(_ q0: Double, _ q1: Double) -> SIMD3<Double> {
    SIMD3(0.1 * cos(q0) + 0.11 * cos(q0 + q1), 0.1 * sin(q0) + 0.11 * sin(q0 + q1), 0.01)
}

/// Prediction file arrays of reacher2: context of k = 3, K = 2 futures of H = 5, truth of 4 states,
/// a feedforward path; positions q(t) distinct per array so that a mix-up shows.
enum ReacherPrediction {
    static let (k, K, H) = (3, 2, 5)
    static func state(_ q0: Double, _ q1: Double) -> [Double] { [q0, q1, 0.5, -0.5] }
    static let context: [Double] = (0..<k).flatMap { (i: Int) -> [Double] in state(0.1 * Double(i), 0.2) }
    static func futureQ(_ c: Int, _ t: Int) -> (Double, Double) { (0.3 + 0.2 * Double(t), c == 0 ? 0.5 : -1.0) }
    static let futures: [Double] = (0..<K).flatMap { (c: Int) -> [Double] in
        (0..<H).flatMap { (t: Int) -> [Double] in state(futureQ(c, t).0, futureQ(c, t).1) }
    }
    static let truth: [Double] = (0..<4).flatMap { (i: Int) -> [Double] in state(0.3 + 0.1 * Double(i), 0.2) }
    static let feedforward: [Double] = (0..<H).flatMap { (i: Int) -> [Double] in state(-0.4 - 0.1 * Double(i), 1.2) }
    static let energies = [7.0, -3.0]  // chain 1 is the more likely

    static func write(to path: String, stateSize: Int = 4) throws {
        func pad(_ v: [Double]) -> [Double] {
            stride(from: 0, to: v.count, by: 4).flatMap { Array(v[$0..<$0 + 4]) + [Double](repeating: 0, count: stateSize - 4) }
        }
        try NumPyArchive([
            ("context", NumPyArray(doubles: pad(context), shape: [k, stateSize])),
            ("futures", NumPyArray(doubles: pad(futures), shape: [K, H, stateSize])),
            ("energies", NumPyArray(doubles: energies, shape: [K])),
            ("truth", NumPyArray(doubles: pad(truth), shape: [4, stateSize])),
            ("baseline", NumPyArray(doubles: pad(feedforward), shape: [H, stateSize])),
        ]).write(to: URL(fileURLWithPath: path))
    }
}

final class PredictionSceneTests: XCTestCase {
    let directory = NSTemporaryDirectory() + "scene-prediction-\(getpid())"

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    func reacherScene() throws -> (RobotModel, PredictionScene) {
        let model = try RobotModel.load("reacher2")
        let path = directory + "/p.npz"
        try ReacherPrediction.write(to: path)
        let file = try PredictionFile(contentsOf: path, nq: 2, nv: 2, nsite: model.nsite, robot: "reacher2")
        XCTAssertEqual([file.contextLength, file.count, file.horizon, file.stateSize], [3, 2, 5, 4])
        return (model, try PredictionScene(model: model, prediction: file))
    }

    /// The fingertip sphere of each layer's robot sits where the closed form puts it at that step.
    func testLayersPlaceRobotsAtTheirStates() throws {
        let (model, scenes) = try reacherScene()
        let tipGeom = try XCTUnwrap(model.index(of: .geom, named: "fingertip"))
        let step = 2
        let scene = try scenes.scene(step: step)
        func tips(_ layer: Layer) -> [Drawable] { scene.drawables.filter { $0.layer == layer && $0.geom == tipGeom }.sorted { $0.instance < $1.instance } }

        // the last context state is the solid robot; the earlier ones are faded context
        XCTAssertEqual(tips(.robot).count, 1)
        assertClose(tips(.robot)[0].position, reacherFingertip(0.2, 0.2))
        XCTAssertEqual(tips(.context).map(\.instance), [0, 1])
        assertClose(tips(.context)[1].position, reacherFingertip(0.1, 0.2))
        // the real future, each sampled future and the feedforward prediction at the step
        assertClose(try XCTUnwrap(tips(.future).first).position, reacherFingertip(0.5, 0.2))
        XCTAssertEqual(tips(.ghost).count, 2)
        for (c, d) in tips(.ghost).enumerated() {
            let (q0, q1) = ReacherPrediction.futureQ(c, step)
            assertClose(d.position, reacherFingertip(q0, q1), positionTolerance, "ghost \(c)")
        }
        assertClose(try XCTUnwrap(tips(.prediction).first).position, reacherFingertip(-0.6, 1.2))
        // past the real future's end (4 states) it stays at its last state
        let late = try scenes.scene(step: 4)
        let truthTip = try XCTUnwrap(late.drawables.first { $0.layer == .future && $0.geom == tipGeom })
        assertClose(truthTip.position, reacherFingertip(0.6, 0.2))

        // colours per layer from the palette
        let palette = Palette.standard
        XCTAssertEqual(tips(.ghost)[0].rgba, palette.colour(of: SIMD4(0, 0.8, 0.6, 1), on: .ghost))
        XCTAssertEqual(tips(.prediction)[0].rgba.x, 1.0, accuracy: 1e-6)
        XCTAssertEqual(tips(.prediction)[0].rgba.y, 0.55, accuracy: 1e-6)
        XCTAssertEqual(tips(.future)[0].rgba, SIMD4(0.20, 0.75, 0.35, 1))
    }

    /// Ghost trails start at the last context state's fingertip, pass through each future state's,
    /// and are coloured by energy rank (the lower energy in the ghost colour).
    func testGhostTrailsFollowFuturesAndEnergyRank() throws {
        let (_, scenes) = try reacherScene()
        let scene = try scenes.scene(step: 0)
        let ghostTrails = scene.lines.filter { $0.layer == .ghost }.sorted { $0.instance < $1.instance }
        XCTAssertEqual(ghostTrails.count, 2)
        for (c, trail) in ghostTrails.enumerated() {
            XCTAssertEqual(trail.points.count, 1 + ReacherPrediction.H)
            assertClose(trail.points[0], reacherFingertip(0.2, 0.2))
            for t in 0..<ReacherPrediction.H {
                let (q0, q1) = ReacherPrediction.futureQ(c, t)
                assertClose(trail.points[t + 1], reacherFingertip(q0, q1), 1e-9, "future \(c) state \(t)")
            }
        }
        // chain 1 has the lower energy: ghost colour; chain 0 the highest: blue
        XCTAssertEqual(ghostTrails[1].rgba, scenes.trailColour(rank: 0))
        XCTAssertEqual(ghostTrails[1].rgba, Palette.standard.lineColour(on: .ghost))
        XCTAssertEqual(ghostTrails[0].rgba, scenes.trailColour(rank: 1))
        XCTAssertGreaterThan(ghostTrails[0].rgba.z, ghostTrails[0].rgba.x)
        // feedforward and real-future trails on their layers
        XCTAssertEqual(scene.lines.filter { $0.layer == .prediction }.count, 1)
        let truthTrail = try XCTUnwrap(scene.lines.first { $0.layer == .future })
        assertClose(truthTrail.points.last!, reacherFingertip(0.6, 0.2))

        // new futures (live refinement) replace ghosts and trails
        var moved = ReacherPrediction.futures
        for i in stride(from: 0, to: moved.count, by: 4) { moved[i] = 1.0; moved[i + 1] = 0 }
        try scenes.setFutures(moved, energies: [1, 2])
        let after = try scenes.scene(step: 3)
        for trail in after.lines where trail.layer == .ghost { assertClose(trail.points.last!, reacherFingertip(1.0, 0)) }
        XCTAssertThrowsError(try scenes.setFutures([1, 2, 3], energies: nil))
    }

    func testBadPredictionFilesNameTheProblem() throws {
        let model = try RobotModel.load("reacher2")
        func load(_ path: String) throws -> PredictionFile {
            try PredictionFile(contentsOf: path, nq: 2, nv: 2, nsite: model.nsite, robot: "reacher2")
        }
        func message(_ body: () throws -> Any) -> String {
            do { _ = try body(); return "no error" } catch { return "\(error)" }
        }
        func fileError(_ body: () throws -> Any) -> FileError? {
            do { _ = try body(); return nil } catch { return FileError.of(error) }
        }
        let missing = directory + "/missing.npz"
        XCTAssertTrue(message { try load(missing) }.contains("\(missing): no such file"))
        XCTAssertEqual(fileError { try load(missing) }, FileError(.notFound, path: missing, "no such file"))
        let corrupt = directory + "/corrupt.npz"
        try "not a zip".write(toFile: corrupt, atomically: true, encoding: .utf8)
        XCTAssertTrue(message { try load(corrupt) }.contains("\(corrupt): not a readable .npz"))
        XCTAssertEqual(fileError { try load(corrupt) }?.kind, .malformed)
        XCTAssertEqual(fileError { try load(corrupt) }?.path, corrupt)
        // a prediction of a robot with S = 6 (e.g. nq = 3)
        let other = directory + "/other.npz"
        try ReacherPrediction.write(to: other, stateSize: 6)
        let m = message { try load(other) }
        XCTAssertTrue(m.contains("states have 6 numbers") && m.contains("another robot"), m)
        XCTAssertEqual(fileError { try load(other) }?.kind, .mismatched)
        XCTAssertEqual(fileError { try load(other) }?.path, other)
        // an archive without the arrays
        let wrong = directory + "/wrong.npz"
        try NumPyArchive([("qpos", NumPyArray(doubles: [0, 0], shape: [1, 2]))]).write(to: URL(fileURLWithPath: wrong))
        XCTAssertTrue(message { try load(wrong) }.contains("not an `ebm predict` file"))
        XCTAssertEqual(fileError { try load(wrong) }?.kind, .malformed)
    }
}

final class PlanSceneTests: XCTestCase {
    let directory = NSTemporaryDirectory() + "scene-plan-\(getpid())"

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    /// The layout `ebm plan` writes: qpos [T+1, nq], alternatives [K, H, S], goal [3], obstacles [O, 4].
    func testPlanPathAlternativesGoalAndObstacles() throws {
        let model = try RobotModel.load("reacher2")
        var qpos: [Double] = [], alternatives: [Double] = []
        for t in 0..<6 { qpos += [0.2 * Double(t), 0.3] }
        for k in 0..<2 { for t in 0..<3 { alternatives += [Double(k) - 0.5, 0.1 * Double(t), 0, 0] } }
        try FileManager.default.createDirectory(atPath: directory + "/run", withIntermediateDirectories: true)
        try NumPyArchive([
            ("qpos", NumPyArray(doubles: qpos, shape: [6, 2])),
            ("alternatives", NumPyArray(doubles: alternatives, shape: [2, 3, 4])),
            ("goal", NumPyArray(doubles: [0.1, 0.15, 0.01], shape: [3])),
            ("obstacles", NumPyArray(doubles: [0.05, -0.1, 0.01, 0.03], shape: [1, 4])),
        ]).write(to: URL(fileURLWithPath: directory + "/run/plan.npz"))
        let plan = try PlanFile(contentsOf: directory + "/run", nq: 2, nv: 2, robot: "reacher2")
        XCTAssertEqual([plan.steps, plan.alternativeCount, plan.horizon], [6, 2, 3])
        let scenes = try PlanScene(model: model, plan: plan)
        let scene = try scenes.scene(step: 3)
        let tipGeom = try XCTUnwrap(model.index(of: .geom, named: "fingertip"))
        let robotTip = try XCTUnwrap(scene.drawables.first { $0.layer == .robot && $0.geom == tipGeom })
        assertClose(robotTip.position, reacherFingertip(0.6, 0.3))
        // the executed path through every state's fingertip
        let path = try XCTUnwrap(scene.lines.first { $0.layer == .trail })
        XCTAssertEqual(path.points.count, 6)
        for t in 0..<6 { assertClose(path.points[t], reacherFingertip(0.2 * Double(t), 0.3)) }
        // alternatives: ghosts at their last state, with trails
        let ghostTips = scene.drawables.filter { $0.layer == .ghost && $0.geom == tipGeom }
        XCTAssertEqual(ghostTips.count, 2)
        XCTAssertTrue(ghostTips.contains { length($0.position - reacherFingertip(0.5, 0.2)) < 1e-9 })
        XCTAssertEqual(scene.lines.filter { $0.layer == .ghost }.count, 2)
        // goal and obstacle spheres
        let goals = scene.drawables.filter { $0.layer == .goal }
        XCTAssertEqual(goals.count, 2)
        assertClose(goals[0].position, SIMD3(0.1, 0.15, 0.01))
        XCTAssertEqual(goals[1].shape, .sphere(radius: 0.03))
        XCTAssertEqual(goals[1].rgba, PlanScene.obstacleColour)
    }

    /// The in-memory plan of live planning: full-state alternatives keep their positions only, and
    /// its scene matches the one of the same plan read from a file.
    func testPlanMadeInMemory() throws {
        let model = try RobotModel.load("reacher2")
        var qpos: [Double] = [], alternatives: [Double] = []
        for t in 0..<4 { qpos += [0.2 * Double(t), 0.3] }
        for k in 0..<2 { for t in 0..<3 { alternatives += [Double(k) - 0.5, 0.1 * Double(t), 9, 9] } }
        let plan = try PlanFile(executed: qpos, nq: 2, nv: 2, alternatives: alternatives, alternativeCount: 2, horizon: 3,
                                goals: [SIMD3(0.1, 0.15, 0.01)], obstacles: [(SIMD3(0.05, -0.1, 0.01), 0.03)], path: "live")
        XCTAssertEqual([plan.steps, plan.alternativeCount, plan.horizon], [4, 2, 3])
        XCTAssertEqual(plan.alternative(1), [0.5, 0, 0.5, 0.1, 0.5, 0.2])
        XCTAssertEqual(plan.state(3), [0.2 * 3, 0.3])
        let scene = try PlanScene(model: model, plan: plan).scene(step: 3)
        let path = try XCTUnwrap(scene.lines.first { $0.layer == .trail })
        for t in 0..<4 { assertClose(path.points[t], reacherFingertip(0.2 * Double(t), 0.3)) }
        XCTAssertEqual(scene.drawables.filter { $0.layer == .goal }.count, 2)
        XCTAssertThrowsError(try PlanFile(executed: [0, 0, 0], nq: 2, nv: 2, path: "live")) { XCTAssertTrue("\($0)".contains("nq = 2"), "\($0)") }
        XCTAssertThrowsError(try PlanFile(executed: [0, 0], nq: 2, nv: 2, alternatives: [1, 2, 3], alternativeCount: 1, horizon: 1, path: "live")) {
            XCTAssertTrue("\($0)".contains("alternatives"), "\($0)")
        }
    }

    func testPlanOfAnotherRobotIsRefused() throws {
        let path = directory + "/arm.npz"
        try NumPyArchive([("qpos", NumPyArray(doubles: [Double](repeating: 0, count: 21), shape: [3, 7]))]).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try PlanFile(contentsOf: path, nq: 2, nv: 2, robot: "reacher2")) {
            XCTAssertTrue("\($0)".contains("another robot") && "\($0)".contains(path), "\($0)")
            XCTAssertEqual(FileError.of($0)?.kind, .mismatched, "\($0)")
            XCTAssertEqual(FileError.of($0)?.path, path, "\($0)")
        }
        XCTAssertThrowsError(try PlanFile(contentsOf: directory + "/none.npz", nq: 2, nv: 2, robot: "reacher2")) {
            XCTAssertTrue("\($0)".contains("no such file"), "\($0)")
            XCTAssertEqual(FileError.of($0)?.kind, .notFound, "\($0)")
        }
    }
}
