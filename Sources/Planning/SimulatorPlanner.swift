// SimulatorPlanner: the baselines users compare with — MPPI or CEM over control sequences, each
// candidate rolled out in the true simulator (one batched rollout per iteration), in the style of
// MuJoCo MPC's sampling planners; or rolled out by a learned feedforward transition model (the
// model-based RL style: PETS, MBPO's planners).

import EnergyModels
import Foundation
import Sampling
import Simulation

/// The cost of control sequences (count, H, nu), in units of each actuator's half range around its
/// centre, as the objective of the states they produce in the simulator plus ½ρ Σ u² (u in
/// control units). Gradients are not available (population optimisers read energies only).
public struct SimulatorRolloutEnergy: BatchEnergy {
    /// What rolls the controls out: the true simulator, or a learned transition model.
    public enum Rollout {
        case simulator
        /// A feedforward model of s_{t+1} from the last k states and their controls (`ebm train
        /// --model feedforward` with `model.conditionOnControls`), rolled out one state at a time;
        /// `previousControls` ((k − 1)·nu, control units) are the controls executed before now.
        case learned(FeedforwardPredictor, previousControls: [Double])
    }
    public let model: RobotModel
    public var rollout: Rollout = .simulator
    /// Goal, obstacle and limit terms, evaluated on the simulated states.
    public let objective: PlanObjective
    public let start: PlanStart
    /// ρ, per unit control².
    public let effortWeight: Double
    public var threads: Int
    let centre: [Double], halfWidth: [Double]
    public var dimension: Int { objective.layout.horizon * model.nu }

    public init(model: RobotModel, objective: PlanObjective, start: PlanStart, effortWeight: Double, threads: Int = 0) {
        (self.model, self.objective, self.start, self.effortWeight, self.threads) = (model, objective, start, effortWeight, threads)
        let ranges = model.actuators.ctrlRange
        centre = ranges.map { $0.map { ($0.0 + $0.1) / 2 } ?? 0 }
        halfWidth = ranges.map { $0.map { ($0.1 - $0.0) / 2 } ?? 1 }
    }

    /// Controls (count, H, nu) in control units from scaled points.
    public func controls(_ x: [Double]) -> [Double] {
        let nu = model.nu
        return x.enumerated().map { centre[$0.offset % nu] + halfWidth[$0.offset % nu] * $0.element }
    }

    /// Simulated plans (count, H, S) of scaled control points.
    public func states(_ x: [Double], count: Int) throws -> [Double] {
        if case .learned(let predictor, let previous) = rollout { return predicted(x, count: count, predictor: predictor, previousControls: previous) }
        let (H, nq, nv, S) = (objective.layout.horizon, model.nq, model.nv, model.nq + model.nv)
        let current = Array(start.current)
        let q0 = (0..<count).flatMap { _ in current.prefix(nq) }, v0 = (0..<count).flatMap { _ in current.suffix(nv) }
        let r = try model.rollout(qpos: q0, qvel: v0, batch: count, steps: H, controls: controls(x), sites: false, threads: threads)
        var plans = [Double](repeating: 0, count: count * H * S)
        for b in 0..<count {
            for t in 1...H {
                let row = (b * H + t - 1) * S
                for i in 0..<nq { plans[row + i] = r.qpos[(b * (H + 1) + t) * nq + i] }
                for i in 0..<nv { plans[row + nq + i] = r.qvel[(b * (H + 1) + t) * nv + i] }
            }
        }
        return plans
    }

    /// Plans (count, H, S) of scaled control points, predicted state by state by the learned
    /// model from the start's last k states: one batched network call per planned step.
    func predicted(_ x: [Double], count: Int, predictor: FeedforwardPredictor, previousControls: [Double]) -> [Double] {
        let (H, S, nu, enc) = (objective.layout.horizon, model.nq + model.nv, model.nu, predictor.encoding)
        let k = enc.contextLength
        let u = controls(x)
        var window = [Float](repeating: 0, count: count * k * S), controlWindow = [Float](repeating: 0, count: count * k * nu)
        let history = start.last(k).map(Float.init)
        for b in 0..<count {
            for i in 0..<(k * S) { window[b * k * S + i] = history[i] }
            for i in 0..<((k - 1) * nu) { controlWindow[b * k * nu + i] = Float(previousControls[i]) }
        }
        var plans = [Double](repeating: 0, count: count * H * S)
        for t in 0..<H {
            for b in 0..<count { for a in 0..<nu { controlWindow[(b * k + k - 1) * nu + a] = Float(u[(b * H + t) * nu + a]) } }
            let next = predictor.predict(context: enc.conditioned(states: window, controls: controlWindow))
            let width = enc.futureWidth
            for b in 0..<count {
                for i in 0..<S { plans[(b * H + t) * S + i] = Double(next[b * width + i]) }
                // slide both windows one step: drop the oldest state and control
                let w = b * k * S, c = b * k * nu
                for i in 0..<((k - 1) * S) { window[w + i] = window[w + S + i] }
                for i in 0..<S { window[w + (k - 1) * S + i] = next[b * width + i] }
                for i in 0..<((k - 1) * nu) { controlWindow[c + i] = controlWindow[c + nu + i] }
            }
        }
        return plans
    }

    public func energies(_ x: [Double], count: Int) -> [Double] {
        guard let plans = try? states(x, count: count),
              var e = try? objective.evaluate(plans, count: count, start: start, gradient: false).energies else {
            return [Double](repeating: .infinity, count: count)
        }
        let u = controls(x), per = dimension
        for b in 0..<count { e[b] += 0.5 * effortWeight * u[b * per..<(b + 1) * per].reduce(0) { $0 + $1 * $1 } }
        return e
    }

