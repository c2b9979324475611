// TrajectoryDataset+Kinematics: whether the states are (q, v) pairs tied by the trapezoid rule, and
// at what timestep — what lets padded windows and future bases keep the kinematics.

extension TrajectoryDataset {
    /// dt when every state is (q, v) with q, v of S/2 numbers each and
    /// q_{t+1} − q_t = dt (v_t + v_{t+1})/2 explaining 99 % of the position steps' sum of squares (least squares over
    /// every step of every episode), else nil.
    public func positionVelocityTimestep() -> Double? {
        var fit = PositionVelocityFit(stateSize: stateSize, steps: steps)
        fit.add(self)
        return fit.timestep
    }
}

/// The least-squares sums of `positionVelocityTimestep`, added up episode by episode (so a split read
/// in chunks gives the same sums in the same order).
struct PositionVelocityFit {
    let stateSize: Int, steps: Int
    var qv = 0.0, vv = 0.0, qq = 0.0

    init(stateSize: Int, steps: Int) { (self.stateSize, self.steps) = (stateSize, steps) }

    /// Whether the states can be (q, v) pairs at all.
    var applies: Bool { stateSize >= 2 && stateSize % 2 == 0 && steps >= 1 }

    /// Adds every step of every episode of `data` (of this state size and length).
    mutating func add(_ data: TrajectoryDataset) {
        guard applies else { return }
        let (S, n, states) = (stateSize, stateSize / 2, data.states)
        for e in 0..<data.episodes {
            for t in 0..<steps {
                let a = (e * (steps + 1) + t) * S, b = a + S
                for d in 0..<n {
                    let dq = states[b + d] - states[a + d], v = (states[a + n + d] + states[b + n + d]) / 2
                    qv += dq * v; vv += v * v; qq += dq * dq
                }
            }
        }
    }

    /// dt, or nil when the states are not (q, v) pairs (see `TrajectoryDataset.positionVelocityTimestep`).
    var timestep: Double? {
        guard applies, vv > 0, qq > 0 else { return nil }
        let dt = qv / vv, residual = (qq - 2 * dt * qv + dt * dt * vv) / qq
        return dt > 0 && residual < 1e-2 ? dt : nil
    }
}
