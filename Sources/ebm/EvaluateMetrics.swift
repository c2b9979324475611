// EvaluateMetrics: the sample-set scores of `ebm evaluate` as plain functions over points, so each
// is checked by hand in a unit test: energy score, MMD, Gaussian fits and the Fréchet distance,
// and the share of rollouts that stay inside the data's state ranges.

import Foundation

enum SampleMetrics {
    /// Euclidean distance of two points of equal length.
    static func distance(_ a: ArraySlice<Double>, _ b: ArraySlice<Double>) -> Double {
        var s = 0.0
        for (x, y) in zip(a, b) { s += (x - y) * (x - y) }
        return s.squareRoot()
    }

    /// Points (n, d) as slices.
    static func rows(_ flat: [Double], dimension d: Int) -> [ArraySlice<Double>] {
        (0..<flat.count / d).map { flat[$0 * d..<($0 + 1) * d] }
    }

    // MARK: - Energy score

    /// The energy score of the sample set X (predictions) against the observations Y, averaged
    /// over the observations (Gneiting & Raftery 2007, eq. 22, β = 1):
    ///
    ///     ES = (1/M) Σ_j (1/K) Σ_i ‖x_i − y_j‖  −  1/(2K²) Σ_i Σ_i' ‖x_i − x_i'‖
    ///
    /// A proper scoring rule: lower is better, and its expectation over Y is smallest when X is
    /// drawn from Y's distribution. With one prediction (K = 1) it is the mean distance to Y.
    static func energyScore(_ x: [ArraySlice<Double>], _ y: [ArraySlice<Double>]) -> Double {
        precondition(!x.isEmpty && !y.isEmpty, "energyScore: empty set")
        var cross = 0.0
        for a in x { for b in y { cross += distance(a, b) } }
        var spread = 0.0
        for i in 0..<x.count { for j in (i + 1)..<max(i + 1, x.count) { spread += 2 * distance(x[i], x[j]) } }
        return cross / Double(x.count * y.count) - spread / (2 * Double(x.count * x.count))
    }

    // MARK: - MMD

    /// The median of the pairwise distances of the pooled points (i < j); 1 when all coincide.
    static func medianDistance(_ points: [ArraySlice<Double>]) -> Double {
        var d: [Double] = []
        for i in 0..<points.count { for j in (i + 1)..<max(i + 1, points.count) { d.append(distance(points[i], points[j])) } }
        d.sort()
        guard !d.isEmpty else { return 1 }
        let m = d.count % 2 == 1 ? d[d.count / 2] : 0.5 * (d[d.count / 2 - 1] + d[d.count / 2])
        return m > 0 ? m : 1
    }

    /// Squared maximum mean discrepancy between X and Y with the Gaussian kernel
    /// k(a, b) = exp(−‖a − b‖² / (2σ²)), the biased (V-statistic) estimate
    ///
    ///     MMD² = mean k(X, X) + mean k(Y, Y) − 2 mean k(X, Y)
    ///
    /// (Gretton et al. 2012, eq. 5; it includes the i = j terms, so it is defined for K = 1 and is
    /// exactly 0 for identical sets). σ: `bandwidth`, or the median heuristic — the median
    /// pairwise distance of X ∪ Y.
    static func mmdSquared(_ x: [ArraySlice<Double>], _ y: [ArraySlice<Double>], bandwidth: Double? = nil) -> (mmd2: Double, bandwidth: Double) {
        precondition(!x.isEmpty && !y.isEmpty, "mmdSquared: empty set")
        let sigma = bandwidth ?? medianDistance(x + y)
        func k(_ a: ArraySlice<Double>, _ b: ArraySlice<Double>) -> Double {
            let d = distance(a, b)
            return exp(-d * d / (2 * sigma * sigma))
        }
        func meanKernel(_ p: [ArraySlice<Double>], _ q: [ArraySlice<Double>]) -> Double {
            var s = 0.0
            for a in p { for b in q { s += k(a, b) } }
            return s / Double(p.count * q.count)
        }
        return (max(0, meanKernel(x, x) + meanKernel(y, y) - 2 * meanKernel(x, y)), sigma)
    }

    // MARK: - Gaussian fits and the Fréchet distance