    public func energiesAndGradients(_ x: [Double], count: Int) -> (energies: [Double], gradients: [Double]) {
        (energies(x, count: count), [Double](repeating: 0, count: count * dimension))
    }

    /// Scaled controls (nu) that hold `qpos` at rest: the gravity (and spring) forces of RNEA at
    /// zero velocity and acceleration through each actuator's gear, clamped to its range.
    public func holdingControls(at qpos: [Double]) throws -> [Double] {
        let tau = try model.inverseDynamics(qpos: qpos, qvel: [Double](repeating: 0, count: model.nv),
                                            qacc: [Double](repeating: 0, count: model.nv), batch: 1, threads: 1)
        let (dof, gear) = (try model.actuatedDofs(), model.actuators.gear)
        return (0..<model.nu).map { a in
            let u = tau[dof[a]] / gear[a]
            return Swift.min(Swift.max((u - centre[a]) / halfWidth[a], -1), 1)
        }
    }
}

/// MPPI (`mppi-sim`) or CEM (`cem-sim`) over controls with simulator rollouts; warm-started
/// from the previous control sequence shifted by the executed steps.
public struct SimulatorPlanner: Replanner {
    public enum Method { case mppi(MPPIPlanOptimizer), cem(CEMPlanOptimizer) }
    public let model: RobotModel
    public var objective: PlanObjective
    public var method: Method
    public var effortWeight: Double
    public var chains: Int
    public var threads: Int
    /// A learned transition model in place of the simulator (`mppi-ff`, `cem-ff`), or nil.
    public var dynamics: FeedforwardPredictor?
    /// The previous best control sequence (H, nu), scaled.
    public private(set) var previous: [Double]?
    /// The last controls executed ((k − 1)·nu, control units, oldest first) for the learned model's window.
    var executed: [Double] = []
    public var name: String {
        switch method { case .mppi: return dynamics == nil ? "mppi-sim" : "mppi-ff"; case .cem: return dynamics == nil ? "cem-sim" : "cem-ff" }
    }
    public var layout: PlanLayout { objective.layout }

    public init(model: RobotModel, objective: PlanObjective, method: Method, effortWeight: Double, chains: Int, threads: Int = 0,
                dynamics: FeedforwardPredictor? = nil) throws {
        if let dynamics { try Self.checkTransitionModel(dynamics, of: model) }
        (self.model, self.objective, self.method, self.effortWeight, self.chains, self.threads, self.dynamics) =
            (model, objective, method, effortWeight, chains, threads, dynamics)
    }

    /// Throws unless `predictor` reads `model`'s states (nq + nv) and the controls of its k
    /// context states, and nothing else: what a learned rollout feeds it.
    public static func checkTransitionModel(_ predictor: FeedforwardPredictor, of model: RobotModel) throws {
        let enc = predictor.encoding
        guard enc.controlWidth == enc.contextLength * model.nu, enc.goalCount == 0, enc.stateSize == model.nq + model.nv else {
            throw PlanningError.invalidArgument("learned rollouts need a feedforward model of \(model.source)'s states (\(model.nq + model.nv) numbers) "
                                + "conditioned on controls only (model.conditionOnControls); this one reads states of \(enc.stateSize), "
                                + "\(enc.controlWidth) control and \(enc.goalCount) goal features")
        }
    }

    public mutating func reset() { (previous, executed) = (nil, []) }

    public mutating func replan(start: PlanStart, steps: Int, seed: UInt64) throws -> Replan {
        let (H, nu, K) = (layout.horizon, model.nu, chains)
        var energy = SimulatorRolloutEnergy(model: model, objective: objective, start: start, effortWeight: effortWeight, threads: threads)
        // cold start: hold the current pose against gravity (MuJoCo MPC's nominal policy idea);
        // from zero controls every sample of a 7-joint arm falls and none reaches the goal
        let hold = previous == nil ? try energy.holdingControls(at: Array(start.current.prefix(model.nq))) : []
        if let dynamics {
            // before the first plan the robot is taken to have held its pose
            if previous == nil { executed = (1..<dynamics.encoding.contextLength).flatMap { _ in energy.controls(hold) } }
            energy.rollout = .learned(dynamics, previousControls: executed)
        }
        var mean: [Double]
        if let previous {
            mean = [Double](repeating: 0, count: H * nu)
            for t in 0..<H { for a in 0..<nu { mean[t * nu + a] = previous[Swift.min(t + steps, H - 1) * nu + a] } }
        } else {
            mean = (0..<H).flatMap { _ in hold }
        }
        let initial = (0..<K).flatMap { _ in mean }
        let (points, energies): ([Double], [Double])
        switch method {
        case .mppi(let m): (points, energies) = try m.minimize(energy, initial: initial, chains: K, seed: seed)
        case .cem(let c): (points, energies) = try c.minimize(energy, initial: initial, chains: K, seed: seed)
        }
        let order = energies.indices.sorted { energies[$0] < energies[$1] }
        let ranked = order.flatMap { points[$0 * H * nu..<($0 + 1) * H * nu] }
        // the executed sequence is the population's mean (point 0), as MPPI prescribes
        let best = Array(points[0..<H * nu])
        previous = best
        let alternatives = try energy.states(ranked, count: K)
        let u = energy.controls(Array(best[0..<Swift.min(steps, H) * nu]))
        if let dynamics { executed = Array((executed + u).suffix((dynamics.encoding.contextLength - 1) * nu)) }
        return Replan(action: .controls(u), alternatives: alternatives, energies: order.map { energies[$0] })
    }
}
