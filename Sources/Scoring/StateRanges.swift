// StateRanges: whether generated states stay inside the data's per-dimension ranges.

/// Per-dimension bounds [lower, upper]: the data's minimum and maximum widened on each side by
/// `margin` × (maximum − minimum).
public struct StateRanges: Codable, Equatable, Sendable {
    /// Bounds (S), in the states' units.
    public var lower: [Double], upper: [Double]
    /// The margin as a fraction of each dimension's range.
    public var margin: Double

    /// The bounds of the states (n, S); non-finite numbers are ignored.
    public init(states: [Double], stateSize S: Int, margin: Double) {
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
    public func contains(_ state: ArraySlice<Double>) -> Bool {
        for (j, v) in state.enumerated() where !(v >= lower[j] && v <= upper[j]) { return false }
        return true
    }

    /// For paths (count, length, S): at each step t (0-based), the share of paths whose states
    /// 0...t all lie within the bounds. Non-increasing in t.
    public func stayedWithin(_ paths: [Double], count: Int, length: Int) -> [Double] {
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
