import Simulation

/// Position inverse kinematics of one site by damped least squares (Wampler 1986; Buss 2004):
/// Δq = Jᵀ (J Jᵀ + λ² I)⁻¹ (x* − x(q)), batched over targets through the simulator's
/// `kinematics(qpos:batch:jacobianSite:)`, with joint limits enforced after every iteration.
public struct InverseKinematics {
    public let model: RobotModel
    /// The site to place.
    public let site: Int
    /// Damping λ, in metres: trades accuracy near singularities for bounded steps.
    public var damping = 0.01
    /// Fixed iteration count (no early exit, so every target takes the same path length).
    public var iterations = 200
    /// Largest joint step per iteration, in rad (or m), against overshoot far from the solution.
    public var maxStep = 0.5

    public init(model: RobotModel, site: Int) {
        self.model = model
        self.site = site
    }

    /// Joint positions [K, nq] that put the site at each target [K, 3], starting every target
    /// from `seed` [nq]; and the remaining distance to each target [K], in metres.
    public func solve(targets: [[Double]], seed: [Double]) throws -> (qpos: [Double], residual: [Double]) {
        let (K, nq, nv) = (targets.count, model.nq, model.nv)
        precondition(nq == nv && seed.count == nq)
        let joints = model.joints
        var q = (0..<K).flatMap { _ in seed }  // [K, nq]
        func residuals(_ sites: [Double]) -> [[Double]] {
            (0..<K).map { k in (0..<3).map { targets[k][$0] - sites[(k * model.nsite + site) * 3 + $0] } }
        }
        for _ in 0..<iterations {
            let (sites, jac) = try model.kinematics(qpos: q, batch: K, jacobianSite: site)  // jac: [K, 3, nv]
            let error = residuals(sites)
            for k in 0..<K {
                let J = Array(jac[(k * 3 * nv)..<((k + 1) * 3 * nv)])  // [3, nv]
                // A = J Jᵀ + λ² I (3 x 3, symmetric positive definite); y = A⁻¹ e
                var A = [Double](repeating: 0, count: 9)
                for r in 0..<3 {
                    for c in 0..<3 {
                        var s = 0.0
                        for i in 0..<nv { s += J[r * nv + i] * J[c * nv + i] }
                        A[r * 3 + c] = s + (r == c ? damping * damping : 0)
                    }
                }
                let y = solve3(A, error[k])
                var dq = (0..<nv).map { i in (0..<3).reduce(0.0) { $0 + J[$1 * nv + i] * y[$1] } }
                let norm = dq.reduce(0) { max($0, abs($1)) }
                if norm > maxStep { dq = dq.map { $0 * maxStep / norm } }
                for i in 0..<nv {
                    var value = q[k * nq + i] + dq[i]
                    if joints.limited[i] { value = min(max(value, joints.range[i].0), joints.range[i].1) }
                    q[k * nq + i] = value
                }
            }
        }
        let final = residuals(try model.kinematics(qpos: q, batch: K).sites)
        return (q, final.map { e in (e[0] * e[0] + e[1] * e[1] + e[2] * e[2]).squareRoot() })
    }

    /// Solves the 3 x 3 system A y = e by Cramer's rule (A is well conditioned: λ² I is added).
    private func solve3(_ A: [Double], _ e: [Double]) -> [Double] {
        func det(_ m: [Double]) -> Double {
            m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6])
        }
        let d = det(A)
        return (0..<3).map { column in
            var m = A
            for r in 0..<3 { m[r * 3 + column] = e[r] }
            return det(m) / d
        }
    }
}
