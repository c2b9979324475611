// TrajectoryDataset+Kinematics: whether the states are (q, v) pairs tied by the trapezoid rule, and
// at what timestep — what lets padded windows and future bases keep the kinematics.

extension TrajectoryDataset {
    /// dt when every state is (q, v) with q, v of S/2 numbers each and
    /// q_{t+1} − q_t = dt (v_t + v_{t+1})/2 explaining 99 % of the position steps' sum of squares (least squares over
    /// every step of every episode), else nil.
    public func positionVelocityTimestep() -> Double? {
        let S = stateSize, n = stateSize / 2
        guard S >= 2, S % 2 == 0, steps >= 1 else { return nil }
        var qv = 0.0, vv = 0.0, qq = 0.0
        for e in 0..<episodes {
            for t in 0..<steps {
                let a = (e * (steps + 1) + t) * S, b = a + S
                for d in 0..<n {
                    let dq = states[b + d] - states[a + d], v = (states[a + n + d] + states[b + n + d]) / 2
                    qv += dq * v; vv += v * v; qq += dq * dq
                }
            }
        }
        guard vv > 0, qq > 0 else { return nil }
        let dt = qv / vv, residual = (qq - 2 * dt * qv + dt * dt * vv) / qq
        return dt > 0 && residual < 1e-2 ? dt : nil
    }
}
