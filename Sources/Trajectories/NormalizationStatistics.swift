/// Per-coordinate mean and standard deviation of vectors (states or controls), for normalising
/// network inputs: x̂ = (x − mean) / std.
public struct NormalizationStatistics: Equatable, Sendable, Codable {
    /// [D]
    public var mean: [Double]
    /// [D]; never below `minimumStd`, so constant coordinates map to 0 instead of dividing by 0.
    public var std: [Double]
    /// Floor of `std`.
    public static let minimumStd = 1e-6

    /// Statistics of `values` [N, dimension] (population standard deviation; two-pass, so stable
    /// for large offsets).
    public init(values: [Double], dimension: Int) {
        precondition(dimension > 0 && values.count % dimension == 0)
        let n = values.count / dimension
        var mean = [Double](repeating: 0, count: dimension)
        for row in 0..<n { for d in 0..<dimension { mean[d] += values[row * dimension + d] } }
        mean = mean.map { n > 0 ? $0 / Double(n) : 0 }
        var variance = [Double](repeating: 0, count: dimension)
        for row in 0..<n {
            for d in 0..<dimension {
                let x = values[row * dimension + d] - mean[d]
                variance[d] += x * x
            }
        }
        self.mean = mean
        std = variance.map { Swift.max((n > 0 ? $0 / Double(n) : 0).squareRoot(), NormalizationStatistics.minimumStd) }
    }

    /// Statistics of every state of a dataset split.
    public init(states dataset: TrajectoryDataset) {
        self.init(values: dataset.states, dimension: dataset.stateSize)
    }

    public var dimension: Int { mean.count }

    /// (x − mean) / std for rows of `values` [N, D], in place.
    public func normalize(_ values: inout [Double]) {
        for i in values.indices { values[i] = (values[i] - mean[i % dimension]) / std[i % dimension] }
    }

    /// x̂ · std + mean for rows of `values` [N, D], in place.
    public func denormalize(_ values: inout [Double]) {
        for i in values.indices { values[i] = values[i] * std[i % dimension] + mean[i % dimension] }
    }
}
