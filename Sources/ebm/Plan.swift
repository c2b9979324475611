import ArgumentParser
import EnergyModels
import Foundation
import Planning
import Scene
import Simulation
import Trajectories

/// `ebm plan`: plan toward a goal by sampling low-energy futures and execute in the simulator (MPC).
struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Plan to a goal (Langevin, MALA, MPPI, CEM, or MPPI/CEM over simulator or learned-model rollouts) and execute it in the simulator.",
        discussion: """
        Replans every few steps with K chains of H planned states (goal, obstacle, limit, smoothness, effort \
        terms and --model's learned energy) and executes the best plan by inverse dynamics plus PD tracking. \
        mppi-sim / cem-sim roll control sequences out in the simulator, mppi-ff / cem-ff in --dynamics' \
        feedforward model. Writes DIR/plan.npz (qpos, qvel, ctrl, sites, alternatives, alternative_energies, \
        replan_ms, goal, obstacles) and DIR/summary.json (success, final_distance, steps, collisions, \
        ms_per_replan, routes, planner). An unreachable goal gives success false and 0 steps, with the reason.
        """)

    @Option(help: "Robot: reacher2, pointmass2d or arm7.") var robot: String
    @Option(help: "Run folder of `ebm train --model ebm` (or its .safetensors): the learned term (state planners).") var model: String?
    @Option(parsing: .unconditional, help: "Goal of the robot's site: x,y or x,y,z in m (z defaults to the site's height at the start).") var goal: NumberList
    @Option(parsing: .unconditionalSingleValue, help: "A spherical obstacle x,y,z,r in m (repeatable).") var obstacle: [NumberList] = []
    @Option(help: "langevin, mala, mppi, cem, mppi-sim, cem-sim, mppi-ff or cem-ff.") var planner: PlannerKind = .langevin
    @Option(help: "Output folder.") var out: String
    @Option(parsing: .unconditional, help: "Start configuration q1,q2,… (default: the model's reference pose, at rest).") var start: NumberList?
    @Option(help: "Alternatives K (chains).") var chains: Int?
    @Option(help: "Planned states H.") var horizon: Int?
    @Option(name: .customLong("max-steps"), help: "Simulator steps before giving up.") var maxSteps: Int?
    @Option(help: "Worker threads of the simulator calls (0 = every core).") var threads: Int = 0
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @OptionGroup var tuning: PlannerOptions
    @Option(help: "mppi-ff / cem-ff: run folder of a feedforward transition model (`ebm train --model feedforward` with model.conditionOnControls).")
    var dynamics: String?
    @Option(name: .customLong("replan-every"), help: "Steps executed between replans.") var replanEvery: Int?
    @Option(name: .customLong("acceleration-scale"), parsing: .unconditional, help: "Acceleration units of the optimiser, one for every joint or one per joint (rad/s² or m/s²).")
    var accelerationScale: NumberList?
    @Flag(help: "Print every replan: distance to the goal, the best plan's energy per term, MALA's acceptance.") var verbose = false

    func validate() throws {
        if let chains, chains < 1 { throw ValidationError("--chains must be at least 1") }
        if let horizon, horizon < 1 { throw ValidationError("--horizon must be at least 1") }
        if let maxSteps, maxSteps < 1 { throw ValidationError("--max-steps must be at least 1") }
    }

    func run() throws {
        try OutputPath.check(out, kind: .folder, inputs: [model, dynamics])
        try RunFolder.requireSameRobot([model, dynamics], robot: robot)
        var setup: PlanningSetup
        do { setup = try PlanningSetup.defaults(robot: robot) } catch { throw CLIError.failed("--robot: \(error)") }
        let nv = setup.model.nv
        try tuning.apply(to: &setup) { o in
            (o.chains, o.horizon, o.maxSteps, o.threads, o.replanEvery) = (chains, horizon, maxSteps, threads, replanEvery)
            // parsed only where it can apply: with --coordinates states the overrides refuse any scale
            let states = o.coordinates == .states
            o.accelerationScale = try accelerationScale.map { states ? [] : try $0.positiveValues(counts: nv == 1 ? [1] : [1, nv], what: "every value", flag: "--acceleration-scale") }
        }
        try setup.validate()
        let m = setup.model
        let q0 = try start?.values(counts: [m.nq], flag: "--start") ?? m.joints.qpos0
        let goalPoint = try setup.goal(goal, qpos: q0)
        let obstacles = try obstacle.map { try $0.sphere() }
        let learned = try setup.learnedModel(model)
        if learned != nil && planner.plansControls { print("note: --model is not used by \(planner.rawValue) (it plans controls)") }
        let transition = try setup.transitionModel(dynamics)
        if planner.needsDynamics && transition == nil { throw CLIError.failed("--planner \(planner.rawValue) needs --dynamics RUN (a feedforward model trained with model.conditionOnControls)") }
        var mpc: ModelPredictiveController
        let outcome: MPCOutcome
        do {
            mpc = try setup.controller(kind: planner, goal: goalPoint, obstacles: obstacles, learned: learned, dynamics: transition, seed: seed)
            // the run step by step, with progress on standard error (a line every few seconds when not on a terminal)
            let bar = ProgressBar(total: setup.maxSteps, unit: "steps")
            outcome = try mpc.run(qpos: q0, qvel: [Double](repeating: 0, count: m.nv)) { bar.update($0.finished ? setup.maxSteps : $0.outcome.steps) }
        } catch { throw CLIError.failed("planning failed: \(error)") }
        do {
            try outcome.write(toFolder: URL(fileURLWithPath: out), model: m, goal: goalPoint, obstacles: obstacles, layout: mpc.replanner.layout)
        } catch { throw CLIError.file(FileError(wrapping: error, path: URL(fileURLWithPath: out).path, default: .writeFailed)) }
        if verbose { try outcome.replanLines(goal: mpc.goal, replanEvery: setup.replanEvery, nq: m.nq).forEach { print($0) } }
        let status = outcome.success ? "reached the goal" : (outcome.failure?.description ?? "failed")
        print(String(format: "%@: %@ in %d steps, final distance %.4f m, %d collisions, %.2f ms per replan (median), %d routes",
                     planner.rawValue, status, outcome.steps, outcome.finalDistance, outcome.collisions, outcome.medianReplanMilliseconds, outcome.routes)
              + (outcome.meanAcceptance.map { String(format: ", acceptance %.2f", $0) } ?? "") + " → " + out)
    }
}
