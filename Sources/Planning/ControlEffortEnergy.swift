// ControlEffortEnergy: the controls a plan needs, from inverse dynamics (RNEA) of its states —
// small controls, controls within the actuators' ranges, no force on unactuated joints.

import Foundation
import Simulation

/// With s₀ the current state, over t = 0…H−1: aₜ = (vₜ₊₁ − vₜ)/Δt, τₜ = RNEA(qₜ, vₜ, aₜ) and
/// controls uₐ = τ_{joint(a)}/gearₐ;
/// E = ½ Σₜ [ Σₐ (uₐ² + κ max(0, |uₐ| − ūₐ)²) + κ Σ_{unactuated j} τⱼ² ],
/// ū the actuator's control bound (none when unlimited), κ `limitWeight`.
///
/// Gradient: with w = ∂E/∂τ per planned step, ∂E/∂q = wᵀ∂τ/∂q, ∂E/∂v = wᵀ∂τ/∂v and ∂E/∂a =
/// (M + armature) w, exact, from the simulator's vector–Jacobian product of inverse dynamics
/// (`RobotModel.inverseDynamicsCostGradient`: τ, this cost's w and the products in one pass per
/// planned step). Forward differences of RNEA took 1 + 2nv RNEA rows per planned step instead,
/// 85 % of an arm7 replan (benchmarks/README.md, Planning).
public struct ControlEffortEnergy: PlanEnergy {
    public let name = "effort"
    public let layout: PlanLayout
    public let model: RobotModel
    public var limitWeight: Double
    public var threads: Int
    /// Actuator per degree of freedom (nv), or nil.
    let actuatorOf: [Int?]
    let gear: [Double], bound: [Double?]

    public init(model: RobotModel, layout: PlanLayout, limitWeight: Double = 100, threads: Int = 0) throws {
        guard model.nq == model.nv, layout.nq == model.nq else { throw PlanningError.invalidArgument("effort: needs nq == nv and a matching layout (\(model.source))") }
        let act = model.actuators
        var of = [Int?](repeating: nil, count: model.nv)
        for (a, j) in act.joint.enumerated() {
            guard (0..<model.nv).contains(j), of[j] == nil else { throw PlanningError.invalidArgument("effort: actuator \(a) of \(model.source) drives joint \(j), which has another or none") }
            of[j] = a
        }
        (actuatorOf, gear) = (of, act.gear)
        bound = act.ctrlRange.map { $0.map { Swift.max(abs($0.0), abs($0.1)) } }
        (self.model, self.layout, self.limitWeight, self.threads) = (model, layout, limitWeight, threads)
    }

    /// Controls (count, H, nu) and generalised forces (count, H, nv) the plans need.
    public func controls(_ plans: [Double], count: Int, start: PlanStart) throws -> (controls: [Double], forces: [Double]) {
        let (q, v, a) = rows(plans, count: count, start: start)
        let tau = try model.inverseDynamics(qpos: q, qvel: v, qacc: a, batch: count * layout.horizon, threads: threads)
        var u = [Double](repeating: 0, count: count * layout.horizon * model.nu)
        for n in 0..<(count * layout.horizon) {
            for j in 0..<model.nv { if let act = actuatorOf[j] { u[n * model.nu + act] = tau[n * model.nv + j] / gear[act] } }
        }
        return (u, tau)
    }

    /// qₜ, vₜ, aₜ (count·H rows each) for t = 0…H−1, state 0 being the current one.
    func rows(_ plans: [Double], count: Int, start: PlanStart) -> ([Double], [Double], [Double]) {
        let (H, S, n, dt) = (layout.horizon, layout.stateSize, layout.nv, layout.timestep)
        let current = Array(start.current)
        var q = [Double](repeating: 0, count: count * H * n), v = q, a = q
        for b in 0..<count {
            for t in 0..<H {
                let r = (b * H + t) * n
                for j in 0..<n {
                    let s0 = t == 0 ? current[j] : plans[(b * H + t - 1) * S + j]
                    let v0 = t == 0 ? current[n + j] : plans[(b * H + t - 1) * S + n + j]
                    let v1 = plans[(b * H + t) * S + n + j]
                    (q[r + j], v[r + j], a[r + j]) = (s0, v0, (v1 - v0) / dt)
                }
            }
        }
        return (q, v, a)
    }

    /// One planned step's cost from its forces τ [nv]; writes ∂/∂τ into `w` when given (zeroed).
    func rowCost(_ tau: UnsafePointer<Double>, _ w: UnsafeMutablePointer<Double>?) -> Double {
        var e = 0.0
        for j in 0..<model.nv {
            let f = tau[j]
            if let act = actuatorOf[j] {
                let u = f / gear[act]
                var dEdu = u
                e += 0.5 * u * u
                if let ub = bound[act], abs(u) > ub {
                    let excess = abs(u) - ub
                    e += 0.5 * limitWeight * excess * excess
                    dEdu += limitWeight * excess * (u > 0 ? 1 : -1)
                }
                w?[j] = dEdu / gear[act]
            } else {
                e += 0.5 * limitWeight * f * f
                w?[j] = limitWeight * f
            }
        }
        return e
    }

    public func evaluate(_ plans: [Double], count: Int, start: PlanStart, gradient: Bool) throws -> (energies: [Double], gradients: [Double]) {
        let (H, S, n, dt) = (layout.horizon, layout.stateSize, layout.nv, layout.timestep)
        let N = count * H
        let (q, v, a) = rows(plans, count: count, start: start)
        var e = [Double](repeating: 0, count: count)
        guard gradient else {
            let tau = try model.inverseDynamics(qpos: q, qvel: v, qacc: a, batch: N, threads: threads)
            tau.withUnsafeBufferPointer { t in
                for r in 0..<N { e[r / H] += rowCost(t.baseAddress! + r * n, nil) }
            }
            return (e, [])
        }
        let (costs, d) = try model.inverseDynamicsCostGradient(qpos: q, qvel: v, qacc: a, batch: N, threads: threads) { _, tau, w in
            rowCost(tau, w)
        }
        for r in 0..<N { e[r / H] += costs[r] }
        let (dq, dv, da) = (d.qpos, d.qvel, d.qacc)
        // back to the plan: row t reads state t (q, v) and states t, t+1 (a); state 0 is fixed
        var g = [Double](repeating: 0, count: count * H * S)
        for b in 0..<count {
            for t in 0..<H {
                let r = (b * H + t) * n
                for j in 0..<n {
                    let next = (b * H + t) * S
                    g[next + n + j] += da[r + j] / dt
                    if t > 0 {
                        let this = (b * H + t - 1) * S
                        g[this + j] += dq[r + j]
                        g[this + n + j] += dv[r + j] - da[r + j] / dt
                    }
                }
            }
        }
        return (e, g)
    }
}
