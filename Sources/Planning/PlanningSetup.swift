// PlanningSetup: a ready-made planning problem for a robot — the objective's terms and weights,
// the planner chosen by name, the tracker and the MPC loop — with per-robot defaults that the
// CLI and the benchmark share. Library users can start here and change any field.

import EnergyModels
import Foundation
import Simulation

/// The planners, by the names of `ebm plan --planner`.
public enum PlannerKind: String, CaseIterable, Sendable {
    /// Annealed Langevin / MALA / MPPI / CEM over planned states with the composed objective.
    case langevin, mala, mppi, cem
    /// MPPI / CEM over controls with rollouts of the true simulator.
    case mppiSim = "mppi-sim", cemSim = "cem-sim"
    /// MPPI / CEM over controls with rollouts of a learned feedforward transition model.
    case mppiFF = "mppi-ff", cemFF = "cem-ff"

    /// Plans controls (the simulator or feedforward baselines), not states.
    public var plansControls: Bool { [.mppiSim, .cemSim, .mppiFF, .cemFF].contains(self) }
    /// Needs a feedforward transition model (`dynamics`).
    public var needsDynamics: Bool { self == .mppiFF || self == .cemFF }
}

/// Everything that defines a planning run; `init(preset:)` fills it for the built-in robots and
/// `init(model:site:like:)` for any robot (PlanningSetup+Preset.swift).
public struct PlanningSetup {
    /// The robot as the planner and the executor step it (timestep and substeps of its plan dataset).
    public var model: RobotModel
    /// Site whose position is steered to the goal.
    public var site: String
    public var horizon: Int, chains: Int, replanEvery: Int, maxSteps: Int
    /// Success radius, in m.
    public var tolerance: Double
    /// Optimiser scale per state coordinate (S): rad or m, then rad/s or m/s.
    public var scale: [Double]
    /// Term weights.
    public var goalWeight: Double, obstacleWeight: Double, limitWeight: Double, smoothnessWeight: Double, effortWeight: Double, modelWeight: Double
    /// Obstacle safety margin, in m.
    public var margin: Double
    /// Velocity limit for the limit term, in rad/s or m/s.
    public var velocityLimit: Double
    /// Natural frequency of the PD tracking, in rad/s.
    public var trackingFrequency: Double
    /// Langevin: steps, η₀ → η_final, σ, clamp; MALA: steps, η, T; MPPI/CEM: iterations × samples, σ.
    public var langevinSteps = 20, langevinStepSize = 0.1, langevinFinalStepSize = 0.01, langevinNoise = 0.05, gradientClip = 10.0
    public var malaSteps = 20, malaStepSize = 0.03, malaTemperature = 0.1, malaGradientClip = 1.0
    public var populationIterations = 6, populationSamples = 64, populationNoise = 0.2, cemElites = 8
    /// Simulator baselines: control effort weight per unit control², and the noise in half control ranges.
    public var simEffortWeight = 0.01, simNoise = 0.5
    /// Spread of the first replan's chains around "stay", in scaled units: wide enough to leave a
    /// singular pose (reacher2 stretched out) and to seed different routes.
    public var initialSpread = 0.5
    /// Bridge threads (0 = every core; 1 for the one-core timing).
    public var threads = 0
    /// Optimiser runs of a state planner's first (cold) replan.
    public var coldStartRounds = 1
    /// State planners move accelerations in these units (nv numbers, rad/s² or m/s²: about what
    /// the actuators can give), integrated into consistent plans; nil: scaled states (`scale`).
    public var accelerationScale: [Double]? = nil

    /// What the state planners' optimisers move.
    public var coordinates: PlanCoordinates {
        accelerationScale.map { .accelerations(scale: $0) } ?? .states(scale: scale)
    }

