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
        applyPointwise(rows: rows, columns: width, source: source, sourceStride: sourceStride, bias: bias,
                       values: values, valueStride: valueStride,
                       derivatives: derivatives, derivativeStride: derivativeStride) { z in
            let s = fastSigmoid(z)
            let one = Lanes(repeating: 1)
            return (z * s, s * (one + z * (one - s)))
        }
    }
}
