// LeakyReLU: y = x for x > 0, slope · x otherwise.

/// The leaky rectifier, y = max(x, 0) + negativeSlope · min(x, 0), elementwise.
public struct LeakyReLU: PointwiseActivation {
    public let width: Int
    /// Slope for negative inputs (PyTorch's default is 0.01).
    public let negativeSlope: Float

    /// Creates the activation for rows of `width` features.
    public init(width: Int, negativeSlope: Float = 0.01) {
        self.width = width
        self.negativeSlope = negativeSlope
    }

    public var architecture: LayerArchitecture { .leakyReLU(width: width, negativeSlope: negativeSlope) }

    public func activate(rows: Int, source: UnsafePointer<Float>, sourceStride: Int, bias: UnsafePointer<Float>?,
                         values: UnsafeMutablePointer<Float>, valueStride: Int,
                         derivatives: UnsafeMutablePointer<Float>, derivativeStride: Int) {
        applyPointwise(LeakyReLUKernel(slope: Lanes(repeating: negativeSlope)), rows: rows, columns: width, source: source, sourceStride: sourceStride, bias: bias,
                       values: values, valueStride: valueStride,
                       derivatives: derivatives, derivativeStride: derivativeStride)
    }
}

/// y = z for z > 0, slope · z otherwise; z = 0 takes the negative branch's slope, as PyTorch does.
struct LeakyReLUKernel: PointwiseKernel {
    var slope: Lanes
    @inline(__always)
    func callAsFunction(_ z: Lanes) -> (value: Lanes, derivative: Lanes) {
        let derivative = Lanes(repeating: 1).replacing(with: slope, where: z .<= Lanes(repeating: 0))
        return (z * derivative, derivative)
    }
}