    /// The MPC loop for `kind` toward `goal` (m) among `obstacles`, with the learned energy model as
    /// a term when given (state planners only); `dynamics` is the feedforward transition model
    /// that `mppi-ff` and `cem-ff` roll out (required by them, unused by the others).
    public func controller(kind: PlannerKind, goal: SIMD3<Double>, obstacles: [Obstacle], learned: TrajectoryEnergyModel?,
                           dynamics: FeedforwardPredictor? = nil, seed: UInt64) throws -> ModelPredictiveController {
        guard let siteIndex = model.index(of: .site, named: site) else { throw PlanningError.invalidArgument("\(model.source) has no site '\(site)'") }
        let layout = try PlanLayout(horizon: horizon, nq: model.nq, nv: model.nv, timestep: model.options.timestep)
        let goalTerm = try GoalEnergy(model: model, target: .site(siteIndex, position: goal), layout: layout, threads: threads)
        let limits = try LimitEnergy(model: model, layout: layout, velocityLimit: [velocityLimit])
        let obstacleTerm = obstacles.isEmpty ? nil :
            try ObstacleEnergy(geometry: CollisionGeometry(robot: model), obstacles: obstacles, margin: margin, layout: layout, threads: threads)
        var analytic: [(weight: Double, term: any PlanEnergy)] = [(goalWeight, goalTerm), (limitWeight, limits)]
        if let obstacleTerm { analytic.append((obstacleWeight, obstacleTerm)) }
        let replanner: any Replanner
        switch kind {
        case .mppiSim, .cemSim, .mppiFF, .cemFF:
            if kind.needsDynamics && dynamics == nil { throw PlanningError.invalidArgument("\(kind.rawValue) needs a feedforward transition model (controls-conditioned)") }
            let objective = try PlanObjective(analytic)
            let method: SimulatorPlanner.Method = kind == .mppiSim || kind == .mppiFF
                ? .mppi(MPPIPlanOptimizer(iterations: populationIterations, samples: populationSamples, noise: simNoise, name: kind.rawValue))
                : .cem(CEMPlanOptimizer(iterations: populationIterations, samples: populationSamples, elites: cemElites, noise: simNoise, name: kind.rawValue))
            replanner = try SimulatorPlanner(model: model, objective: objective, method: method, effortWeight: simEffortWeight, chains: chains,
                                             threads: threads, dynamics: kind.needsDynamics ? dynamics : nil)
        default:
            var terms = analytic
            terms.append((smoothnessWeight, try SmoothnessEnergy(layout: layout, consistency: 1, acceleration: 1)))
            if effortWeight > 0 { terms.append((effortWeight, try ControlEffortEnergy(model: model, layout: layout, threads: threads))) }
            if let learned { terms.append((modelWeight, try LearnedDynamicsEnergy(model: learned, layout: layout))) }
            let optimizer: any PlanOptimizer
            switch kind {
            case .langevin: optimizer = LangevinPlanOptimizer(steps: langevinSteps, stepSize: langevinStepSize, finalStepSize: langevinFinalStepSize,
                                                              noise: langevinNoise, gradientClip: gradientClip)
            case .mala: optimizer = MALAPlanOptimizer(steps: malaSteps, stepSize: malaStepSize, temperature: malaTemperature, gradientClip: malaGradientClip)
            case .mppi: optimizer = MPPIPlanOptimizer(iterations: populationIterations, samples: populationSamples, noise: populationNoise)
            default: optimizer = CEMPlanOptimizer(iterations: populationIterations, samples: populationSamples, elites: cemElites, noise: populationNoise)
            }
            var planner = try StatePlanner(objective: try PlanObjective(terms), optimizer: optimizer,
                                           tracker: try PlanTracker(model: model, naturalFrequency: trackingFrequency, threads: threads),
                                           coordinates: coordinates, chains: chains, initialSpread: initialSpread)
            planner.coldStartRounds = coldStartRounds
            replanner = planner
        }
        let spread = Array(scale.prefix(model.nq)).map { $0 * 2 }
        let feasibility = try FeasibilityCheck(goal: goalTerm, obstacles: obstacleTerm, limits: limits, tolerance: tolerance, spread: spread, seed: seed)
        return try ModelPredictiveController(model: model, replanner: replanner, goal: goalTerm, obstacles: obstacleTerm,
                                             settings: MPCSettings(replanEvery: replanEvery, maxSteps: maxSteps, tolerance: tolerance,
                                                                   historyLength: max(learned?.encoding.contextLength ?? 1, dynamics?.encoding.contextLength ?? 1, 1), seed: seed),
                                             feasibility: feasibility)
    }
}
