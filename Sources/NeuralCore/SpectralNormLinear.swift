// SpectralNormLinear: a dense layer whose weight is divided by its largest singular value
// (Miyato et al. 2018), with σ tracked by power iteration.

/// A linear layer with spectral normalisation: y = x (W / σ(W))ᵀ + b.
///
/// σ(W) = uᵀ W v, where u (outputWidth) and v (inputWidth) are the power-iteration estimates of
/// W's top singular vectors. As in PyTorch's `spectral_norm`, u and v are state, not
/// parameters: one power-iteration step advances them per training step
/// (`advanceTrainingState`), and gradients treat them as constants, so
///   dL/dW = (G − ⟨G, W/σ⟩ · u vᵀ) / σ,   G = dL/d(W/σ),
/// which is exact for σ = uᵀ W v and equals the gradient of the top singular value once u, v
/// have converged.
///
/// Tensors (PyTorch's names): `weight_orig` (outputWidth, inputWidth), `bias` (outputWidth),
/// `weight_u` (outputWidth) and `weight_v` (inputWidth), the last two not trainable.
/// Cache: σ, then W/σ (outputWidth, inputWidth).
public struct SpectralNormLinear: Layer {
    public let inputWidth: Int
    public let outputWidth: Int

    /// Creates a spectrally normalised layer mapping `inputWidth` features to `outputWidth`.
    public init(inputWidth: Int, outputWidth: Int) {
        precondition(inputWidth > 0 && outputWidth > 0, "SpectralNormLinear: widths must be positive")
        self.inputWidth = inputWidth
        self.outputWidth = outputWidth
    }

    public var architecture: LayerArchitecture { .spectralNormLinear(inputWidth: inputWidth, outputWidth: outputWidth) }
    public var parameterSpecs: [ParameterSpec] {
        [ParameterSpec("weight_orig", shape: [outputWidth, inputWidth], initializer: .fanInUniform(fanIn: inputWidth)),
         ParameterSpec("bias", shape: [outputWidth], initializer: .fanInUniform(fanIn: inputWidth)),
         ParameterSpec("weight_u", shape: [outputWidth], initializer: .unitVector, isTrainable: false),
         ParameterSpec("weight_v", shape: [inputWidth], initializer: .unitVector, isTrainable: false)]
    }
    public var cacheCount: Int { 1 + outputWidth * inputWidth }

    var weightCount: Int { outputWidth * inputWidth }
    var biasOffset: Int { weightCount }
    var uOffset: Int { weightCount + outputWidth }
    var vOffset: Int { weightCount + 2 * outputWidth }

    // MARK: - Power iteration

    /// One power-iteration step: v ← Wᵀu / ‖Wᵀu‖, then u ← W v / ‖W v‖.
    public func advanceTrainingState(parameters: UnsafeMutablePointer<Float>) {
        let weight = UnsafePointer(parameters), u = parameters + uOffset, v = parameters + vOffset
        // vᵀ = uᵀ W: (1, out)(out, in).
        gemm(transposeA: false, transposeB: false, m: 1, n: inputWidth, k: outputWidth,
             a: u, lda: outputWidth, b: weight, ldb: inputWidth, beta: 0, c: v, ldc: inputWidth)
        normalize(v, count: inputWidth)
        // uᵀ = vᵀ Wᵀ: (1, in)(in, out).
        gemm(transposeA: false, transposeB: true, m: 1, n: outputWidth, k: inputWidth,
             a: v, lda: inputWidth, b: weight, ldb: inputWidth, beta: 0, c: u, ldc: outputWidth)
        normalize(u, count: outputWidth)
    }

    private func normalize(_ vector: UnsafeMutablePointer<Float>, count: Int) {
        var squaredNorm: Double = 0
        for i in 0..<count { squaredNorm += Double(vector[i]) * Double(vector[i]) }
        // PyTorch's eps = 1e-12 guards a zero weight.
        let scale = Float(1 / max(squaredNorm.squareRoot(), 1e-12))
        for i in 0..<count { vector[i] *= scale }
    }

    /// σ = uᵀ W v for the current tensors (this layer's parameter block), accumulated in Double.
    public func sigma(parameters: UnsafePointer<Float>) -> Float {
        let u = parameters + uOffset, v = parameters + vOffset
        var sum: Double = 0
        for i in 0..<outputWidth {
            var row: Double = 0
            for j in 0..<inputWidth { row += Double(parameters[i * inputWidth + j]) * Double(v[j]) }
            sum += Double(u[i]) * row
        }
        return Float(sum)
    }

    // MARK: - Forward

    /// Caches σ and W/σ once per model call.
    public func prepare(parameters: UnsafePointer<Float>, cache: UnsafeMutablePointer<Float>) {
        let sigmaValue = sigma(parameters: parameters)
        cache[0] = sigmaValue
        let scale = 1 / sigmaValue
        for i in 0..<weightCount { cache[1 + i] = parameters[i] * scale }
    }

    public func forward(_ buffers: LayerBuffers) {
        let normalizedWeight = buffers.cache + 1  // (out, in)
        broadcastRows(buffers.parameters + biasOffset, rows: buffers.batch, columns: outputWidth,
                      into: buffers.output, stride: outputWidth)
        gemm(transposeA: false, transposeB: true, m: buffers.batch, n: outputWidth, k: inputWidth,
             a: buffers.input, lda: inputWidth, b: normalizedWeight, ldb: inputWidth,
             beta: 1, c: buffers.output, ldc: outputWidth)
    }

    // MARK: - Backward

    public func backward(_ buffers: LayerBuffers, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?,
                         parameterGradients: UnsafeMutablePointer<Float>?) {
        let sigmaValue = buffers.cache[0], normalizedWeight = buffers.cache + 1
        // dx = dy W/σ; dW += Gᵀ/σ with G = dyᵀ x (the rank-one correction follows); db += Σ dy.
        Linear.backward(batch: buffers.batch, inputWidth: inputWidth, outputWidth: outputWidth,
                        input: buffers.input, inputStride: inputWidth, weight: normalizedWeight,
                        outputGradient: outputGradient, outputGradientStride: outputWidth,
                        inputGradient: inputGradient, inputGradientStride: inputWidth, accumulateInput: false,
                        weightGradient: parameterGradients, weightGradientScale: 1 / sigmaValue,
                        biasGradient: parameterGradients.map { $0 + biasOffset })
        guard let parameterGradients else { return }
        // ⟨G, W/σ⟩ = Σ_rows dy · (x (W/σ)ᵀ) = Σ_rows dy · (y − b), from the saved output.
        let bias = buffers.parameters + biasOffset
        var inner: Double = 0
        for row in 0..<buffers.batch {
            let dy = outputGradient + row * outputWidth, y = buffers.output + row * outputWidth
            for i in 0..<outputWidth { inner += Double(dy[i]) * Double(y[i] - bias[i]) }
        }
        // dW −= (⟨G, W/σ⟩ / σ) u vᵀ: a rank-one gemm, (out, 1)(1, in).
        gemm(transposeA: false, transposeB: false, m: outputWidth, n: inputWidth, k: 1,
             alpha: Float(-inner) / sigmaValue, a: buffers.parameters + uOffset, lda: 1,
             b: buffers.parameters + vOffset, ldb: inputWidth,
             beta: 1, c: parameterGradients, ldc: inputWidth)
    }
}
