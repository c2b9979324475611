// FeasibilityCheck: before planning, is there any configuration that puts the site on the goal
// without touching an obstacle or leaving the joint ranges? A bounded search, so an unreachable
// goal or a goal enclosed by obstacles is reported in fixed time instead of planned toward forever.

import Foundation
import Simulation

/// Minimises ½‖r(q)‖² + κ·(obstacle + limit penalties) over static configurations from
/// `starts` seeded starting points with Adam for `iterations` steps (bounded work), then asks
/// whether one of them is within `tolerance` of the goal, collision-free and inside the ranges.
/// When none is, it runs once more without obstacles to tell "unreachable" from "enclosed".
public struct FeasibilityCheck {
    public let goal: GoalEnergy
    public let obstacles: ObstacleEnergy?
    public let limits: LimitEnergy?
    public var tolerance: Double
    public var starts: Int, iterations: Int
    /// Spread of the starting points around the current qpos (nq), in rad or m.
    public var spread: [Double]
    /// Adam step, in units of `spread`.
    public var learningRate = 0.05
    public var penalty = 1e4
    public var seed: UInt64

    public init(goal: GoalEnergy, obstacles: ObstacleEnergy?, limits: LimitEnergy?, tolerance: Double, spread: [Double],
                starts: Int = 32, iterations: Int = 300, seed: UInt64 = 7) throws {
        guard spread.count == goal.model.nq, spread.allSatisfy({ $0 > 0 }) else { throw PlanningError.invalidArgument("feasibility: spread needs \(goal.model.nq) positive numbers") }
        guard starts >= 1, iterations >= 1 else { throw PlanningError.invalidArgument("feasibility: starts and iterations must be at least 1") }
        (self.goal, self.obstacles, self.limits, self.tolerance, self.spread, self.starts, self.iterations, self.seed) =
            (goal, obstacles, limits, tolerance, spread, starts, iterations, seed)
    }

    /// nil when a feasible goal configuration exists; else the reason.
    public func verdict(qpos: [Double]) throws -> String? {
        let withObstacles = try search(qpos: qpos, obstacles: obstacles)
        if withObstacles.feasible { return nil }
        if obstacles != nil {
            let free = try search(qpos: qpos, obstacles: nil)
            if free.feasible {
                return String(format: "the goal is enclosed by obstacles (every configuration that reaches it within %.3g collides)", tolerance)
            }
        }
        return String(format: "the goal is unreachable (the closest configuration found leaves the site %.4f away, tolerance %.3g)", withObstacles.closest, tolerance)
    }

    func search(qpos: [Double], obstacles: ObstacleEnergy?) throws -> (feasible: Bool, closest: Double) {
        let model = goal.model
        let (nq, nv, B) = (model.nq, model.nv, starts)
        let layout = try PlanLayout(horizon: 1, nq: nq, nv: nv, timestep: 1)
        let goalTerm = try GoalEnergy(model: model, target: goal.target, layout: layout, threads: goal.threads)
        var terms: [(weight: Double, term: any PlanEnergy)] = [(1, goalTerm)]
        if let o = obstacles { terms.append((penalty, try ObstacleEnergy(geometry: o.geometry, obstacles: o.obstacles, margin: 0, layout: layout, threads: o.threads))) }
        if limits != nil {
            terms.append((penalty, try LimitEnergy(model: model, layout: layout, margin: 0, velocityLimit: [1e300])))
        }
        let objective = try PlanObjective(terms)
        let start = try PlanStart(history: qpos + [Double](repeating: 0, count: nv), stateSize: nq + nv)
        var random = GaussianStream(seed: seed)
        // x: (B, nq + nv) with zero velocities; start 0 is the current configuration
        var x = [Double](repeating: 0, count: B * (nq + nv))
        for b in 0..<B { for i in 0..<nq { x[b * (nq + nv) + i] = qpos[i] + (b == 0 ? 0 : spread[i] * random.next()) } }
        var m = [Double](repeating: 0, count: x.count), v = m
        let (beta1, beta2) = (0.9, 0.999)
        for it in 1...iterations {
            let g = try objective.evaluate(x, count: B, start: start, gradient: true).gradients
            for b in 0..<B {
                for i in 0..<nq {
                    let j = b * (nq + nv) + i
                    m[j] = beta1 * m[j] + (1 - beta1) * g[j]
                    v[j] = beta2 * v[j] + (1 - beta2) * g[j] * g[j]
                    let mh = m[j] / (1 - pow(beta1, Double(it))), vh = v[j] / (1 - pow(beta2, Double(it)))
                    x[j] -= learningRate * spread[i] * mh / (vh.squareRoot() + 1e-12)
                }
            }
        }
        var q = [Double](repeating: 0, count: B * nq)
        for b in 0..<B { for i in 0..<nq { q[b * nq + i] = x[b * (nq + nv) + i] } }
        let d = try goalTerm.distances(qpos: q, count: B)
        let clearance = try obstacles.map { o in
            try ObstacleEnergy(geometry: o.geometry, obstacles: o.obstacles, margin: 0, layout: layout).clearance(qpos: q, count: B)
        } ?? [Double](repeating: .infinity, count: B)
        let ranges = model.joints
        var feasible = false
        for b in 0..<B where d[b] <= tolerance && clearance[b] >= -1e-6 {
            let inside = (0..<nq).allSatisfy { i in !ranges.limited[i] || (ranges.range[i].0 - 1e-6...ranges.range[i].1 + 1e-6).contains(q[b * nq + i]) }
            if inside { feasible = true }
        }
        return (feasible, d.min() ?? .infinity)
    }
}
