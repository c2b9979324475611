// SimulatorPlanner: the baseline users compare with — MPPI or CEM over control sequences, each
// candidate rolled out in the true simulator (one batched rollout per iteration), in the style of
// MuJoCo MPC's sampling planners.

import Foundation
import Sampling
import Simulation

/// The cost of control sequences (count, H, nu), in units of each actuator's half range around its
/// centre, as the objective of the states they produce in the simulator plus ½ρ Σ u² (u in
/// control units). Gradients are not available (population optimisers read energies only).
public struct SimulatorRolloutEnergy: BatchEnergy {
    public let model: RobotModel
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
    /// The previous best control sequence (H, nu), scaled.
    public private(set) var previous: [Double]?
    public var name: String {
        switch method { case .mppi: return "mppi-sim"; case .cem: return "cem-sim" }
    }
    public var layout: PlanLayout { objective.layout }

    public init(model: RobotModel, objective: PlanObjective, method: Method, effortWeight: Double, chains: Int, threads: Int = 0) {
        (self.model, self.objective, self.method, self.effortWeight, self.chains, self.threads) = (model, objective, method, effortWeight, chains, threads)
    }

    public mutating func reset() { previous = nil }

    public mutating func replan(start: PlanStart, steps: Int, seed: UInt64) throws -> Replan {
        let (H, nu, K) = (layout.horizon, model.nu, chains)
        let energy = SimulatorRolloutEnergy(model: model, objective: objective, start: start, effortWeight: effortWeight, threads: threads)
        var mean = [Double](repeating: 0, count: H * nu)
        if let previous {
            for t in 0..<H { for a in 0..<nu { mean[t * nu + a] = previous[Swift.min(t + steps, H - 1) * nu + a] } }
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
        return Replan(action: .controls(u), alternatives: alternatives, energies: order.map { energies[$0] })
    }
}
