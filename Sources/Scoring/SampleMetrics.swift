// SampleMetrics: scores of a set of sampled points against observed ones — the energy score and
// the maximum mean discrepancy — as plain functions over points, each checked by hand in a test.

import Foundation

/// Distances and proper scores between point sets; a point is a slice of d numbers.
public enum SampleMetrics {
    /// Euclidean distance of two points of equal length.
    public static func distance(_ a: ArraySlice<Double>, _ b: ArraySlice<Double>) -> Double {
        var s = 0.0
        for (x, y) in zip(a, b) { s += (x - y) * (x - y) }
        return s.squareRoot()
    }

    /// Points (n, d) as slices.
    public static func rows(_ flat: [Double], dimension d: Int) -> [ArraySlice<Double>] {
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
    public static func energyScore(_ x: [ArraySlice<Double>], _ y: [ArraySlice<Double>]) -> Double {
        precondition(!x.isEmpty && !y.isEmpty, "energyScore: empty set")
        var cross = 0.0
        for a in x { for b in y { cross += distance(a, b) } }
        var spread = 0.0
        for i in 0..<x.count { for j in (i + 1)..<max(i + 1, x.count) { spread += 2 * distance(x[i], x[j]) } }
        return cross / Double(x.count * y.count) - spread / (2 * Double(x.count * x.count))
    }

    // MARK: - MMD

    /// A squared MMD and the kernel bandwidth it was measured with.
    public struct Discrepancy: Codable, Equatable, Sendable {
        /// MMD², in kernel units (0 for identical sets).
        public var mmd2: Double
        /// The Gaussian kernel's σ, in the points' units.
        public var bandwidth: Double
    }

    /// The median of the pairwise distances of the pooled points (i < j); 1 when all coincide.
    public static func medianDistance(_ points: [ArraySlice<Double>]) -> Double {
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
    public static func mmdSquared(_ x: [ArraySlice<Double>], _ y: [ArraySlice<Double>], bandwidth: Double? = nil) -> Discrepancy {
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
        return Discrepancy(mmd2: max(0, meanKernel(x, x) + meanKernel(y, y) - 2 * meanKernel(x, y)), bandwidth: sigma)
    }
}
