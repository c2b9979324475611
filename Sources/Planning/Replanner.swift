// Replanner: one planning step of a receding-horizon controller — plans from the current state
// and says what to execute next: track planned states (inverse dynamics + PD), or apply controls.

import Foundation
import Sampling
import Simulation

/// What the executor does for the next n steps.
public enum PlannedAction: Sendable {
    /// Track planned states: PD toward targets qpos (n, nq), qvel (n, nv) plus the feedforward
    /// controls (n, nu) from inverse dynamics of the plan.
    case track(qpos: [Double], qvel: [Double], feedforward: [Double])
    /// Apply controls (n, nu) open loop.
    case controls([Double])
}

/// One replanning step's result.
public struct Replan: Sendable {
    public var action: PlannedAction
    /// The K alternative plans (K, H, S), ranked by energy, best first.
    public var alternatives: [Double]
    /// Their energies (K), ascending.
    public var energies: [Double]
    /// The best plan's weighted energy per objective term, in the objective's order (empty for
    /// planners without one): which expert dominates, and whether two of them fight.
    public var terms: [(name: String, energy: Double)] = []
    /// Share of proposals accepted (MALA; nil otherwise).
    public var acceptance: Double? = nil
}

/// Plans from the current state; keeps what it needs for a warm start between calls.
public protocol Replanner {
    var name: String { get }
    var layout: PlanLayout { get }
    /// Plans after `start` and returns the action for the next `steps` steps (≤ H).
    mutating func replan(start: PlanStart, steps: Int, seed: UInt64) throws -> Replan
    /// Forgets the warm start (a new episode).
    mutating func reset()
}

/// Controls from planned states: uₜ = [RNEA(q*ₜ, v*ₜ, a*ₜ) + kp (q*ₜ − q) + kd (v*ₜ − v)] / gear (the bridge's
/// inverse dynamics already includes the passive joint forces),
/// a*ₜ = (v*ₜ₊₁ − v*ₜ)/Δt, the PD part evaluated inside the simulator's step loop.
public struct PlanTracker: Sendable {
    public let model: RobotModel
    /// PD gains per actuator (nu): force per unit of joint error, per unit of velocity error.
    public var kp: [Double], kd: [Double]
    public var threads: Int

    /// Gains from the mass matrix at `qpos`: kp = M_jj ω², kd = 2ζ M_jj ω (ω in rad/s).
    public init(model: RobotModel, naturalFrequency omega: Double, dampingRatio zeta: Double = 1, qpos: [Double]? = nil, threads: Int = 0) throws {
        let state = try RobotState(model: model)
        try state.set(qpos: qpos ?? model.joints.qpos0, qvel: [Double](repeating: 0, count: model.nv))
        let M = state.massMatrix(), joint = try model.actuatedDofs()
        kp = joint.map { M[$0 * model.nv + $0] * omega * omega }
        kd = joint.map { 2 * zeta * M[$0 * model.nv + $0] * omega }
        (self.model, self.threads) = (model, threads)
    }

    /// The tracking action for the first `steps` steps of `plan` (H, S) after `current` (S).
    public func action(plan: [Double], current: [Double], steps n: Int, layout: PlanLayout) throws -> PlannedAction {
        let (S, nq, nv, dt) = (layout.stateSize, layout.nq, layout.nv, layout.timestep)
        func state(_ t: Int) -> ArraySlice<Double> { t == 0 ? current[0..<S] : plan[(t - 1) * S..<t * S] }
        var q = [Double](), v = [Double](), a = [Double]()
        for t in 0..<n {
            let (s0, s1) = (state(t), state(t + 1))
            q += s0.prefix(nq)
            v += s0.suffix(nv)
            a += zip(s1.suffix(nv), s0.suffix(nv)).map { ($0 - $1) / dt }
        }
        let tau = try model.inverseDynamics(qpos: q, qvel: v, qacc: a, batch: n, threads: threads)
        let act = model.actuators
        var u = [Double](repeating: 0, count: n * model.nu)
        for t in 0..<n { for (k, j) in act.joint.enumerated() { u[t * model.nu + k] = tau[t * nv + j] / act.gear[k] } }
        return .track(qpos: q, qvel: v, feedforward: u)
    }
}

