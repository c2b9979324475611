// Energy: the one thing every sampler reads — E and ∂E/∂x over a batch of flat vectors — and the
// compositions of energies (weighted sums) and adapters (pointwise closures run over chains).

import Foundation

/// A differentiable energy over flat vectors, evaluated for many points at once.
///
/// A point is `dimension` numbers; a batch of `count` points is laid out (count, dimension).
/// Samplers target the density p(x) ∝ exp(−E(x)).
public protocol BatchEnergy {
    /// Numbers per point.
    var dimension: Int { get }
    /// E(x) and ∂E/∂x for `count` points `x` (count, dimension).
    /// Returns energies (count) and gradients (count, dimension).
    func energiesAndGradients(_ x: [Double], count: Int) -> (energies: [Double], gradients: [Double])
    /// E(x) for `count` points `x` (count, dimension). Defaults to the gradient call.
    func energies(_ x: [Double], count: Int) -> [Double]
}

extension BatchEnergy {
    public func energies(_ x: [Double], count: Int) -> [Double] { energiesAndGradients(x, count: count).energies }
}

/// Σ wᵢ Eᵢ(x): energies compose by weighted sums (a product of densities when all wᵢ = 1).
public struct WeightedSumEnergy: BatchEnergy {
    /// The terms and their weights (unitless).
    public let terms: [(weight: Double, energy: any BatchEnergy)]
    public let dimension: Int

    /// Throws when the terms differ in dimension, there are none, or a weight is not finite.
    public init(_ terms: [(weight: Double, energy: any BatchEnergy)]) throws {
        guard let first = terms.first else { throw SamplingError.invalidArgument("WeightedSumEnergy: no terms") }
        for (i, t) in terms.enumerated() {
            guard t.energy.dimension == first.energy.dimension else {
                throw SamplingError.invalidArgument("WeightedSumEnergy: term \(i) has dimension \(t.energy.dimension), term 0 has \(first.energy.dimension)")
            }
            guard t.weight.isFinite else { throw SamplingError.invalidArgument("WeightedSumEnergy: term \(i) has weight \(t.weight)") }
        }
        (self.terms, dimension) = (terms, first.energy.dimension)
    }

    public func energiesAndGradients(_ x: [Double], count: Int) -> (energies: [Double], gradients: [Double]) {
        var e = [Double](repeating: 0, count: count), g = [Double](repeating: 0, count: count * dimension)
        for (w, term) in terms {
            let (te, tg) = term.energiesAndGradients(x, count: count)
            for i in 0..<count { e[i] += w * te[i] }
            for i in 0..<g.count { g[i] += w * tg[i] }
        }
        return (e, g)
    }
}

/// An energy given for one point at a time, run over the points of a batch in parallel on all
/// cores (for energies that are not batched already).
public struct PointwiseEnergy: BatchEnergy {
    public let dimension: Int
    /// E(x) and ∂E/∂x for one point x (dimension).
    public let body: @Sendable ([Double]) -> (energy: Double, gradient: [Double])

    public init(dimension: Int, _ body: @escaping @Sendable ([Double]) -> (energy: Double, gradient: [Double])) {
        (self.dimension, self.body) = (dimension, body)
    }

    public func energiesAndGradients(_ x: [Double], count: Int) -> (energies: [Double], gradients: [Double]) {
        let d = dimension
        var e = [Double](repeating: 0, count: count), g = [Double](repeating: 0, count: count * d)
        e.withUnsafeMutableBufferPointer { eb in
            g.withUnsafeMutableBufferPointer { gb in
                let (ep, gp) = (eb.baseAddress!, gb.baseAddress!)
                // Each point writes only its own slots, so the workers never share memory.
                let body = self.body
                nonisolated(unsafe) let eOut = ep
                nonisolated(unsafe) let gOut = gp
                DispatchQueue.concurrentPerform(iterations: count) { i in
                    let (energy, gradient) = body(Array(x[i * d..<(i + 1) * d]))
                    eOut[i] = energy
                    for j in 0..<d { gOut[i * d + j] = gradient[j] }
                }
            }
        }
        return (e, g)
    }
}

/// E(x) = ½ (x − μ)ᵀ Σ⁻¹ (x − μ): the Gaussian N(μ, Σ) (an oracle for tests and a prior term).
public struct GaussianEnergy: BatchEnergy {
    public let mean: [Double]
    /// Σ⁻¹, (dimension, dimension), row-major.
    public let precision: [Double]
    public var dimension: Int { mean.count }

    /// N(mean, covariance); `covariance` (d, d) row-major, symmetric positive definite.
    public init(mean: [Double], covariance: [Double]) throws {
        let d = mean.count
        guard d > 0, covariance.count == d * d else {
            throw SamplingError.invalidArgument("GaussianEnergy: covariance has \(covariance.count) values, not \(d)×\(d)")
        }
        self.mean = mean
        precision = try Self.inverse(covariance, d)
    }

    /// Gauss–Jordan inverse with partial pivoting of a small matrix.
    static func inverse(_ a: [Double], _ n: Int) throws -> [Double] {
        var m = a, inv = [Double](repeating: 0, count: n * n)
        for i in 0..<n { inv[i * n + i] = 1 }
        for c in 0..<n {
            let p = (c..<n).max { abs(m[$0 * n + c]) < abs(m[$1 * n + c]) }!
            guard abs(m[p * n + c]) > 1e-300 else { throw SamplingError.invalidArgument("GaussianEnergy: covariance is singular") }
            for j in 0..<n { m.swapAt(c * n + j, p * n + j); inv.swapAt(c * n + j, p * n + j) }
            let s = 1 / m[c * n + c]
            for j in 0..<n { m[c * n + j] *= s; inv[c * n + j] *= s }
            for r in 0..<n where r != c {
                let f = m[r * n + c]
                if f == 0 { continue }
                for j in 0..<n { m[r * n + j] -= f * m[c * n + j]; inv[r * n + j] -= f * inv[c * n + j] }
            }
        }
        return inv
    }

    public func energiesAndGradients(_ x: [Double], count: Int) -> (energies: [Double], gradients: [Double]) {
        let d = dimension
        var e = [Double](repeating: 0, count: count), g = [Double](repeating: 0, count: count * d)
        var r = [Double](repeating: 0, count: d)
        for b in 0..<count {
            for j in 0..<d { r[j] = x[b * d + j] - mean[j] }
            var energy = 0.0
            for i in 0..<d {
                var s = 0.0
                for j in 0..<d { s += precision[i * d + j] * r[j] }
                g[b * d + i] = s
                energy += r[i] * s
            }
            e[b] = 0.5 * energy
        }
        return (e, g)
    }
}

/// A bad argument or a failed run, with a message that names the parameter.
public enum SamplingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A bad argument (a count, a size, a step size, a model of the wrong kind), in words.
    case invalidArgument(String)
    /// The energy became NaN or infinite (at the initial points, or during a run).
    case nonFinite(String)
    /// A block of chains failed; the message names the block and the cause.
    case failed(String)

    public var description: String {
        switch self {
        case .invalidArgument(let m), .nonFinite(let m), .failed(let m): return m
        }
    }
}
