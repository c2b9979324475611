// SampleMetrics+Displacement: how far one sampled path stays from the real future, on average over
// its states (ADE) — what `ebm predict` reports per future.

extension SampleMetrics {
    /// Average displacement error: the mean over the first `steps` states of ‖path_t − truth_t‖
    /// (states of S numbers, original units). `path` and `truth` hold at least `steps` states.
    public static func averageDisplacement(_ path: ArraySlice<Double>, truth: [Double], steps: Int, stateSize S: Int) -> Double {
        var s = 0.0
        for t in 0..<steps {
            s += distance(path[(path.startIndex + t * S)..<(path.startIndex + (t + 1) * S)], truth[(t * S)..<((t + 1) * S)])
        }
        return s / Double(steps)
    }
}

/// How far sampled futures stay from the real future (`ebm predict`'s error line): the average
/// displacement (ADE) over the `states` states the truth holds, mean and best over the K futures,
/// and the baseline's when there is one. Original units.
public struct TruthErrors: Codable, Equatable, Sendable {
    public var states: Int
    public var meanOfK: Double, bestOfK: Double
    public var baseline: Double?

    public init(states: Int, meanOfK: Double, bestOfK: Double, baseline: Double?) {
        (self.states, self.meanOfK, self.bestOfK, self.baseline) = (states, meanOfK, bestOfK, baseline)
    }

    /// The line of `ebm predict`: mean and best of K, and the feedforward baseline's error when given.
    public var line: String {
        String(format: "error vs truth over %d states (mean ‖Δstate‖): EBM mean of K %.4f, best of K %.4f", states, meanOfK, bestOfK)
            + (baseline.map { String(format: ", feedforward %.4f", $0) } ?? "")
    }
}

extension SampleMetrics {
    /// `TruthErrors` of K futures (K, total, S) and an optional baseline path (≥ the truth's states)
    /// against `truth` (H' ≤ total states of S); nil when the truth is empty or the shapes disagree.
    public static func truthErrors(futures: [Double], chains K: Int, total: Int, truth: [Double], baseline: [Double]?,
                                   stateSize S: Int) -> TruthErrors? {
        let steps = S > 0 ? truth.count / S : 0
        guard steps > 0, K >= 1, steps <= total, futures.count == K * total * S, (baseline?.count ?? steps * S) >= steps * S else { return nil }
        func ade(_ x: ArraySlice<Double>) -> Double { averageDisplacement(x, truth: truth, steps: steps, stateSize: S) }
        let per = (0..<K).map { ade(futures[($0 * total * S)..<(($0 + 1) * total * S)]) }
        return TruthErrors(states: steps, meanOfK: per.reduce(0, +) / Double(K), bestOfK: per.min()!, baseline: baseline.map { ade($0[...]) })
    }
}
