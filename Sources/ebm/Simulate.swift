import ArgumentParser
import Foundation
import Simulation
import Trajectories

/// `ebm simulate`: roll out any model from given initial states under given controls, so users
/// can check the simulator against their own.
struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Roll out a model (built-in robot or MJCF file) and write qpos, qvel and sites as .npz.",
        discussion: """
        --initial FILE.npz holds qpos [B, nq] and optionally qvel [B, nv] (zeros when absent);
        without it one trajectory starts at rest in the reference pose. --controls FILE.npy holds
        ctrl [B, N, nu] (zeros when absent). The output holds qpos [B, N+1, nq], qvel [B, N+1, nv],
        sites [B, N+1, nsite, 3], ctrl [B, N, nu] (as applied, clamped) and time [N+1].
        """)

    @Argument(help: "Built-in robot name (pendulum, cartpole, acrobot, pointmass2d, reacher2, arm7, chainN), MJCF or URDF file.")
    var model: String
    @Option(name: .customLong("package-path"), help: "A directory holding a URDF's package:// packages (repeatable; then ROS_PACKAGE_PATH).")
    var packagePath: [String] = []
    @Option(help: "Number of steps N.") var steps: Int
    @Option(help: "Timestep in seconds (default: the model's).") var dt: Double?
    @Option(help: "Integrator: euler, rk4, implicit or implicitfast (default: the model's).") var integrator: Integrator?
    @Option(help: "Integration substeps per step.") var substeps: Int = 1
    @Option(help: "Initial states: .npz with qpos [B, nq] and optional qvel [B, nv].") var initial: String?
    @Option(help: "Start from the model's keyframe of this name (MJCF <key name=...>).") var keyframe: String?
    @Option(help: "Controls: .npy of shape [B, N, nu].") var controls: String?
    @Option(help: "Worker threads (0 = every core).") var threads: Int = 0
    @Option(help: "Output .npz file.") var out: String

    func validate() throws {
        guard steps >= 0 else { throw ValidationError("--steps \(steps) must be >= 0") }
        if let dt, !(dt > 0 && dt.isFinite) { throw ValidationError("--dt \(dt) must be a positive number of seconds") }
        guard (1...Recipe.Limits.substeps).contains(substeps) else { throw ValidationError("--substeps \(substeps) must be in 1...\(Recipe.Limits.substeps)") }
        guard threads >= 0 else { throw ValidationError("--threads \(threads) must be >= 0") }
        if initial != nil && keyframe != nil { throw ValidationError("give --initial or --keyframe, not both") }
    }

    func run() throws {
        try OutputPath.check(out, inputs: [model, initial, controls])
        let loaded = try RobotModel.load(model, packagePath: packagePath)
        var options = loaded.options
        if let dt { options.timestep = dt }
        if let integrator { options.integrator = integrator }
        options.substeps = substeps
        let robot = try loaded.with(options: options)
        let nu = robot.nu

        let (qpos, qvel, batch) = try RolloutFile.initialStates(model: robot, keyframe: keyframe, file: initial)
        let ctrl = try controls.map { try RolloutFile.controls(contentsOf: $0, batch: batch, steps: steps, nu: nu) }
        try DatasetGenerator.requireMemory(episodes: batch, steps: steps, model: robot, copies: 3, advice: "lower --steps or the batch")
        let (rollout, failed) = try robot.rolloutKeepingFinite(qpos: qpos, qvel: qvel, batch: batch, steps: steps, controls: ctrl, threads: threads)
        try RolloutFile.write(rollout, model: robot, batch: batch, steps: steps, failed: failed, to: URL(fileURLWithPath: out))
        if !failed.isEmpty {
            throw CLIError.failed("\(out): trajectories \(failed.map(String.init).joined(separator: ", ")) of \(batch) went non-finite (NaN in the file, "
                           + "marked in 'failed'); the other \(batch - failed.count) are written")
        }
        print("wrote \(out): \(batch) trajectories × \(steps) steps of \(robot.source) "
              + "(dt \(options.timestep) s, \(options.integrator.rawValue)); sites: \(robot.names(.site).joined(separator: ", "))")
    }
}