/// Plans over states with a `PlanObjective` and any `PlanOptimizer` (Langevin, MALA, MPPI, CEM)
/// in the given `PlanCoordinates`, executes the best plan by `PlanTracker`; warm-starts each
/// replan from the previous points shifted by the executed steps.
public struct StatePlanner: Replanner {
    public var objective: PlanObjective
    public var optimizer: any PlanOptimizer
    public var tracker: PlanTracker
    /// What the optimiser moves (scaled states or scaled accelerations).
    public var coordinates: PlanCoordinates
    /// Alternatives K (chains).
    public var chains: Int
    /// Spread of the first points, in scaled units: around "stay where you are" for states,
    /// around zero acceleration for accelerations.
    public var initialSpread: Double
    /// Optimiser runs of the first replan, each from the last one's points: without a warm start
    /// the chains start far from any low-energy plan.
    public var coldStartRounds = 1
    /// The previous replan's plans (K, H, S), best first.
    public private(set) var previous: [Double]?
    /// The same as points of `coordinates` (K, D), best first: what the warm start shifts.
    var previousPoints: [Double]?
    public var name: String { optimizer.name }
    public var layout: PlanLayout { objective.layout }

    public init(objective: PlanObjective, optimizer: any PlanOptimizer, tracker: PlanTracker, coordinates: PlanCoordinates, chains: Int,
                initialSpread: Double = 0.1) throws {
        try coordinates.validate(objective.layout)
        guard chains >= 1 else { throw PlanningError.invalidArgument("state planner: chains must be at least 1, got \(chains)") }
        (self.objective, self.optimizer, self.tracker, self.coordinates, self.chains, self.initialSpread) =
            (objective, optimizer, tracker, coordinates, chains, initialSpread)
    }

    /// Over scaled states y = plan / scale (`scale`: S numbers).
    public init(objective: PlanObjective, optimizer: any PlanOptimizer, tracker: PlanTracker, scale: [Double], chains: Int,
                initialSpread: Double = 0.1) throws {
        try self.init(objective: objective, optimizer: optimizer, tracker: tracker, coordinates: .states(scale: scale), chains: chains,
                      initialSpread: initialSpread)
    }

    public mutating func reset() { (previous, previousPoints) = (nil, nil) }

    public mutating func replan(start: PlanStart, steps: Int, seed: UInt64) throws -> Replan {
        let L = layout
        let (H, S, K) = (L.horizon, L.stateSize, chains)
        let energy = objective.energy(after: start, coordinates: coordinates)
        let D = energy.dimension
        let current = Array(start.current)
        var initial: [Double], rounds = 1
        if let previousPoints {
            initial = coordinates.shifted(previousPoints, count: K, steps: steps, layout: L)
        } else {
            rounds = Swift.max(1, coldStartRounds)
            var random = GaussianStream(seed: seed ^ 0x1234_5678)
            switch coordinates {
            case .states(let scale):
                initial = (0..<(K * D)).map { i in current[i % S] / scale[i % S] + initialSpread * random.next() }
            case .accelerations:
                initial = (0..<(K * D)).map { _ in initialSpread * random.next() }
            }
        }
        var result = try optimizer.optimize(energy, initial: initial, chains: K, seed: seed)
        for round in 1..<rounds {
            result = try optimizer.optimize(energy, initial: result.points, chains: K, seed: seed &+ UInt64(round) &* 0xA24B_AED4_963E_E407)
        }
        let energies = result.energies
        let order = energies.indices.sorted { energies[$0].isNaN ? false : (energies[$1].isNaN ? true : energies[$0] < energies[$1]) }
        let rankedPoints = order.flatMap { result.points[$0 * D..<($0 + 1) * D] }
        let ranked = energy.plans(rankedPoints)
        (previous, previousPoints) = (ranked, rankedPoints)
        let best = Array(ranked[0..<H * S])
        let perTerm = try objective.evaluate(best, count: 1, start: start, gradient: false).perTerm
        let action = try tracker.action(plan: best, current: current, steps: Swift.min(steps, H), layout: L)
        return Replan(action: action, alternatives: ranked, energies: order.map { energies[$0] },
                      terms: zip(objective.terms, perTerm).map { ($0.term.name, $1[0]) }, acceptance: result.acceptance)
    }
}
