// GoalEnergy: pull the plan toward a goal — a site position through forward kinematics (gradient
// Jᵀr from the bridge's batched site Jacobians) or a joint configuration.

import Foundation
import Simulation

/// E = ½ Σₜ λₜ ‖rₜ‖², rₜ = p_site(qₜ) − g (m) or qₜ − q* (joint units), λₜ = (t + 1) / H: later
/// states count more, so a plan that cannot arrive within H still heads for the goal.
public struct GoalEnergy: PlanEnergy {
    public enum Target: Sendable, Equatable {
        /// Site `site` at `position` (world coordinates, m).
        case site(Int, position: SIMD3<Double>)
        /// Joint configuration (nq).
        case joints([Double])
    }
    public let name = "goal"
    public let layout: PlanLayout
    public let model: RobotModel
    public let target: Target
    /// Worker threads for the bridge's batched calls (0 = every core).
    public var threads: Int

    public init(model: RobotModel, target: Target, layout: PlanLayout, threads: Int = 0) throws {
        guard layout.nq == model.nq, layout.nv == model.nv else { throw PlanningError.invalidArgument("goal: plan layout does not match \(model.source)") }
        switch target {
        case .site(let s, let p):
            guard (0..<model.nsite).contains(s) else { throw PlanningError.invalidArgument("goal: \(model.source) has no site \(s)") }
            guard p.x.isFinite && p.y.isFinite && p.z.isFinite else { throw PlanningError.invalidArgument("goal: position \(p) is not finite") }
        case .joints(let q):
            guard q.count == model.nq, q.allSatisfy(\.isFinite) else { throw PlanningError.invalidArgument("goal: joint target needs \(model.nq) finite numbers, got \(q)") }
        }
        (self.model, self.target, self.layout, self.threads) = (model, target, layout, threads)
    }

    /// λₜ for plan step t (0-based).
    func stepWeight(_ t: Int) -> Double { Double(t + 1) / Double(layout.horizon) }

    public func evaluate(_ plans: [Double], count: Int, start: PlanStart, gradient: Bool) throws -> (energies: [Double], gradients: [Double]) {
        let (H, S, nq, nv) = (layout.horizon, layout.stateSize, layout.nq, layout.nv)
        var e = [Double](repeating: 0, count: count)
        var g = [Double](repeating: 0, count: gradient ? count * H * S : 0)
        switch target {
        case .joints(let q):
            for b in 0..<count {
                for t in 0..<H {
                    let row = (b * H + t) * S, w = stepWeight(t)
                    for i in 0..<nq {
                        let r = plans[row + i] - q[i]
                        e[b] += 0.5 * w * r * r
                        if gradient { g[row + i] = w * r }
                    }
                }
            }
        case .site(let site, let goal):
            // every planned configuration in one bridge call: positions [N, nsite, 3], Jacobian [N, 3, nv]
            let N = count * H
            var qpos = [Double](repeating: 0, count: N * nq)
            for n in 0..<N { for i in 0..<nq { qpos[n * nq + i] = plans[n * S + i] } }
            let (sites, jac) = try model.kinematics(qpos: qpos, batch: N, jacobianSite: gradient ? site : nil, threads: threads)
            let ns = model.nsite
            for n in 0..<N {
                let (b, t) = (n / H, n % H), w = stepWeight(t)
                let p = (n * ns + site) * 3
                let r = [sites[p] - goal.x, sites[p + 1] - goal.y, sites[p + 2] - goal.z]
                e[b] += 0.5 * w * (r[0] * r[0] + r[1] * r[1] + r[2] * r[2])
                guard gradient else { continue }
                // ∂E/∂q = λ Jᵀ r
                for j in 0..<nv {
                    var s = 0.0
                    for a in 0..<3 { s += jac[(n * 3 + a) * nv + j] * r[a] }
                    g[n * S + j] = w * s
                }
            }
        }
        return (e, g)
    }

    /// Distance (m or joint units) of configurations qpos (count, nq) from the target.
    public func distances(qpos: [Double], count: Int) throws -> [Double] {
        switch target {
        case .joints(let q):
            return (0..<count).map { b in (0..<model.nq).reduce(0.0) { $0 + pow(qpos[b * model.nq + $1] - q[$1], 2) }.squareRoot() }
        case .site(let site, let goal):
            let sites = try model.kinematics(qpos: qpos, batch: count, threads: threads).sites
            return (0..<count).map { b in
                let p = (b * model.nsite + site) * 3
                return simd_length(SIMD3(sites[p], sites[p + 1], sites[p + 2]) - goal)
            }
        }
    }
}

@inline(__always) func simd_length(_ v: SIMD3<Double>) -> Double { (v * v).sum().squareRoot() }
@inline(__always) func simd_dot(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double { (a * b).sum() }
