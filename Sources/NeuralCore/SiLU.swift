// SiLU (Swish): y = x · σ(x), y' = σ(x) · (1 + x · (1 − σ(x))).

import CNeuralKernels

/// The sigmoid-weighted linear unit, y = x · sigmoid(x), elementwise.
public struct SiLU: PointwiseActivation {
    public let width: Int

    /// Creates the activation for rows of `width` features.
    public init(width: Int) { self.width = width }

    public var architecture: LayerArchitecture { .silu(width: width) }

    public func activate(rows: Int, source: UnsafePointer<Float>, sourceStride: Int, bias: UnsafePointer<Float>?,
                         values: UnsafeMutablePointer<Float>, valueStride: Int,
                         derivatives: UnsafeMutablePointer<Float>, derivativeStride: Int) {
        if Self.useAVX2 {
            nk_silu_avx2(rows, width, source, sourceStride, bias, values, valueStride, derivatives, derivativeStride)
            return
        }
        applyPointwise(SiLUKernel(), rows: rows, columns: width, source: source, sourceStride: sourceStride, bias: bias,
                       values: values, valueStride: valueStride,
                       derivatives: derivatives, derivativeStride: derivativeStride)
    }
}

extension SiLU {
    /// The AVX2 + FMA kernel of CNeuralKernels where the CPU has it (about twice as fast as the
    /// SSE2 code Swift emits for baseline x86-64); `applyPointwise` with `SiLUKernel` elsewhere.
    /// Results differ between the two in the last bits (fused multiply-adds), never between runs.
    static let useAVX2 = nk_has_avx2_fma() != 0
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
