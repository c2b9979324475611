// Fixtures: analytic energies with known moments, and moment estimators.

import Foundation
@testable import Sampling

/// p(x) = Σ wₖ N(x; μₖ, s² I) in 2-D: E = −log p (up to a constant).
struct MixtureEnergy: BatchEnergy {
    var means: [[Double]]
    var weights: [Double]
    var scale: Double
    var dimension: Int { 2 }

    func energiesAndGradients(_ x: [Double], count: Int) -> (energies: [Double], gradients: [Double]) {
        var e = [Double](repeating: 0, count: count), g = [Double](repeating: 0, count: 2 * count)
        let s2 = scale * scale
        for b in 0..<count {
            let p = [x[2 * b], x[2 * b + 1]]
            var total = 0.0, gx = 0.0, gy = 0.0
            for (m, w) in zip(means, weights) {
                let dx = p[0] - m[0], dy = p[1] - m[1]
                let density = w * exp(-(dx * dx + dy * dy) / (2 * s2))
                total += density
                gx += density * dx / s2
                gy += density * dy / s2
            }
            e[b] = -log(max(total, 1e-300))
            g[2 * b] = gx / max(total, 1e-300)
            g[2 * b + 1] = gy / max(total, 1e-300)
        }
        return (e, g)
    }
}

/// Sample mean (d) and covariance (d, d) of `samples` (n, d).
func moments(_ samples: [Double], dimension d: Int) -> (mean: [Double], covariance: [Double]) {
    let n = samples.count / d
    var m = [Double](repeating: 0, count: d), c = [Double](repeating: 0, count: d * d)
    for i in 0..<n { for j in 0..<d { m[j] += samples[i * d + j] / Double(n) } }
    for i in 0..<n {
        for a in 0..<d { for b in 0..<d { c[a * d + b] += (samples[i * d + a] - m[a]) * (samples[i * d + b] - m[b]) / Double(n - 1) } }
    }
    return (m, c)
}

/// `chains` copies of `point`.
func replicate(_ point: [Double], _ chains: Int) -> [Double] { Array((0..<chains).map { _ in point }.joined()) }

/// The 2-D Gaussian every sampler is checked on: mean (1, −2), covariance [[1, 0.6], [0.6, 2]].
let targetMean = [1.0, -2.0], targetCovariance = [1.0, 0.6, 0.6, 2.0]
