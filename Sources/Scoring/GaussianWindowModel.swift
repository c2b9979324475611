// GaussianWindowModel: the likelihood baseline — a full-covariance Gaussian over the same
// normalised window rows the energy model reads, scored as −log p(future | context).

import EnergyModels
import Foundation
import Trajectories

/// A Gaussian N(μ, Σ) over normalised window rows x = [context c, future f] (`WindowEncoding`),
/// fitted by maximum likelihood on training windows; the anomaly score of a window is the
/// conditional negative log-likelihood −log p(f | c) = −log p(c, f) + log p(c), in nats.
///
/// Conditioning on the context keeps the comparison with E_θ(future | context) fair: neither
/// score is charged for how unusual the context itself is.
public struct GaussianWindowModel: EncodedWindowScorer {
    public let encoding: WindowEncoding
    /// Mean of the rows (width).
    public let mean: [Double]
    /// Lower Cholesky factor of Σ + ridge·I (width × width, row-major).
    let jointFactor: [Double]
    /// Lower Cholesky factor of the context block Σ_cc + ridge·I (contextWidth × contextWidth).
    let contextFactor: [Double]

    public var name: String { "Gaussian NLL" }
    public var contextLength: Int { encoding.contextLength }
    public var horizon: Int { encoding.horizon }
    public var stateSize: Int { encoding.stateSize }

    /// Fits the mean and covariance of every `stride`-th window of `windows` encoded with `encoding`.
    /// - Parameter ridge: added to the covariance diagonal (normalised units², unitless), so
    ///   near-deterministic features (a joint at rest) keep the factor positive definite.
    /// - Throws: `ScoringError` when the window geometry differs or no window is left.
    public init(windows: TrajectoryWindows, encoding: WindowEncoding, stride: Int = 1, ridge: Double = 1e-4) throws {
        guard windows.context == encoding.contextLength, windows.future == encoding.horizon,
              windows.dataset.stateSize == encoding.stateSize else {
            throw ScoringError.invalidArgument("Gaussian baseline: windows of \(windows.context)+\(windows.future) states of \(windows.dataset.stateSize), the encoding reads \(encoding.contextLength)+\(encoding.horizon) of \(encoding.stateSize)")
        }
        let indices = Array(Swift.stride(from: 0, to: windows.count, by: max(1, stride)))
        guard indices.count >= 2 else { throw ScoringError.invalidArgument("Gaussian baseline: \(indices.count) training windows; need at least 2") }
        let d = encoding.width
        var sum = [Double](repeating: 0, count: d)
        var outer = [Double](repeating: 0, count: d * d)
        // windows in chunks: raw → normalised rows → running sums of x and x xᵀ (upper triangle)
        let chunk = 2048
        var context: [Float] = [], future: [Float] = []
        for start in Swift.stride(from: 0, to: indices.count, by: chunk) {
            let part = Array(indices[start..<min(start + chunk, indices.count)])
            encoding.gather(windows, part, context: &context, future: &future)
            let rows = encoding.encode(context: context, future: future)
            for b in 0..<part.count {
                let x = rows[(b * d)..<((b + 1) * d)].map(Double.init)
                for i in 0..<d {
                    sum[i] += x[i]
                    let xi = x[i]
                    for j in i..<d { outer[i * d + j] += xi * x[j] }
                }
            }
        }
        let n = Double(indices.count)
        let mu = sum.map { $0 / n }
        var covariance = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for j in i..<d {
                let c = outer[i * d + j] / n - mu[i] * mu[j]
                covariance[i * d + j] = c
                covariance[j * d + i] = c
            }
            covariance[i * d + i] += ridge
        }
        try self.init(encoding: encoding, mean: mu, covariance: covariance)
    }

    /// A model with given moments (rows of `encoding.width` features; `covariance` row-major, SPD).
    public init(encoding: WindowEncoding, mean: [Double], covariance: [Double]) throws {
        let (d, c) = (encoding.width, encoding.contextWidth)
        guard mean.count == d, covariance.count == d * d else {
            throw ScoringError.invalidArgument("Gaussian baseline: moments of \(mean.count) features, the encoding has \(d)")
        }
        self.encoding = encoding
        self.mean = mean
        jointFactor = try Self.cholesky(covariance, d)
        var block = [Double](repeating: 0, count: c * c)
        for i in 0..<c { for j in 0..<c { block[i * c + j] = covariance[i * d + j] } }
        contextFactor = try Self.cholesky(block, c)
    }

    /// Lower-triangular L with L Lᵀ = A (n × n, row-major).
    static func cholesky(_ a: [Double], _ n: Int) throws -> [Double] {
        var l = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            var s = a[j * n + j]
            for k in 0..<j { s -= l[j * n + k] * l[j * n + k] }
            guard s > 0, s.isFinite else { throw ScoringError.invalidArgument("Gaussian baseline: covariance is not positive definite (pivot \(j) is \(s))") }
            let diagonal = s.squareRoot()
            l[j * n + j] = diagonal
            for i in (j + 1)..<max(j + 1, n) {
                var t = a[i * n + j]
                for k in 0..<j { t -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = t / diagonal
            }
        }
        return l
    }

    /// −log N(x; μ, L Lᵀ) for the first n entries of x − μ: ½‖L⁻¹r‖² + Σ log Lᵢᵢ + (n/2) log 2π.
    static func negativeLogDensity(_ r: [Double], factor l: [Double], _ n: Int) -> Double {
        var y = [Double](repeating: 0, count: n)
        var quadratic = 0.0, logDeterminant = 0.0
        // forward substitution L y = r
        for i in 0..<n {
            var s = r[i]
            for k in 0..<i { s -= l[i * n + k] * y[k] }
            y[i] = s / l[i * n + i]
            quadratic += y[i] * y[i]
            logDeterminant += log(l[i * n + i])
        }
        return 0.5 * quadratic + logDeterminant + 0.5 * Double(n) * log(2 * Double.pi)
    }

    /// −log p(future | context) of normalised rows (B, width), in nats.
    public func conditionalNegativeLogLikelihood(rows: [Float]) -> [Double] {
        let (d, c) = (encoding.width, encoding.contextWidth)
        return (0..<(rows.count / d)).map { b in
            let r = (0..<d).map { Double(rows[b * d + $0]) - mean[$0] }
            return Self.negativeLogDensity(r, factor: jointFactor, d) - Self.negativeLogDensity(r, factor: contextFactor, c)
        }
    }

    public func scores(context: [Float], future: [Float]) -> [Double] {
        conditionalNegativeLogLikelihood(rows: encoding.encode(context: context, future: future))
    }
}
