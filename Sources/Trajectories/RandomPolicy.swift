import Foundation
import Simulation

/// `random`: temporally smoothed random controls, an Ornstein–Uhlenbeck process per actuator.
///
/// In units of each actuator's half control range (or of `scale` for an unlimited actuator),
/// u₀ ~ N(0, σ²) and u_{t+1} = a·u_t + √(1 − a²)·σ·ε with a = exp(−θ·dt): the exact discretisation,
/// stationary with standard deviation σ and correlation time 1/θ. Controls are
/// `mid + half·u`, clamped by the simulator. Open loop: one batched rollout.
///
/// Parameters: `theta` (1/s, default 5), `sigma` (default 0.5), `scale` (control units for
/// unlimited actuators, default 1).
public struct RandomPolicy: DataCollectionPolicy {
    public static let typeName = "random"
    /// Mean-reversion rate, in 1/s.
    public var theta: Double
    /// Stationary standard deviation, in half control ranges.
    public var sigma: Double
    /// Control centre and half-width per actuator [nu].
    var centre: [Double], halfWidth: [Double]
    /// Seconds per step.
    let dt: Double

    public init(parameters: RecipeObject, model: RobotModel) throws {
        try parameters.rejectUnknownKeys(["type", "theta", "sigma", "scale"])
        theta = try parameters.double("theta", default: 5, in: 0...1e6)
        sigma = try parameters.double("sigma", default: 0.5, in: 0...1e6)
        let scale = try parameters.double("scale", default: 1, in: 0...1e12)
        (centre, halfWidth) = controlScale(model, unlimited: scale)
        dt = model.options.timestep
    }

    public func collect(_ batch: inout EpisodeBatch) throws -> CollectedEpisodes {
        let (B, T, nu) = (batch.count, batch.steps, batch.model.nu)
        let a = exp(-theta * dt), innovation = (1 - a * a).squareRoot() * sigma
        var controls = [Double](repeating: 0, count: B * T * nu)
        for b in 0..<B {
            var u = (0..<nu).map { _ in sigma * batch.generators[b].gaussian() }
            for t in 0..<T {
                for j in 0..<nu {
                    controls[(b * T + t) * nu + j] = centre[j] + halfWidth[j] * u[j]
                    u[j] = a * u[j] + innovation * batch.generators[b].gaussian()
                }
            }
        }
        return CollectedEpisodes(rollout: try batch.rollout(controls: controls), goal: [Int](repeating: -1, count: B))
    }
}

/// `sinusoid`: excitation ("motor babbling") controls, a sum of sinusoids per actuator with
/// random amplitudes, frequencies and phases drawn per episode. Open loop.
///
/// u_j(t) = mid_j + half_j · Σ_k A_k sin(2π f_k t + φ_k), with A_k ~ U(0, amplitude / components),
/// f_k ~ U(min_frequency, max_frequency) Hz, φ_k ~ U(0, 2π).
///
/// Parameters: `components` (default 3), `amplitude` (half ranges, default 1), `min_frequency`
/// and `max_frequency` (Hz, default 0.2 and 2), `scale` (control units for unlimited actuators).
public struct SinusoidPolicy: DataCollectionPolicy {
    public static let typeName = "sinusoid"
    public var components: Int
    public var amplitude: Double
    /// Frequency range, in Hz.
    public var frequencies: ClosedRange<Double>
    var centre: [Double], halfWidth: [Double]
    let dt: Double

    public init(parameters: RecipeObject, model: RobotModel) throws {
        try parameters.rejectUnknownKeys(["type", "components", "amplitude", "min_frequency", "max_frequency", "scale"])
        components = try parameters.int("components", default: 3, minimum: 1)
        amplitude = try parameters.double("amplitude", default: 1, in: 0...1e6)
        let low = try parameters.double("min_frequency", default: 0.2, in: 0...1e6)
        let high = try parameters.double("max_frequency", default: 2, in: 0...1e6)
        guard low <= high else { throw parameters.error("min_frequency", "\(low) exceeds max_frequency \(high)") }
        frequencies = low...high
        let scale = try parameters.double("scale", default: 1, in: 0...1e12)
        (centre, halfWidth) = controlScale(model, unlimited: scale)
        dt = model.options.timestep
    }

    public func collect(_ batch: inout EpisodeBatch) throws -> CollectedEpisodes {
        let (B, T, nu, K) = (batch.count, batch.steps, batch.model.nu, components)
        var controls = [Double](repeating: 0, count: B * T * nu)
        for b in 0..<B {
            for j in 0..<nu {
                var terms: [(amplitude: Double, omega: Double, phase: Double)] = []
                for _ in 0..<K {
                    let amp = amplitude / Double(K) * batch.generators[b].uniform()
                    let f = frequencies.lowerBound + (frequencies.upperBound - frequencies.lowerBound) * batch.generators[b].uniform()
                    terms.append((amp, 2 * Double.pi * f, 2 * Double.pi * batch.generators[b].uniform()))
                }
                for t in 0..<T {
                    let time = Double(t) * dt
                    let u = terms.reduce(0.0) { $0 + $1.amplitude * sin($1.omega * time + $1.phase) }
                    controls[(b * T + t) * nu + j] = centre[j] + halfWidth[j] * u
                }
            }
        }
        return CollectedEpisodes(rollout: try batch.rollout(controls: controls), goal: [Int](repeating: -1, count: B))
    }
}

/// Centre and half-width of each actuator's control range; `unlimited` half-width for actuators
/// without one.
func controlScale(_ model: RobotModel, unlimited: Double) -> (centre: [Double], halfWidth: [Double]) {
    let ranges = model.actuators.ctrlRange
    return (ranges.map { r in r.map { ($0.0 + $0.1) / 2 } ?? 0 },
            ranges.map { r in r.map { ($0.1 - $0.0) / 2 } ?? unlimited })
}
