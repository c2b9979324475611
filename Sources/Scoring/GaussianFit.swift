// GaussianFit: a Gaussian fitted to points, and the squared Fréchet (2-Wasserstein) distance
// between two of them (as FID), with the small symmetric eigensolver it needs.

import Foundation

/// Mean and covariance of points (n, d).
public struct GaussianFit: Codable, Equatable, Sendable {
    /// Mean (d).
    public var mean: [Double]
    /// Covariance (d, d), row-major, with 1/(n − 1); zero for n ≤ 1.
    public var covariance: [Double]

    public init(mean: [Double], covariance: [Double]) {
        precondition(covariance.count == mean.count * mean.count, "GaussianFit: covariance must be d × d")
        (self.mean, self.covariance) = (mean, covariance)
    }

    /// The fit of points (n, d); the zero fit when there are none.
    public init(_ points: [ArraySlice<Double>], dimension d: Int) {
        let n = points.count
        var m = [Double](repeating: 0, count: d), c = [Double](repeating: 0, count: d * d)
        if n > 0 { for p in points { for (j, v) in p.enumerated() { m[j] += v / Double(n) } } }
        if n > 1 {
            for p in points {
                let r = p.enumerated().map { $0.element - m[$0.offset] }
                for a in 0..<d { for b in 0..<d { c[a * d + b] += r[a] * r[b] / Double(n - 1) } }
            }
        }
        (mean, covariance) = (m, c)
    }

    /// The squared Fréchet (2-Wasserstein) distance between N(μ₁, Σ₁) and N(μ₂, Σ₂), as in FID:
    ///
    ///     ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½)
    public func frechetSquared(to other: GaussianFit) -> Double {
        let d = mean.count
        let r = Self.sqrtPSD(covariance, d)
        let cross = Self.sqrtPSD(Self.multiply(Self.multiply(r, other.covariance, d), r, d), d)
        var value = zip(mean, other.mean).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
        for i in 0..<d { value += covariance[i * d + i] + other.covariance[i * d + i] - 2 * cross[i * d + i] }
        return max(value, 0)
    }

    // MARK: - Small dense linear algebra

    /// Eigenvalues and eigenvectors (columns of `vectors`, row-major d × d) of a symmetric matrix,
    /// by cyclic Jacobi rotations (to 1e-14 relative off-diagonal mass).
    public static func symmetricEigen(_ a: [Double], _ d: Int) -> (values: [Double], vectors: [Double]) {
        var m = a, v = [Double](repeating: 0, count: d * d)
        for i in 0..<d { v[i * d + i] = 1 }
        let scale = max(a.map { $0 * $0 }.reduce(0, +), 1e-300)
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<d { for j in 0..<d where i != j { off += m[i * d + j] * m[i * d + j] } }
            if off <= 1e-28 * scale { break }
            for p in 0..<d {
                for q in (p + 1)..<max(p + 1, d) where m[p * d + q] != 0 {
                    // the rotation that zeroes m[p][q] (Golub & Van Loan, Algorithm 8.5.1)
                    let theta = (m[q * d + q] - m[p * d + p]) / (2 * m[p * d + q])
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<d {
                        let (mkp, mkq) = (m[k * d + p], m[k * d + q])
                        m[k * d + p] = c * mkp - s * mkq; m[k * d + q] = s * mkp + c * mkq
                    }
                    for k in 0..<d {
                        let (mpk, mqk) = (m[p * d + k], m[q * d + k])
                        m[p * d + k] = c * mpk - s * mqk; m[q * d + k] = s * mpk + c * mqk
                    }
                    for k in 0..<d {
                        let (vkp, vkq) = (v[k * d + p], v[k * d + q])
                        v[k * d + p] = c * vkp - s * vkq; v[k * d + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<d).map { m[$0 * d + $0] }, v)
    }

    /// The symmetric positive semi-definite square root (negative eigenvalues from round-off clamped to 0).
    public static func sqrtPSD(_ a: [Double], _ d: Int) -> [Double] {
        let (values, v) = symmetricEigen(a, d)
        var out = [Double](repeating: 0, count: d * d)
        for k in 0..<d {
            let r = max(values[k], 0).squareRoot()
            for i in 0..<d { for j in 0..<d { out[i * d + j] += v[i * d + k] * r * v[j * d + k] } }
        }
        return out
    }

    /// The product of two d × d row-major matrices.
    static func multiply(_ a: [Double], _ b: [Double], _ d: Int) -> [Double] {
        var c = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for k in 0..<d { let x = a[i * d + k]; for j in 0..<d { c[i * d + j] += x * b[k * d + j] } } }
        return c
    }
}
