// StateScale: the per-dimension mean and spread that generated states are standardised with.

/// Per-dimension mean and standard deviation (population, one pass) of states; a constant
/// dimension (deviation ≤ 1e-12) keeps unit scale.
public struct StateScale: Codable, Equatable, Sendable {
    /// Mean and deviation (S), in the states' units.
    public var mean: [Double], deviation: [Double]

    /// The scale of states (n, S).
    public init(states: [Double], stateSize S: Int) {
        let n = states.count / S
        var mean = [Double](repeating: 0, count: S), square = [Double](repeating: 0, count: S)
        for i in 0..<n { for d in 0..<S { mean[d] += states[i * S + d] / Double(n); square[d] += states[i * S + d] * states[i * S + d] / Double(n) } }
        // a constant dimension keeps unit scale
        deviation = (0..<S).map { d -> Double in let v = (square[d] - mean[d] * mean[d]).squareRoot(); return v > 1e-12 ? v : 1 }
        self.mean = mean
    }
}
