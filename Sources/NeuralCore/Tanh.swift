// Tanh: y = tanh x, y' = 1 − y².

/// The hyperbolic tangent, elementwise.
public struct Tanh: PointwiseActivation {
    public let width: Int

    /// Creates the activation for rows of `width` features.
    public init(width: Int) { self.width = width }

    public var architecture: LayerArchitecture { .tanh(width: width) }

    public func activate(rows: Int, source: UnsafePointer<Float>, sourceStride: Int, bias: UnsafePointer<Float>?,
                         values: UnsafeMutablePointer<Float>, valueStride: Int,
                         derivatives: UnsafeMutablePointer<Float>, derivativeStride: Int) {
        applyPointwise(TanhKernel(), rows: rows, columns: width, source: source, sourceStride: sourceStride, bias: bias,
                       values: values, valueStride: valueStride,
                       derivatives: derivatives, derivativeStride: derivativeStride)
    }
}

/// y = tanh z, y' = 1 − y².
struct TanhKernel: PointwiseKernel {
    @inline(__always)
    func callAsFunction(_ z: Lanes) -> (value: Lanes, derivative: Lanes) {
        let y = fastTanh(z)
        return (y, Lanes(repeating: 1) - y * y)
    }
}
