import Foundation
import XCTest
import Simulation

/// The same MJCF, state, controls and integrator give MuJoCo's trajectory to round-off.
/// Needs Python's `mujoco` (scripts/install-deps.sh installs it); skipped with a message otherwise.
final class MuJoCoParityTests: XCTestCase {
    /// max |ours − MuJoCo| over every (qpos, qvel) of `model` (whose MJCF is `xml`) rolled out from
    /// (q0, v0) under `controls` (one row per step, [] for none) with `integrator` and step `dt`;
    /// skips the test when Python's mujoco is missing.
    static func parityError(_ model: RobotModel, xml: String, integrator: Integrator, dt: Double, q0: [Double], v0: [Double],
                            controls: [[Double]]) throws -> Double {
        guard let theirs = try mujocoTrajectory(xml: xml, integrator: integrator, dt: dt, q0: q0, v0: v0, controls: controls) else {
            throw XCTSkip("Python's mujoco is not installed (pip install mujoco); parity not checked")
        }
        let steps = controls.count
        let ours = try model.rollout(qpos: q0, qvel: v0, batch: 1, steps: steps, controls: controls.flatMap { $0 })
        var worst = 0.0
        for t in 0...steps {
            let q = Array(ours.qpos[t * model.nq..<(t + 1) * model.nq]), v = Array(ours.qvel[t * model.nv..<(t + 1) * model.nv])
            worst = max(worst, maxAbsDifference(q + v, theirs[t]))
        }
        return worst
    }

    static func mujocoTrajectory(xml: String, integrator: Integrator, dt: Double, q0: [Double], v0: [Double],
                          controls: [[Double]]) throws -> [[Double]]? {
        let input: [String: Any] = ["xml": xml, "integrator": integrator.rawValue, "dt": dt,
                                    "q0": q0, "v0": v0, "controls": controls]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: input), as: UTF8.self)
        let script = """
        import json, sys, mujoco
        a = json.loads(sys.argv[1])
        m = mujoco.MjModel.from_xml_string(a["xml"])
        m.opt.timestep = a["dt"]
        m.opt.integrator = getattr(mujoco.mjtIntegrator, "mjINT_" + a["integrator"].upper())
        m.opt.disableflags |= int(mujoco.mjtDisableBit.mjDSBL_CONTACT)
        d = mujoco.MjData(m)
        d.qpos[:] = a["q0"]; d.qvel[:] = a["v0"]
        out = [list(d.qpos) + list(d.qvel)]
        for u in a["controls"]:
            d.ctrl[:] = u
            mujoco.mj_step(m, d)
            out.append(list(d.qpos) + list(d.qvel))
        print(json.dumps(out))
        """
        guard let text = try runPython(script, requiring: "mujoco", arguments: [json]) else { return nil }
        return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[Double]]
    }

    func testTrajectoriesMatchMuJoCo() throws {
        var compared = 0
        for robot in ["pendulum", "cartpole", "acrobot", "pointmass2d", "reacher2", "arm7", "chain8"] {
            for integrator in Integrator.allCases {
                let xml = try RobotModel.builtinXML(robot)
                var options = try RobotModel.builtin(robot).options
                options.timestep = 0.002
                options.integrator = integrator
                let model = try RobotModel.builtin(robot).with(options: options)
                var rng = TestRandom(seed: 21)
                let q0 = model.joints.qpos0.map { $0 + rng.uniform(-0.2, 0.2) }
                let v0 = rng.vector(model.nv, -0.5, 0.5)
                // Open-loop controls recorded from gravity compensation plus a slow sinusoidal torque
                // (about 2 rad/s² of each joint's own inertia): rich motion that stays clear of joint
                // limits (parity on limit hits is measured by benchmarks/constraints_vs_mujoco.py).
                let steps = 300
                let state = try RobotState(model: model)
                try state.set(qpos: q0, qvel: v0)
                let M = state.massMatrix()
                let act = model.actuators
                var offsets: [Double] = []
                for t in 0..<steps {
                    for a in 0..<model.nu {
                        let amplitude: Double = 2 * M[act.joint[a] * (model.nv + 1)] / act.gear[a]
                        offsets.append(amplitude * sin(0.02 * Double(t) + Double(a)))
                    }
                }
                let law = FeedbackLaw(kp: act.gear.map { _ in 0 }, kd: act.gear.map { _ in 0 }, qposTarget: q0,
                                      targetPerStep: false, ctrlOffset: offsets, gravityCompensation: true)
                let recorded = try model.rollout(qpos: q0, qvel: v0, batch: 1, steps: steps, feedback: law, recordControls: true)
                let controls = (0..<steps).map { Array(recorded.ctrl[$0 * model.nu..<($0 + 1) * model.nu]) }
                let worst = try Self.parityError(model, xml: xml, integrator: integrator, dt: 0.002, q0: q0, v0: v0, controls: controls)
                XCTAssertLessThan(worst, 1e-9, "\(robot) \(integrator): max |ours − MuJoCo| = \(worst) over \(steps) steps")
                compared += 1
            }
        }
        XCTAssertEqual(compared, 7 * Integrator.allCases.count)
    }
}
