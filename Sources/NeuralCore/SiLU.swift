// SiLU (Swish): y = x · σ(x), y' = σ(x) · (1 + x · (1 − σ(x))).

/// The sigmoid-weighted linear unit, y = x · sigmoid(x), elementwise.
public struct SiLU: PointwiseActivation {
    public let width: Int

    /// Creates the activation for rows of `width` features.
    public init(width: Int) { self.width = width }

    public var architecture: LayerArchitecture { .silu(width: width) }

    public func activate(rows: Int, source: UnsafePointer<Float>, sourceStride: Int, bias: UnsafePointer<Float>?,
                         values: UnsafeMutablePointer<Float>, valueStride: Int,
                         derivatives: UnsafeMutablePointer<Float>, derivativeStride: Int) {
        applyPointwise(SiLUKernel(), rows: rows, columns: width, source: source, sourceStride: sourceStride, bias: bias,
                       values: values, valueStride: valueStride,
                       derivatives: derivatives, derivativeStride: derivativeStride)
    }
}

/// y = z σ(z), y' = σ(z) (1 + z (1 − σ(z))).
struct SiLUKernel: PointwiseKernel {
    @inline(__always)
    func callAsFunction(_ z: Lanes) -> (value: Lanes, derivative: Lanes) {
        let s = fastSigmoid(z)
        let one = Lanes(repeating: 1)
        return (z * s, s * (one + z * (one - s)))
    }
}
