// example-rollout: 64 reacher2 trajectories of 200 steps in one batched call, each under its own
// sinusoidal open-loop controls; prints where each fingertip ends up, as JSON.
import Foundation
import Simulation

let model = try RobotModel.load(CommandLine.arguments.dropFirst().first ?? "reacher2")
let (batch, steps) = (64, 200)
// controls [batch, steps, nu]: a different frequency per trajectory
let controls = (0..<batch).flatMap { b in
    (0..<steps * model.nu).map { i in 0.5 * sin(0.02 * Double(b + 1) * Double(i / model.nu) + Double(i % model.nu)) }
}
let start = [Double](repeating: 0, count: batch * model.nq), rest = [Double](repeating: 0, count: batch * model.nv)
let rollout = try model.rollout(qpos: start, qvel: rest, batch: batch, steps: steps, controls: controls)
// sites [batch, steps + 1, nsite, 3]: the first site of each trajectory's last state
let finals = (0..<batch).map { b in Array(rollout.sites[((b * (steps + 1) + steps) * model.nsite) * 3..<((b * (steps + 1) + steps) * model.nsite) * 3 + 3]) }
let json = try JSONSerialization.data(withJSONObject: ["robot": model.source, "batch": batch, "steps": steps, "final_sites": finals], options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
