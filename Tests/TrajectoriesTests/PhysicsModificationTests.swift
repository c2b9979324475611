import Foundation
import Simulation
import XCTest
@testable import Trajectories

/// Recipe `physics`: each scale changes what it claims in the MJCF, the compiled model, the model
/// hash and the dynamics, and nothing else.
final class PhysicsModificationTests: XCTestCase {
    let reacher = try! RobotModel.builtinXML("reacher2")

    /// The reacher2-tiny recipe with a `physics` object spliced in.
    func tinyRecipe(physics: String?) throws -> Recipe {
        var text = try String(contentsOf: repositoryRoot.appendingPathComponent("trajectories/reacher2-tiny.json"), encoding: .utf8)
        if let physics { text = text.replacingOccurrences(of: "\"process_noise\": 0", with: "\"process_noise\": 0, \"physics\": \(physics)") }
        return try recipe(text, file: "reacher2-tiny-shifted.json")
    }

    func testMassScaleDoublesLinkMassesAndTheirShareOfTheMassMatrix() throws {
        let original = try RobotModel(xml: reacher)
        let doubled = try RobotModel(xml: try PhysicsModification(massScale: 2).apply(toMJCF: reacher))
        for (a, b) in zip(original.bodies.mass, doubled.bodies.mass) { XCTAssertEqual(b, 2 * a, accuracy: 1e-12 * max(1, a)) }
        XCTAssertGreaterThan(original.bodies.mass[1], 0.01)
        // M(q) = armature·I + link part: only the link part doubles (armature is a rotor inertia)
        let q = [0.3, -0.7], v = [0.0, 0.0]
        let (s0, s1) = (try RobotState(model: original), try RobotState(model: doubled))
        try s0.set(qpos: q, qvel: v); try s1.set(qpos: q, qvel: v)
        let (m0, m1) = (s0.massMatrix(), s1.massMatrix())
        for i in 0..<2 {
            for j in 0..<2 {
                let armature = i == j ? 1.0 : 0.0
                XCTAssertEqual(m1[i * 2 + j] - armature, 2 * (m0[i * 2 + j] - armature), accuracy: 1e-10)
            }
        }
        XCTAssertGreaterThan(abs(m1[0] - m0[0]), 1e-4)
    }

    func testDampingAndGearScalesChangeTheDynamicsAsPredicted() throws {
        let base = try RobotModel(xml: reacher)
        let damped = try RobotModel(xml: try PhysicsModification(dampingScale: 5).apply(toMJCF: reacher))
        let geared = try RobotModel(xml: try PhysicsModification(gearScale: 0.5).apply(toMJCF: reacher))
        XCTAssertEqual(geared.actuators.gear, base.actuators.gear.map { $0 * 0.5 })
        // damping: at velocity v with no force, qacc = −M⁻¹ d v; five times the damping, five times the qacc
        let q = [0.2, 0.4], v = [1.0, -2.0]
        let a0 = try base.forwardDynamics(qpos: q, qvel: v, qfrc: nil, batch: 1)
        let a1 = try damped.forwardDynamics(qpos: q, qvel: v, qfrc: nil, batch: 1)
        // the Coriolis part does not scale: (a1 − a_undamped) = 5 · (a0 − a_undamped)
        let coriolisOnly = try RobotModel(xml: try PhysicsModification(dampingScale: 0).apply(toMJCF: reacher))
            .forwardDynamics(qpos: q, qvel: v, qfrc: nil, batch: 1)
        for i in 0..<2 { XCTAssertEqual(a1[i] - coriolisOnly[i], 5 * (a0[i] - coriolisOnly[i]), accuracy: 1e-9) }
        XCTAssertGreaterThan(abs(a0[0] - coriolisOnly[0]), 0.1)
    }

