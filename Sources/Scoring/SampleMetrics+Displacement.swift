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
