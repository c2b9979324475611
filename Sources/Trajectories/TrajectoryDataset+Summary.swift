// TrajectoryDataset+Summary: what `ebm dataset info` prints of a split — value ranges per state
// dimension and episodes per goal.

extension TrajectoryDataset {
    /// Per-dimension minimum and maximum over every state of every episode (S each; +∞ and −∞ when
    /// there are no states).
    public var stateRanges: (lower: [Double], upper: [Double]) {
        let S = stateSize
        var lower = [Double](repeating: .infinity, count: S), upper = [Double](repeating: -.infinity, count: S)
        for row in 0..<(episodes * (steps + 1)) {
            for d in 0..<S { let x = states[row * S + d]; lower[d] = Swift.min(lower[d], x); upper[d] = Swift.max(upper[d], x) }
        }
        return (lower, upper)
    }

    /// Episodes per goal index (−1: no goal), in goal order.
    public var goalCounts: [(goal: Int64, episodes: Int)] {
        var counts: [Int64: Int] = [:]
        for g in goal { counts[g, default: 0] += 1 }
        return counts.keys.sorted().map { ($0, counts[$0]!) }
    }
}
