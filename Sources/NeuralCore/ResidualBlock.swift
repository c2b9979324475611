// ResidualBlock: y = x + W₂ SiLU(W₁ x + b₁) + b₂, the residual MLP block.

/// A residual MLP block, y = x + fc2(SiLU(fc1(x))), with widths width → hiddenWidth → width.
///
/// Tensors: `fc1.weight` (hiddenWidth, width), `fc1.bias` (hiddenWidth), `fc2.weight`
/// (width, hiddenWidth), `fc2.bias` (width); PyTorch's `Linear` initialisation.
/// Saved per row: SiLU values h (hiddenWidth), then SiLU derivatives (hiddenWidth).
/// Scratch per row: dLoss/dh (hiddenWidth).
public struct ResidualBlock: Layer {
    public let width: Int
    public let hiddenWidth: Int
    let first: Linear
    let activation: SiLU
    let second: Linear

    /// Creates a block on rows of `width` features with a hidden layer of `hiddenWidth`.
    public init(width: Int, hiddenWidth: Int) {
        self.width = width
        self.hiddenWidth = hiddenWidth
        first = Linear(inputWidth: width, outputWidth: hiddenWidth)
        activation = SiLU(width: hiddenWidth)
        second = Linear(inputWidth: hiddenWidth, outputWidth: width)
    }

    public var inputWidth: Int { width }
    public var outputWidth: Int { width }
    public var savedWidth: Int { 2 * hiddenWidth }
    public var scratchWidth: Int { hiddenWidth }
    public var architecture: LayerArchitecture { .residualBlock(width: width, hiddenWidth: hiddenWidth) }
    public var parameterSpecs: [ParameterSpec] {
        first.parameterSpecs.map { spec in var spec = spec; spec.name = "fc1." + spec.name; return spec }
            + second.parameterSpecs.map { spec in var spec = spec; spec.name = "fc2." + spec.name; return spec }
    }

    /// Offsets of the two dense layers' tensors within this layer's parameters.
    private var firstOffset: Int { 0 }
    private var secondOffset: Int { first.parameterCount }

    // MARK: - Forward

    public func forward(_ buffers: LayerBuffers) {
        let hidden = buffers.saved                   // (batch, h), row stride 2h
        let hiddenDerivative = buffers.saved + hiddenWidth  // (batch, h), row stride 2h
        let parameters = buffers.parameters
        first.forwardWithoutBias(batch: buffers.batch, input: buffers.input, inputStride: width,
                                 parameters: parameters + firstOffset, preactivation: hidden, stride: savedWidth)
        activation.activate(rows: buffers.batch, source: hidden, sourceStride: savedWidth,
                            bias: parameters + firstOffset + first.biasOffset,
                            values: hidden, valueStride: savedWidth,
                            derivatives: hiddenDerivative, derivativeStride: savedWidth)
        // y = x + b₂ + h W₂ᵀ.
        let secondBias = parameters + secondOffset + second.biasOffset
        for row in 0..<buffers.batch {
            let x = buffers.input + row * width, y = buffers.output + row * width
            for j in 0..<width { y[j] = x[j] + secondBias[j] }
        }
        gemm(transposeA: false, transposeB: true, m: buffers.batch, n: width, k: hiddenWidth,
             a: hidden, lda: savedWidth, b: parameters + secondOffset, ldb: hiddenWidth,
             beta: 1, c: buffers.output, ldc: width)
    }

    // MARK: - Backward

    public func backward(_ buffers: LayerBuffers, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?,
                         parameterGradients: UnsafeMutablePointer<Float>?) {
        let hidden = buffers.saved, hiddenDerivative = buffers.saved + hiddenWidth
        let hiddenGradient = buffers.scratch  // (batch, h)
        let parameters = buffers.parameters
        // fc2: dh = dy W₂, dW₂ += dyᵀ h, db₂ += Σ dy.
        Linear.backward(batch: buffers.batch, inputWidth: hiddenWidth, outputWidth: width,
                        input: hidden, inputStride: savedWidth, weight: parameters + secondOffset,
                        outputGradient: outputGradient, outputGradientStride: width,
                        inputGradient: hiddenGradient, inputGradientStride: hiddenWidth, accumulateInput: false,
                        weightGradient: parameterGradients.map { $0 + secondOffset }, weightGradientScale: 1,
                        biasGradient: parameterGradients.map { $0 + secondOffset + second.biasOffset })
        // Through SiLU: dz = dh ⊙ SiLU'(z).
        for row in 0..<buffers.batch {
            multiplyElementwise(hiddenGradient + row * hiddenWidth, hiddenDerivative + row * savedWidth,
                                into: hiddenGradient + row * hiddenWidth, count: hiddenWidth)
        }
        // Skip connection first, then fc1 accumulates on top: dx = dy + dz W₁.
        if let inputGradient { inputGradient.update(from: outputGradient, count: buffers.batch * width) }
        Linear.backward(batch: buffers.batch, inputWidth: width, outputWidth: hiddenWidth,
                        input: buffers.input, inputStride: width, weight: parameters + firstOffset,
                        outputGradient: hiddenGradient, outputGradientStride: hiddenWidth,
                        inputGradient: inputGradient, inputGradientStride: width, accumulateInput: true,
                        weightGradient: parameterGradients.map { $0 + firstOffset }, weightGradientScale: 1,
                        biasGradient: parameterGradients.map { $0 + firstOffset + first.biasOffset })
    }
}
