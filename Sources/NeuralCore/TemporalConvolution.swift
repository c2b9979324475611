// TemporalConvolution: a 1-D convolution over time (stride 1, "same" padding) as im2col + gemm.

/// A 1-D convolution over a sequence, stride 1, zero "same" padding, computed as im2col + gemm.
///
/// Row layout: input (length, inputChannels), output (length, outputChannels), time-major
/// (a row is a sequence of states). Tensors: `weight` (outputChannels, inputChannels,
/// kernelSize) and `bias` (outputChannels), laid out and initialised as PyTorch's `Conv1d`, so
///   y[t, o] = b[o] + Σ_c Σ_j W[o, c, j] · x[t + j − left, c],  left = (kernelSize − 1) / 2
/// (PyTorch's `padding="same"`: for even kernels the extra zero goes on the right).
/// Saved per row: the im2col matrix (length, inputChannels · kernelSize).
/// Scratch per row: its gradient, same shape.
public struct TemporalConvolution: Layer {
    /// Time steps per row.
    public let length: Int
    public let inputChannels: Int
    public let outputChannels: Int
    /// Taps of the kernel, in time steps.
    public let kernelSize: Int

    /// Creates a convolution over `length` steps of `inputChannels` features.
    public init(length: Int, inputChannels: Int, outputChannels: Int, kernelSize: Int) {
        precondition(length > 0 && inputChannels > 0 && outputChannels > 0 && kernelSize > 0,
                     "TemporalConvolution: sizes must be positive")
        self.length = length
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
    }

    public var inputWidth: Int { length * inputChannels }
    public var outputWidth: Int { length * outputChannels }
    /// Columns of the im2col matrix: one per (input channel, tap).
    var patchWidth: Int { inputChannels * kernelSize }
    var leftPadding: Int { (kernelSize - 1) / 2 }
    public var savedWidth: Int { length * patchWidth }
    public var scratchWidth: Int { length * patchWidth }
    public var architecture: LayerArchitecture {
        .temporalConvolution(length: length, inputChannels: inputChannels,
                             outputChannels: outputChannels, kernelSize: kernelSize)
    }
    public var parameterSpecs: [ParameterSpec] {
        [ParameterSpec("weight", shape: [outputChannels, inputChannels, kernelSize],
                       initializer: .fanInUniform(fanIn: patchWidth)),
         ParameterSpec("bias", shape: [outputChannels], initializer: .fanInUniform(fanIn: patchWidth))]
    }
    var biasOffset: Int { outputChannels * patchWidth }

    // MARK: - Forward

    public func forward(_ buffers: LayerBuffers) {
        let patches = buffers.saved  // (batch · length, inputChannels · kernelSize)
        im2col(buffers.input, batch: buffers.batch, into: patches)
        convolve(patches, batch: buffers.batch, parameters: buffers.parameters, into: buffers.output)
    }

    /// y = b + patches Wᵀ for im2col patches of `batch` rows: the convolution's output (batch · length, outputChannels).
    func convolve(_ patches: UnsafePointer<Float>, batch: Int, parameters: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) {
        let rows = batch * length
        broadcastRows(parameters + biasOffset, rows: rows, columns: outputChannels, into: output, stride: outputChannels)
        gemm(transposeA: false, transposeB: true, m: rows, n: outputChannels, k: patchWidth,
             a: patches, lda: patchWidth, b: parameters, ldb: patchWidth,
             beta: 1, c: output, ldc: outputChannels)
    }

    // MARK: - Backward

    public func backward(_ buffers: LayerBuffers, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?,
                         parameterGradients: UnsafeMutablePointer<Float>?) {
        let rows = buffers.batch * length
        let patchGradient = inputGradient == nil ? nil : buffers.scratch  // (batch · length, patchWidth)
        // The im2col matrix is a dense layer's input: reuse the dense backward on it.
        Linear.backward(batch: rows, inputWidth: patchWidth, outputWidth: outputChannels,
                        input: buffers.saved, inputStride: patchWidth, weight: buffers.parameters,
                        outputGradient: outputGradient, outputGradientStride: outputChannels,
                        inputGradient: patchGradient, inputGradientStride: patchWidth, accumulateInput: false,
                        weightGradient: parameterGradients, weightGradientScale: 1,
                        biasGradient: parameterGradients.map { $0 + biasOffset })
        guard let inputGradient, let patchGradient else { return }
        col2im(patchGradient, batch: buffers.batch, into: inputGradient)
    }

    // MARK: - im2col and its adjoint

    /// patches[t, c · k + j] = x[t + j − left, c], zero outside the sequence: (batch · length, patchWidth).
    func im2col(_ input: UnsafePointer<Float>, batch: Int, into patches: UnsafeMutablePointer<Float>) {
        for row in 0..<batch {
            let x = input + row * inputWidth
            for t in 0..<length {
                let patch = patches + (row * length + t) * patchWidth
                for c in 0..<inputChannels {
                    for j in 0..<kernelSize {
                        let source = t + j - leftPadding
                        patch[c * kernelSize + j] = (source >= 0 && source < length) ? x[source * inputChannels + c] : 0
                    }
                }
            }
        }
    }

    /// col2im, the adjoint of `im2col`: each patch entry scatter-added back to the input step it was copied from.
    func col2im(_ patches: UnsafePointer<Float>, batch: Int, into input: UnsafeMutablePointer<Float>) {
        input.update(repeating: 0, count: batch * inputWidth)
        for row in 0..<batch {
            let dx = input + row * inputWidth
            for t in 0..<length {
                let patch = patches + (row * length + t) * patchWidth
                for c in 0..<inputChannels {
                    for j in 0..<kernelSize {
                        let source = t + j - leftPadding
                        if source >= 0 && source < length { dx[source * inputChannels + c] += patch[c * kernelSize + j] }
                    }
                }
            }
        }
    }
}