    func testRecipePhysicsChangesTheModelHashAndTheEpisodesButNotTheSeeds() throws {
        let plain = try DatasetGenerator(recipe: tinyRecipe(physics: nil))
        let geared = try DatasetGenerator(recipe: tinyRecipe(physics: "{\"gear_scale\": 0.5}"))
        let heavy = try DatasetGenerator(recipe: tinyRecipe(physics: "{\"mass_scale\": 2}"))
        XCTAssertNotEqual(plain.modelHash, geared.modelHash)
        XCTAssertNotEqual(plain.modelHash, heavy.modelHash)
        XCTAssertNotEqual(geared.modelHash, heavy.modelHash)
        XCTAssertEqual(plain.modelHash, SHA256.hex(Array(reacher.utf8)))
        let (a, b) = (try plain.generate(.test), try geared.generate(.test))
        XCTAssertEqual(a.goal, b.goal)
        XCTAssertEqual(a.episodeSeed, b.episodeSeed)
        XCTAssertEqual(Array(a.state(episode: 0, step: 0)), Array(b.state(episode: 0, step: 0)))
        // half the gear: the PD torque halves, the arm lags behind the unshifted one mid-move
        let mid = 16
        let lag = zip(a.state(episode: 0, step: mid).prefix(2), b.state(episode: 0, step: mid).prefix(2)).map { abs($0 - $1) }.max()!
        XCTAssertGreaterThan(lag, 0.01)
        guard case .object(let physics)? = plain.meta(projectVersion: "t")["recipe"]?["physics"] ?? .object([]) else { return XCTFail() }
        XCTAssertTrue(physics.isEmpty)
        XCTAssertEqual(geared.meta(projectVersion: "t")["model_sha256"], .string(geared.modelHash))
    }

    /// arm7-goals4's controller is model-based (gravity compensation, inverse-dynamics feedforward,
    /// gains from the mass matrix): rebuilt from a heavier arm it compensates most of the change (what
    /// remains comes from its torque limits); built from the nominal arm (`controller_model: nominal`)
    /// it does not, and the states move about 4× as far from the unshifted ones.
    func testANominalControllerShowsAMassChangeARetunedOneCompensates() throws {
        var text = try String(contentsOf: repositoryRoot.appendingPathComponent("trajectories/arm7-goals4.json"), encoding: .utf8)
        text = text.replacingOccurrences(of: "\"test\": 100", with: "\"test\": 6")
        func generate(_ physics: String?) throws -> TrajectoryDataset {
            let shifted = physics.map { text.replacingOccurrences(of: "\"process_noise\": 0", with: "\"process_noise\": 0, \"physics\": \($0)") } ?? text
            return try DatasetGenerator(recipe: recipe(shifted, file: "arm7-shifted.json")).generate(.test)
        }
        let plain = try generate(nil)
        let retuned = try generate("{\"mass_scale\": 2}")
        let nominal = try generate("{\"mass_scale\": 2, \"controller_model\": \"nominal\"}")
        // mean joint-angle difference from the unshifted episodes, over every state
        func gap(_ d: TrajectoryDataset) -> Double {
            var sum = 0.0
            for e in 0..<d.episodes {
                for t in 0...d.steps {
                    let (x, y) = (Array(d.state(episode: e, step: t)), Array(plain.state(episode: e, step: t)))
                    for j in 0..<7 { sum += abs(x[j] - y[j]) }
                }
            }
            return sum / Double(d.episodes * (d.steps + 1) * 7)
        }
        XCTAssertEqual(plain.episodeSeed, nominal.episodeSeed)
        XCTAssertGreaterThan(gap(nominal), 2.5 * gap(retuned), "nominal \(gap(nominal)), retuned \(gap(retuned))")
        XCTAssertGreaterThan(gap(nominal), 0.02)
        XCTAssertThrowsError(try generate("{\"mass_scale\": 2, \"controller_model\": \"old\"}")) { error in
            XCTAssertTrue("\(error)".contains("physics.controller_model"), "\(error)")
        }
    }

    func testIdentityKeepsTheTextAndBadFieldsNameTheField() throws {
        XCTAssertEqual(try PhysicsModification().apply(toMJCF: reacher), reacher)
        XCTAssertThrowsError(try tinyRecipe(physics: "{\"mass\": 2}")) { error in
            XCTAssertTrue("\(error)".contains("physics.mass: unknown field"), "\(error)")
        }
        XCTAssertThrowsError(try tinyRecipe(physics: "{\"gear_scale\": 0}")) { error in
            XCTAssertTrue("\(error)".contains("physics.gear_scale"), "\(error)")
        }
        // a model without a <default>: one is added so inherited densities scale too
        let bare = "<mujoco model=\"m\"><worldbody><body name=\"b\"><joint name=\"j\" type=\"hinge\" axis=\"0 0 1\"/><geom type=\"sphere\" size=\"0.1\"/></body></worldbody><actuator><motor joint=\"j\"/></actuator></mujoco>"
        let changed = try PhysicsModification(massScale: 3, gearScale: 2).apply(toMJCF: bare)
        let (m0, m1) = (try RobotModel(xml: bare), try RobotModel(xml: changed))
        XCTAssertEqual(m1.bodies.mass[1], 3 * m0.bodies.mass[1], accuracy: 1e-12)
        XCTAssertEqual(m1.actuators.gear, [2])
    }
}