    /// Mean (d) and covariance (d, d) of points (n, d); covariance with 1/(n − 1), zero for n = 1.
    static func gaussianFit(_ points: [ArraySlice<Double>], dimension d: Int) -> (mean: [Double], covariance: [Double]) {
        let n = points.count
        var m = [Double](repeating: 0, count: d), c = [Double](repeating: 0, count: d * d)
        guard n > 0 else { return (m, c) }
        for p in points { for (j, v) in p.enumerated() { m[j] += v / Double(n) } }
        guard n > 1 else { return (m, c) }
        for p in points {
            let r = p.enumerated().map { $0.element - m[$0.offset] }
            for a in 0..<d { for b in 0..<d { c[a * d + b] += r[a] * r[b] / Double(n - 1) } }
        }
        return (m, c)
    }

    /// Eigenvalues and eigenvectors (columns of `vectors`, row-major d × d) of a symmetric matrix,
    /// by cyclic Jacobi rotations (to 1e-14 relative off-diagonal mass).
    static func symmetricEigen(_ a: [Double], _ d: Int) -> (values: [Double], vectors: [Double]) {
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
    static func sqrtPSD(_ a: [Double], _ d: Int) -> [Double] {
        let (values, v) = symmetricEigen(a, d)
        var out = [Double](repeating: 0, count: d * d)
        for k in 0..<d {
            let r = max(values[k], 0).squareRoot()
            for i in 0..<d { for j in 0..<d { out[i * d + j] += v[i * d + k] * r * v[j * d + k] } }
        }
        return out
    }

    static func multiply(_ a: [Double], _ b: [Double], _ d: Int) -> [Double] {
        var c = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for k in 0..<d { let x = a[i * d + k]; for j in 0..<d { c[i * d + j] += x * b[k * d + j] } } }
        return c
    }

    /// The squared Fréchet (2-Wasserstein) distance between N(μ₁, Σ₁) and N(μ₂, Σ₂), as in FID:
    ///
    ///     ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½)
    static func frechetSquared(_ a: (mean: [Double], covariance: [Double]), _ b: (mean: [Double], covariance: [Double])) -> Double {
        let d = a.mean.count
        let r = sqrtPSD(a.covariance, d)
        let cross = sqrtPSD(multiply(multiply(r, b.covariance, d), r, d), d)
        var value = zip(a.mean, b.mean).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
        for i in 0..<d { value += a.covariance[i * d + i] + b.covariance[i * d + i] - 2 * cross[i * d + i] }
        return max(value, 0)
    }

    // MARK: - Staying within the data's ranges

    /// Per-dimension bounds [lower, upper]: the data's minimum and maximum widened on each side by
    /// `margin` × (maximum − minimum).
    struct StateRanges: Equatable {
        var lower: [Double], upper: [Double]
        /// The margin as a fraction of each dimension's range.
        var margin: Double

        /// The bounds of the states (n, S).
        init(states: [Double], stateSize S: Int, margin: Double) {
            var lo = [Double](repeating: .infinity, count: S), hi = [Double](repeating: -.infinity, count: S)
            for i in 0..<states.count / S {
                for d in 0..<S where states[i * S + d].isFinite {
                    lo[d] = min(lo[d], states[i * S + d]); hi[d] = max(hi[d], states[i * S + d])
                }
            }
            lower = (0..<S).map { lo[$0] - margin * (hi[$0] - lo[$0]) }
            upper = (0..<S).map { hi[$0] + margin * (hi[$0] - lo[$0]) }
            self.margin = margin
        }

        /// Whether a state (S) lies within the bounds (a non-finite number never does).
        func contains(_ state: ArraySlice<Double>) -> Bool {
            for (j, v) in state.enumerated() where !(v >= lower[j] && v <= upper[j]) { return false }
            return true
        }

        /// For paths (count, length, S): at each step t (0-based), the share of paths whose states
        /// 0...t all lie within the bounds. Non-increasing in t.
        func stayedWithin(_ paths: [Double], count: Int, length: Int) -> [Double] {
            let S = lower.count
            var stayed = [Int](repeating: 0, count: length)
            for p in 0..<count {
                var t = 0
                while t < length && contains(paths[(p * length + t) * S..<(p * length + t + 1) * S]) { t += 1 }
                for u in 0..<t { stayed[u] += 1 }
            }
            return stayed.map { Double($0) / Double(count) }
        }
    }
}
