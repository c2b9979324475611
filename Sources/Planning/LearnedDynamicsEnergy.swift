// LearnedDynamicsEnergy: a trained trajectory EBM as a plan term — E_θ(future | context) over the
// windows of [history, plan], with the gradient carried back through the window encoding.

import EnergyModels
import Foundation

/// E = Σ_w E_θ(window w) / temperature, windows of the trained model's k context and Hm future
/// states slid over [last k executed states, s₁…s_H] with stride `stride` (default Hm: the plan is
/// cut into consecutive blocks, each judged given the k states before it). Needs H ≥ Hm and
/// (H − Hm) a multiple of the stride.
///
/// Gradient: ∂E/∂x̃ from the network, then x̃ = ([c, f − δ·c_last] − mean)/std gives
/// ∂E/∂c = ∂E/∂c̃ / std − δ Σₕ ∂E/∂f̃ₕ / std (on the last context state) and ∂E/∂f = ∂E/∂f̃ / std;
/// context states that are plan states receive theirs, executed history states do not.
public struct LearnedDynamicsEnergy: PlanEnergy {
    public let name = "model"
    public let layout: PlanLayout
    public let model: TrajectoryEnergyModel
    public let temperature: Double
    public let stride: Int
    /// Window start offsets in the joined sequence [k history states, H plan states].
    let offsets: [Int]

    public init(model: TrajectoryEnergyModel, layout: PlanLayout, temperature: Double = 1, stride: Int? = nil) throws {
        let enc = model.encoding
        guard enc.stateSize == layout.stateSize else {
            throw PlanningError.invalidArgument("model: the energy model reads states of \(enc.stateSize) numbers, the plan has \(layout.stateSize)")
        }
        guard layout.horizon >= enc.horizon else {
            throw PlanningError.invalidArgument("model: the plan horizon \(layout.horizon) is shorter than the model's H = \(enc.horizon)")
        }
        let s = stride ?? enc.horizon
        guard s >= 1, (layout.horizon - enc.horizon) % s == 0 else {
            throw PlanningError.invalidArgument("model: plan horizon \(layout.horizon) − model H \(enc.horizon) is not a multiple of the stride \(s)")
        }
        guard temperature.isFinite, temperature > 0 else { throw PlanningError.invalidArgument("model: temperature must be positive, got \(temperature)") }
        (self.model, self.layout, self.temperature, self.stride) = (model, layout, temperature, s)
        offsets = Array(Swift.stride(from: 0, through: layout.horizon - enc.horizon, by: s))
    }

    public func evaluate(_ plans: [Double], count: Int, start: PlanStart, gradient: Bool) throws -> (energies: [Double], gradients: [Double]) {
        let enc = model.encoding
        let (k, Hm, S, H) = (enc.contextLength, enc.horizon, enc.stateSize, layout.horizon)
        let (C, F, W) = (enc.contextWidth, enc.futureWidth, enc.width)
        let history = start.last(k).map(Float.init)
        let R = count * offsets.count
        var context = [Float](repeating: 0, count: R * C), future = [Float](repeating: 0, count: R * F)
        // joined state i: history for i < k, plan state i − k after
        func state(_ b: Int, _ i: Int, _ d: Int) -> Float { i < k ? history[i * S + d] : Float(plans[(b * H + i - k) * S + d]) }
        for b in 0..<count {
            for (w, o) in offsets.enumerated() {
                let r = b * offsets.count + w
                for i in 0..<k { for d in 0..<S { context[(r * k + i) * S + d] = state(b, o + i, d) } }
                for i in 0..<Hm { for d in 0..<S { future[(r * Hm + i) * S + d] = state(b, o + k + i, d) } }
            }
        }
        let rows = enc.encode(context: context, future: future)
        var e = [Double](repeating: 0, count: count)
        guard gradient else {
            let energies = model.energies(rows: rows)
            for r in 0..<R { e[r / offsets.count] += Double(energies[r]) / temperature }
            return (e, [])
        }
        let (energies, rowGradient) = model.energyAndRowGradient(rows: rows)
        var g = [Double](repeating: 0, count: count * H * S)
        for b in 0..<count {
            for (w, o) in offsets.enumerated() {
                let r = b * offsets.count + w
                e[b] += Double(energies[r]) / temperature
                func add(_ i: Int, _ d: Int, _ x: Float) { if i >= k { g[(b * H + i - k) * S + d] += Double(x) / temperature } }
                for j in 0..<C { add(o + j / S, j % S, rowGradient[r * W + j] / enc.standardDeviation[j]) }
                for j in 0..<F {
                    let x = rowGradient[r * W + C + j] / enc.standardDeviation[C + j]
                    add(o + k + j / S, j % S, x)
                    if enc.futureAsDelta { add(o + k - 1, j % S, -x) }
                }
            }
        }
        return (e, g)
    }
}
