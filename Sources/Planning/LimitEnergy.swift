// LimitEnergy: joint-range and velocity limits as one-sided quadratic walls.

import Foundation
import Simulation

/// E = ½ Σₜ Σⱼ [max(0, qⱼ − hiⱼ)² + max(0, loⱼ − qⱼ)² + max(0, |vⱼ| − v̄ⱼ)²]: zero inside the
/// joint ranges (limited joints of the model, shrunk by `margin`) and the velocity limits v̄.
public struct LimitEnergy: PlanEnergy {
    public let name = "limits"
    public let layout: PlanLayout
    /// Per joint (nq): (lower, upper) or nil for an unlimited joint, in rad or m.
    public let range: [(Double, Double)?]
    /// Per degree of freedom (nv), in rad/s or m/s; infinity for none.
    public let velocityLimit: [Double]

    /// Ranges from `model`'s limited joints (shrunk by `margin`), velocity limits `velocityLimit` (nv, or one for all).
    public init(model: RobotModel, layout: PlanLayout, margin: Double = 0, velocityLimit: [Double]) throws {
        guard model.nq == model.nv else { throw PlanningError.invalidArgument("limits: \(model.source) has nq \(model.nq) ≠ nv \(model.nv) (free or ball joints are not supported)") }
        let joints = model.joints
        let limits = velocityLimit.count == 1 ? [Double](repeating: velocityLimit[0], count: model.nv) : velocityLimit
        guard limits.count == model.nv, limits.allSatisfy({ $0 > 0 }) else {
            throw PlanningError.invalidArgument("limits: velocity limits need one positive number or \(model.nv), got \(velocityLimit)")
        }
        range = (0..<model.nq).map { j in joints.limited[j] ? (joints.range[j].0 + margin, joints.range[j].1 - margin) : nil }
        (self.layout, self.velocityLimit) = (layout, limits)
    }

    public func evaluate(_ plans: [Double], count: Int, start: PlanStart, gradient: Bool) throws -> (energies: [Double], gradients: [Double]) {
        let (H, S, nq, nv) = (layout.horizon, layout.stateSize, layout.nq, layout.nv)
        var e = [Double](repeating: 0, count: count), g = [Double](repeating: 0, count: gradient ? count * H * S : 0)
        for n in 0..<(count * H) {
            let row = n * S
            for j in 0..<nq {
                guard let (lo, hi) = range[j] else { continue }
                let q = plans[row + j]
                let over = q > hi ? q - hi : (q < lo ? q - lo : 0)
                e[n / H] += 0.5 * over * over
                if gradient { g[row + j] = over }
            }
            for j in 0..<nv {
                let v = plans[row + nq + j], excess = abs(v) - velocityLimit[j]
                guard excess > 0 else { continue }
                e[n / H] += 0.5 * excess * excess
                if gradient { g[row + nq + j] = excess * (v > 0 ? 1 : -1) }
            }
        }
        return (e, g)
    }
}
