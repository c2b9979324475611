// SmoothnessEnergy: planned states that hang together — positions that integrate the velocities,
// small accelerations, small speeds — measured from the current state on.

import Foundation

/// With s₀ the current state and s₁…s_H the plan, Δt the plan timestep, over t = 0…H−1:
/// E = ½ Σₜ [ α ‖(qₜ₊₁ − qₜ)/Δt − (vₜ + vₜ₊₁)/2‖² + β ‖(vₜ₊₁ − vₜ)/Δt‖² Δt² + γ ‖vₜ₊₁‖² Δt² ].
/// The first sum (trapezoidal consistency, (unit/s)²) makes qvel the velocity of qpos, which the
/// inverse-dynamics execution relies on; the Δt² factors put the acceleration and speed terms
/// in the units of a position change per step, so the weights are comparable across timesteps.
public struct SmoothnessEnergy: PlanEnergy {
    public let name = "smoothness"
    public let layout: PlanLayout
    public var consistency: Double, acceleration: Double, velocity: Double

    public init(layout: PlanLayout, consistency: Double = 1, acceleration: Double = 1, velocity: Double = 0) throws {
        guard layout.nq == layout.nv else { throw PlanningError.invalidArgument("smoothness: needs nq == nv, got \(layout.nq), \(layout.nv)") }
        guard [consistency, acceleration, velocity].allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw PlanningError.invalidArgument("smoothness: weights must be finite and >= 0")
        }
        (self.layout, self.consistency, self.acceleration, self.velocity) = (layout, consistency, acceleration, velocity)
    }

    public func evaluate(_ plans: [Double], count: Int, start: PlanStart, gradient: Bool) throws -> (energies: [Double], gradients: [Double]) {
        let (H, S, n, dt) = (layout.horizon, layout.stateSize, layout.nq, layout.timestep)
        let current = Array(start.current)
        var e = [Double](repeating: 0, count: count), g = [Double](repeating: 0, count: gradient ? count * H * S : 0)
        for b in 0..<count {
            let base = b * H * S
            // state t (0 = current) value and its gradient slot (nil for the fixed current state)
            func value(_ t: Int, _ i: Int) -> Double { t == 0 ? current[i] : plans[base + (t - 1) * S + i] }
            func add(_ t: Int, _ i: Int, _ x: Double) { if t > 0 && gradient { g[base + (t - 1) * S + i] += x } }
            for t in 0..<H {
                for j in 0..<n {
                    let (q0, q1, v0, v1) = (value(t, j), value(t + 1, j), value(t, n + j), value(t + 1, n + j))
                    // forward: the three residuals; backward: their chain rule, side by side
                    let rc = (q1 - q0) / dt - 0.5 * (v0 + v1)
                    let ra = v1 - v0
                    let rv = v1 * dt
                    e[b] += 0.5 * (consistency * rc * rc + acceleration * ra * ra + velocity * rv * rv)
                    add(t + 1, j, consistency * rc / dt); add(t, j, -consistency * rc / dt)
                    add(t + 1, n + j, -0.5 * consistency * rc + acceleration * ra + velocity * rv * dt)
                    add(t, n + j, -0.5 * consistency * rc - acceleration * ra)
                }
            }
        }
        return (e, g)
    }
}
