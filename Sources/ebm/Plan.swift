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
        Replans every few steps (warm-started) with K chains of H planned states, scored by goal, \
        obstacle, limit, smoothness and control-effort terms plus the learned energy of --model; \
        executes the best plan by inverse dynamics plus PD tracking. Writes DIR/plan.npz (float64: \
        qpos [T+1, nq], qvel [T+1, nv], ctrl [T, nu], sites [T+1, nsite, 3], alternatives [K, H, S] \
        and alternative_energies [K] of the first replan, replan_ms [R], goal [3], obstacles [O, 4]) \
        and DIR/summary.json with keys success, final_distance (m), steps, collisions, ms_per_replan \
        (median), routes, planner. A goal that no collision-free configuration reaches gives \
        success false and 0 steps, with the reason printed. mppi-sim / cem-sim sample control \
        sequences rolled out in the true simulator; mppi-ff / cem-ff the same rolled out by the \
        feedforward transition model of --dynamics (the model-based RL baseline).
        """)

    @Option(help: "Robot: reacher2, pointmass2d or arm7.") var robot: String
    @Option(help: "Run folder of `ebm train --model ebm` (or its .safetensors): the learned term (state planners).") var model: String?
    @Option(parsing: .unconditional, help: "Goal of the robot's site: x,y or x,y,z in m (z defaults to the site's height at the start).") var goal: String
    @Option(parsing: .unconditionalSingleValue, help: "A spherical obstacle x,y,z,r in m (repeatable).") var obstacle: [String] = []
    @Option(help: "langevin, mala, mppi, cem, mppi-sim, cem-sim, mppi-ff or cem-ff.") var planner: String = "langevin"
    @Option(help: "Output folder.") var out: String
    @Option(parsing: .unconditional, help: "Start configuration q1,q2,… (default: the model's reference pose, at rest).") var start: String?
    @Option(help: "Alternatives K (chains).") var chains: Int?
    @Option(help: "Planned states H.") var horizon: Int?
    @Option(name: .customLong("max-steps"), help: "Simulator steps before giving up.") var maxSteps: Int?
    @Option(help: "Worker threads of the simulator calls (0 = every core).") var threads: Int = 0
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "A term weight NAME=VALUE (goal, obstacle, limits, smoothness, effort, model; repeatable).") var weight: [String] = []
    @Option(help: "Optimiser steps per replan (Langevin/MALA steps, MPPI/CEM iterations).") var steps: Int?
    @Option(name: .customLong("step-size"), help: "Langevin η₀ / MALA η, in scaled plan units.") var stepSize: Double?
    @Option(name: .customLong("final-step-size"), help: "Langevin η at the last step.") var finalStepSize: Double?
    @Option(help: "Langevin σ₀ / MPPI and CEM σ, in scaled units.") var noise: Double?
    @Option(help: "mppi-ff / cem-ff: run folder of a feedforward transition model (`ebm train --model feedforward` with model.conditionOnControls).")
    var dynamics: String?
    @Option(help: "MPPI/CEM samples per iteration.") var samples: Int?
    @Option(help: "MALA temperature T (energy units).") var temperature: Double?
    @Option(name: .customLong("replan-every"), help: "Steps executed between replans.") var replanEvery: Int?
    @Option(help: "What the state planners move: accelerations (integrated into consistent plans; the default) or states.") var coordinates: String?
    @Option(name: .customLong("acceleration-scale"), parsing: .unconditional, help: "Acceleration units of the optimiser, one for every joint or one per joint (rad/s² or m/s²).")
    var accelerationScale: String?
    @Option(help: "Obstacle safety margin, in m.") var margin: Double?
    @Option(name: .customLong("gradient-clip"), help: "Per-element gradient clamp of Langevin and of MALA's drift, in scaled units.") var gradientClip: Double?
    @Option(name: .customLong("cold-start-rounds"), help: "Optimiser runs of the first replan (state planners).") var coldStartRounds: Int?
    @Flag(help: "Print every replan: distance to the goal, the best plan's energy per term, MALA's acceptance.") var verbose = false

    func validate() throws {
        guard PlannerKind(rawValue: planner) != nil else {
            throw ValidationError("--planner \(planner): expected one of \(PlannerKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let chains, chains < 1 { throw ValidationError("--chains must be at least 1") }
        if let horizon, horizon < 1 { throw ValidationError("--horizon must be at least 1") }
        if let maxSteps, maxSteps < 1 { throw ValidationError("--max-steps must be at least 1") }
    }

    static func numbers(_ text: String, flag: String, counts: [Int]) throws -> [Double] {
        let values = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard counts.contains(values.count), values.allSatisfy({ $0?.isFinite == true }) else {
            throw CLIError("\(flag) '\(text)': expected \(counts.map(String.init).joined(separator: " or ")) comma-separated numbers")
        }
        return values.map { $0! }
    }

    /// The point of `--goal x,y[,z]` (m) for the setup's site; z defaults to the site's height at `qpos`.
    static func goalPoint(_ text: String, setup: PlanningSetup, qpos: [Double]) throws -> SIMD3<Double> {
        let g = try numbers(text, flag: "--goal", counts: [2, 3])
        return try setup.goal(x: g[0], y: g[1], z: g.count == 3 ? g[2] : nil, qpos: qpos)
    }

    /// The spheres of `--obstacle x,y,z,r` flags (m).
    static func obstacles(_ texts: [String]) throws -> [Obstacle] {
        try texts.map { text -> Obstacle in
            let o = try numbers(text, flag: "--obstacle", counts: [4])
            guard o[3] > 0 else { throw CLIError("--obstacle '\(text)': the radius must be positive") }
            return .sphere(center: SIMD3(o[0], o[1], o[2]), radius: o[3])
        }
    }

    /// The feedforward transition model of a run folder or checkpoint (for mppi-ff and cem-ff),
    /// checked against the robot: it must read the robot's states and be conditioned on controls.
    static func dynamicsModel(_ path: String?, setup: PlanningSetup) throws -> FeedforwardPredictor? {
        guard let path else { return nil }
        let loaded = try FeedforwardPredictor.load(run: path, conditioned: true).model
        do { try SimulatorPlanner.checkTransitionModel(loaded, of: setup.model) } catch { throw CLIError("--dynamics \(path): \(error)") }
        return loaded
    }

    /// The energy model of a run folder or checkpoint, checked against the robot.
    static func learnedModel(_ path: String?, setup: PlanningSetup) throws -> TrajectoryEnergyModel? {
        guard let path else { return nil }
        let loaded: TrajectoryEnergyModel
        do { loaded = try TrajectoryEnergyModel.load(from: RunFolder.existingCheckpoint(path)).model } catch { throw CLIError("--model \(path): \(error)") }
        try RunFolder.requireUnconditioned(loaded.encoding, run: path)
        do { try setup.checkLearnedModel(loaded) } catch { throw CLIError("--model \(path): \(error)") }
        return loaded
    }

    func run() throws {
        try OutputPath.check(out, kind: .folder, inputs: [model, dynamics])
        try InputChecks.requireSameRobot([model, dynamics], robot: robot)
        var setup: PlanningSetup
        do { setup = try PlanningSetup.defaults(robot: robot) } catch { throw CLIError("--robot: \(error)") }
        if let chains { setup.chains = chains }
        if let horizon { setup.horizon = horizon; setup.replanEvery = min(setup.replanEvery, horizon) }
        if let maxSteps { setup.maxSteps = maxSteps }
        setup.threads = threads
        try Self.apply(weights: weight, steps: steps, stepSize: stepSize, finalStepSize: finalStepSize, noise: noise, samples: samples,
                       replanEvery: replanEvery, to: &setup)
        try Self.apply(temperature: temperature, coordinates: coordinates, accelerationScale: accelerationScale, margin: margin,
                       coldStartRounds: coldStartRounds, gradientClip: gradientClip, to: &setup)
        do { try setup.validate() } catch let e as PlanningError { throw CLIError(e.description) }
        let m = setup.model
        let q0 = try start.map { try Self.numbers($0, flag: "--start", counts: [m.nq]) } ?? m.joints.qpos0
        let goalPoint = try Self.goalPoint(goal, setup: setup, qpos: q0)
        let obstacles = try Self.obstacles(obstacle)
        let kind = PlannerKind(rawValue: planner)!
        let learned = try Self.learnedModel(model, setup: setup)
        if learned != nil && kind.plansControls { print("note: --model is not used by \(planner) (it plans controls)") }
        let transition = try Self.dynamicsModel(dynamics, setup: setup)
        if kind.needsDynamics && transition == nil { throw CLIError("--planner \(planner) needs --dynamics RUN (a feedforward model trained with model.conditionOnControls)") }
        var mpc: ModelPredictiveController
        let outcome: MPCOutcome
        do {
            mpc = try setup.controller(kind: kind, goal: goalPoint, obstacles: obstacles, learned: learned, dynamics: transition, seed: seed)
            // the run step by step, with progress on standard error (a line every few seconds when not on a terminal)
            var run = try mpc.start(qpos: q0, qvel: [Double](repeating: 0, count: m.nv))
            let bar = ProgressBar(total: setup.maxSteps, unit: "steps")
            while !run.finished {
                try mpc.step(&run)
                bar.update(run.finished ? setup.maxSteps : run.outcome.steps)
            }
            outcome = run.outcome
        } catch { throw CLIError("planning failed: \(error)") }
        try Self.write(outcome, model: m, goal: goalPoint, obstacles: obstacles, layout: mpc.replanner.layout, to: URL(fileURLWithPath: out))
        if verbose { try Self.printReplans(outcome, goal: mpc.goal, replanEvery: setup.replanEvery, nq: m.nq) }
        let status = outcome.success ? "reached the goal" : (outcome.failure?.description ?? "failed")
        print(String(format: "%@: %@ in %d steps, final distance %.4f m, %d collisions, %.2f ms per replan (median), %d routes",
                     planner, status, outcome.steps, outcome.finalDistance, outcome.collisions, outcome.medianReplanMilliseconds, outcome.routes)
              + (outcome.meanAcceptance.map { String(format: ", acceptance %.2f", $0) } ?? "") + " → " + out)
    }

    /// One line per replan: the step it planned at, the distance there, and the best plan's terms.
    static func printReplans(_ o: MPCOutcome, goal: GoalEnergy, replanEvery: Int, nq: Int) throws {
        for (r, terms) in o.replanTerms.enumerated() {
            let step = Swift.min(r * replanEvery, o.steps)
            let d = try goal.distances(qpos: Array(o.qpos[step * nq..<(step + 1) * nq]), count: 1)[0]
            let parts = terms.map { String(format: "%@ %.4g", $0.name, $0.energy) }.joined(separator: ", ")
            let acceptance = r < o.acceptance.count ? String(format: "  acceptance %.2f", o.acceptance[r]) : ""
            print(String(format: "replan %3d  step %4d  distance %.4f  %6.2f ms  ", r, step, d, 1000 * o.replanSeconds[r]) + parts + acceptance)
        }
    }

    /// The optimiser's coordinates, MALA's temperature, the obstacle margin and the cold-start rounds, from the command line.
    static func apply(temperature: Double?, coordinates: String?, accelerationScale: String?, margin: Double?, coldStartRounds: Int?,
                      gradientClip: Double?, to setup: inout PlanningSetup) throws {
        if let gradientClip {
            guard gradientClip > 0, gradientClip.isFinite else { throw CLIError("--gradient-clip must be positive") }
            (setup.gradientClip, setup.malaGradientClip) = (gradientClip, gradientClip)
        }
        if let margin {
            guard margin >= 0, margin.isFinite else { throw CLIError("--margin must be >= 0 m") }
            setup.margin = margin
        }
        if let coldStartRounds {
            guard coldStartRounds >= 1 else { throw CLIError("--cold-start-rounds must be at least 1") }
            setup.coldStartRounds = coldStartRounds
        }
        if let temperature {
            guard temperature > 0, temperature.isFinite else { throw CLIError("--temperature must be positive") }
            setup.malaTemperature = temperature
        }
        switch coordinates {
        case nil, "accelerations": break
        case "states": setup.accelerationScale = nil
        default: throw CLIError("--coordinates '\(coordinates!)': expected accelerations or states")
        }
        if let accelerationScale {
            guard coordinates != "states" else { throw CLIError("--acceleration-scale needs --coordinates accelerations") }
            let nv = setup.model.nv
            let values = try numbers(accelerationScale, flag: "--acceleration-scale", counts: nv == 1 ? [1] : [1, nv])
            guard values.allSatisfy({ $0 > 0 }) else { throw CLIError("--acceleration-scale '\(accelerationScale)': every value must be positive") }
            setup.accelerationScale = values.count == 1 ? [Double](repeating: values[0], count: nv) : values
        }
    }

    /// Overrides of the per-robot defaults, from the command line.
    static func apply(weights: [String], steps: Int?, stepSize: Double?, finalStepSize: Double?, noise: Double?, samples: Int?,
                      replanEvery: Int?, to setup: inout PlanningSetup) throws {
        for w in weights {
            let parts = w.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = Double(parts[1]), value.isFinite, value >= 0 else {
                throw CLIError("--weight '\(w)': expected NAME=VALUE with VALUE >= 0")
            }
            guard let term = PlanningSetup.Term(rawValue: parts[0]) else {
                throw CLIError("--weight '\(w)': unknown term '\(parts[0])' (\(PlanningSetup.Term.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            setup[weight: term] = value
        }
        if let steps {
            guard steps >= 1 else { throw CLIError("--steps must be at least 1") }
            setup.optimizerSteps = steps
        }
        if let stepSize { setup.langevinStepSize = stepSize; setup.malaStepSize = stepSize }
        if let finalStepSize { setup.langevinFinalStepSize = finalStepSize }
        if let noise { setup.langevinNoise = noise; setup.populationNoise = noise; setup.simNoise = noise }
        if let samples { setup.populationSamples = samples }
        if let replanEvery {
            guard (1...setup.horizon).contains(replanEvery) else { throw CLIError("--replan-every must lie in 1...\(setup.horizon)") }
            setup.replanEvery = replanEvery
        }
    }

    /// DIR/plan.npz (PlanFile's format) and DIR/summary.json (`MPCOutcome.summary`).
    static func write(_ o: MPCOutcome, model m: RobotModel, goal: SIMD3<Double>, obstacles: [Obstacle], layout: PlanLayout, to dir: URL) throws {
        do {
            try AtomicFile.createDirectory(dir)
            let spheres = obstacles.compactMap { ob -> (centre: SIMD3<Double>, radius: Double)? in
                guard case .sphere(let c, let r) = ob else { return nil }
                return (c, r)
            }
            try PlanFile.write(model: m, qpos: o.qpos, qvel: o.qvel, ctrl: o.ctrl, alternatives: o.alternatives, alternativeEnergies: o.alternativeEnergies,
                               horizon: layout.horizon, stateSize: layout.stateSize, replanMilliseconds: o.replanSeconds.map { $0 * 1000 },
                               goal: goal, obstacles: spheres, to: dir.appendingPathComponent("plan.npz"))
            try AtomicFile.write(Array((o.summary.serialized() + "\n").utf8), to: dir.appendingPathComponent("summary.json"))
        } catch { throw CLIError("\(dir.path): \(error)") }
    }
}
