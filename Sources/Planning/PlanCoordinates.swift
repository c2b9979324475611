// PlanCoordinates: what the optimisers move. Scaled states leave qpos and qvel free and make the
// problem stiff (the consistency term's curvature grows as (scale/Δt)²); scaled accelerations,
// integrated from the current state, make every candidate plan consistent by construction.

import Foundation

/// The coordinates y that an optimiser moves, and the linear map from y to plans (count, H·S).
public enum PlanCoordinates: Sendable, Equatable {
    /// y = plan / scale (D = H·S), `scale` one number per state coordinate (S: qpos units, then
    /// qvel units). qpos and qvel move independently; only the smoothness term ties them.
    case states(scale: [Double])
    /// y = qacc / scale (D = H·nv), `scale` one number per degree of freedom (nv, in qacc units):
    /// accelerations a₀…a_{H−1} integrated from the current state s₀ by the trapezoidal rule of
    /// `SmoothnessEnergy`, vₜ₊₁ = vₜ + aₜΔt, qₜ₊₁ = qₜ + Δt(vₜ + vₜ₊₁)/2, so qvel is the rate of
    /// qpos in every plan the optimiser sees. Needs nq == nv.
    case accelerations(scale: [Double])

    /// Throws when the scale does not fit `layout` or is not positive.
    public func validate(_ layout: PlanLayout) throws {
        switch self {
        case .states(let scale):
            guard scale.count == layout.stateSize, scale.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw PlanningError.invalidArgument("plan coordinates: state scale needs \(layout.stateSize) positive numbers, got \(scale)")
            }
        case .accelerations(let scale):
            guard layout.nq == layout.nv else { throw PlanningError.invalidArgument("plan coordinates: accelerations need nq == nv, got \(layout.nq), \(layout.nv)") }
            guard scale.count == layout.nv, scale.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw PlanningError.invalidArgument("plan coordinates: acceleration scale needs \(layout.nv) positive numbers, got \(scale)")
            }
        }
    }

    /// Numbers per plan D in these coordinates.
    public func dimension(_ layout: PlanLayout) -> Int {
        switch self {
        case .states: return layout.dimension
        case .accelerations: return layout.horizon * layout.nv
        }
    }

    /// Plans (count, H·S) from points y (count, D) after the current state (S).
    public func plans(_ y: [Double], count: Int, layout: PlanLayout, current: ArraySlice<Double>) -> [Double] {
        switch self {
        case .states(let scale):
            return Self.perCoordinate(y, scale, *)
        case .accelerations(let scale):
            let (H, S, n, dt) = (layout.horizon, layout.stateSize, layout.nv, layout.timestep)
            let c = Array(current)
            var plans = [Double](repeating: 0, count: count * H * S)
            for b in 0..<count {
                for j in 0..<n {
                    var (q, v) = (c[j], c[n + j])
                    for t in 0..<H {
                        let a = y[(b * H + t) * n + j] * scale[j]
                        let next = v + a * dt
                        q += 0.5 * dt * (v + next)
                        v = next
                        plans[(b * H + t) * S + j] = q
                        plans[(b * H + t) * S + n + j] = v
                    }
                }
            }
            return plans
        }
    }

    /// ∂E/∂y (count, D) from ∂E/∂plan (count, H·S): the transpose of the map `plans`.
    public func pullback(_ gradients: [Double], count: Int, layout: PlanLayout) -> [Double] {
        switch self {
        case .states(let scale):
            return Self.perCoordinate(gradients, scale, *)
        case .accelerations(let scale):
            let (H, S, n, dt) = (layout.horizon, layout.stateSize, layout.nv, layout.timestep)
            var g = [Double](repeating: 0, count: count * H * n)
            for b in 0..<count {
                for j in 0..<n {
                    // adjoints of qₜ₊₁ and vₜ₊₁, swept from the last state back to the first
                    var (lq, lv) = (0.0, 0.0)
                    for t in stride(from: H - 1, through: 0, by: -1) {
                        lq += gradients[(b * H + t) * S + j]
                        lv += gradients[(b * H + t) * S + n + j]
                        let total = lv + 0.5 * dt * lq   // vₜ₊₁ also enters qₜ₊₁
                        g[(b * H + t) * n + j] = dt * total * scale[j]
                        lv = total + 0.5 * dt * lq       // vₜ enters vₜ₊₁ and qₜ₊₁
                    }
                }
            }
            return g
        }
    }

    /// Points y (count, D) of plans (count, H·S) after the current state: exact for plans that
    /// `plans` made; for accelerations, other plans keep only their velocity differences.
    public func points(_ plans: [Double], count: Int, layout: PlanLayout, current: ArraySlice<Double>) -> [Double] {
        switch self {
        case .states(let scale):
            return Self.perCoordinate(plans, scale, /)
        case .accelerations(let scale):
            let (H, S, n, dt) = (layout.horizon, layout.stateSize, layout.nv, layout.timestep)
            let c = Array(current)
            var y = [Double](repeating: 0, count: count * H * n)
            for b in 0..<count {
                for j in 0..<n {
                    var v = c[n + j]
                    for t in 0..<H {
                        let next = plans[(b * H + t) * S + n + j]
                        y[(b * H + t) * n + j] = (next - v) / dt / scale[j]
                        v = next
                    }
                }
            }
            return y
        }
    }

    /// x[i] ∘ scale[i mod S] for rows of S state coordinates.
    static func perCoordinate(_ x: [Double], _ scale: [Double], _ op: (Double, Double) -> Double) -> [Double] {
        x.indices.map { op(x[$0], scale[$0 % scale.count]) }
    }

    /// The warm start: points (count, D) shifted `steps` plan states earlier. States repeat the
    /// last planned state (stay there); accelerations pad with zero (coast).
    public func shifted(_ y: [Double], count: Int, steps: Int, layout: PlanLayout) -> [Double] {
        let H = layout.horizon
        let width = dimension(layout) / H
        var out = [Double](repeating: 0, count: y.count)
        for b in 0..<count {
            for t in 0..<H {
                let from = t + steps
                switch self {
                case .states:
                    let f = Swift.min(from, H - 1)
                    for i in 0..<width { out[(b * H + t) * width + i] = y[(b * H + f) * width + i] }
                case .accelerations:
                    guard from < H else { continue }
                    for i in 0..<width { out[(b * H + t) * width + i] = y[(b * H + from) * width + i] }
                }
            }
        }
        return out
    }
}
