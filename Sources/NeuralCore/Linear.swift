// Linear: y = x Wᵀ + b, the dense layer (weight laid out as PyTorch's `nn.Linear`).

/// A fully connected layer, y = x Wᵀ + b.
///
/// Tensors: `weight` (outputWidth, inputWidth), `bias` (outputWidth), both initialised
/// uniformly in ±1/sqrt(inputWidth) as PyTorch does. Forward is one gemm; backward is one gemm
/// for dInput and one for dWeight. Backward reads only `input`, never `output` (which lets
/// `Sequential` fuse a following activation into the output buffer).
public struct Linear: Layer {
    public let inputWidth: Int
    public let outputWidth: Int

    /// Creates a layer mapping `inputWidth` features to `outputWidth`.
    public init(inputWidth: Int, outputWidth: Int) {
        precondition(inputWidth > 0 && outputWidth > 0, "Linear: widths must be positive")
        self.inputWidth = inputWidth
        self.outputWidth = outputWidth
    }

    public var parameterSpecs: [ParameterSpec] {
        [ParameterSpec("weight", shape: [outputWidth, inputWidth], initializer: .fanInUniform(fanIn: inputWidth)),
         ParameterSpec("bias", shape: [outputWidth], initializer: .fanInUniform(fanIn: inputWidth))]
    }

    public var architecture: LayerArchitecture { .linear(inputWidth: inputWidth, outputWidth: outputWidth) }

    /// Offset of `bias` within this layer's parameters.
    var biasOffset: Int { outputWidth * inputWidth }

    // MARK: - Forward

    public func forward(_ buffers: LayerBuffers) {
        let weight = buffers.parameters  // (out, in)
        // Pre-fill every row with the bias, then accumulate x Wᵀ on top (beta = 1).
        broadcastRows(weight + biasOffset, rows: buffers.batch, columns: outputWidth,
                      into: buffers.output, stride: outputWidth)
        gemm(transposeA: false, transposeB: true, m: buffers.batch, n: outputWidth, k: inputWidth,
             a: buffers.input, lda: inputWidth, b: weight, ldb: inputWidth,
             beta: 1, c: buffers.output, ldc: outputWidth)
    }

    /// Writes x Wᵀ without the bias into `preactivation` (batch, outputWidth, row stride
    /// `stride`): the gemm half of a forward that a fused activation completes.
    func forwardWithoutBias(batch: Int, input: UnsafePointer<Float>, inputStride: Int,
                            parameters: UnsafePointer<Float>,
                            preactivation: UnsafeMutablePointer<Float>, stride: Int) {
        gemm(transposeA: false, transposeB: true, m: batch, n: outputWidth, k: inputWidth,
             a: input, lda: inputStride, b: parameters, ldb: inputWidth,
             beta: 0, c: preactivation, ldc: stride)
    }

    // MARK: - Backward

    public func backward(_ buffers: LayerBuffers, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?,
                         parameterGradients: UnsafeMutablePointer<Float>?) {
        Linear.backward(batch: buffers.batch, inputWidth: inputWidth, outputWidth: outputWidth,
                        input: buffers.input, inputStride: inputWidth,
                        weight: buffers.parameters,
                        outputGradient: outputGradient, outputGradientStride: outputWidth,
                        inputGradient: inputGradient, inputGradientStride: inputWidth, accumulateInput: false,
                        weightGradient: parameterGradients, weightGradientScale: 1,
                        biasGradient: parameterGradients.map { $0 + biasOffset })
    }

    /// The dense backward pass on explicit strides, shared with the layers built from it.
    ///
    /// dInput = dY W: (batch, in), added to `inputGradient` when `accumulateInput`;
    /// dWeight += scale · dYᵀ X: (out, in); dBias += Σ_rows dY: (out).
    static func backward(batch: Int, inputWidth: Int, outputWidth: Int,
                         input: UnsafePointer<Float>, inputStride: Int,
                         weight: UnsafePointer<Float>,
                         outputGradient: UnsafePointer<Float>, outputGradientStride: Int,
                         inputGradient: UnsafeMutablePointer<Float>?, inputGradientStride: Int,
                         accumulateInput: Bool,
                         weightGradient: UnsafeMutablePointer<Float>?, weightGradientScale: Float,
                         biasGradient: UnsafeMutablePointer<Float>?) {
        if let inputGradient {
            gemm(transposeA: false, transposeB: false, m: batch, n: inputWidth, k: outputWidth,
                 a: outputGradient, lda: outputGradientStride, b: weight, ldb: inputWidth,
                 beta: accumulateInput ? 1 : 0, c: inputGradient, ldc: inputGradientStride)
        }
        if let weightGradient {
            gemm(transposeA: true, transposeB: false, m: outputWidth, n: inputWidth, k: batch,
                 alpha: weightGradientScale, a: outputGradient, lda: outputGradientStride, b: input, ldb: inputStride,
                 beta: 1, c: weightGradient, ldc: inputWidth)
        }
        if let biasGradient {
            accumulateColumnSums(outputGradient, rows: batch, columns: outputWidth, stride: outputGradientStride,
                                 into: biasGradient)
        }
    }
}
