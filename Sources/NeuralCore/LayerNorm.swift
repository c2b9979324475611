// LayerNorm: per-row standardisation with a learned scale and shift (Ba, Kiros & Hinton 2016).

/// Layer normalisation over each row: y = γ ⊙ (x − mean) / sqrt(var + ε) + β.
///
/// Tensors: `weight` γ (width), initialised to 1; `bias` β (width), initialised to 0; as
/// PyTorch's `nn.LayerNorm`. The variance is the biased one (divided by width).
/// Saved per row: x̂ (width) followed by 1/sqrt(var + ε).
public struct LayerNorm: Layer {
    public let width: Int
    /// Added to the variance before the square root.
    public let epsilon: Float

    /// Creates a normalisation over rows of `width` features.
    public init(width: Int, epsilon: Float = 1e-5) {
        precondition(width > 0, "LayerNorm: width must be positive")
        self.width = width
        self.epsilon = epsilon
    }

    public var inputWidth: Int { width }
    public var outputWidth: Int { width }
    public var savedWidth: Int { width + 1 }
    public var architecture: LayerArchitecture { .layerNorm(width: width, epsilon: epsilon) }
    public var parameterSpecs: [ParameterSpec] {
        [ParameterSpec("weight", shape: [width], initializer: .ones),
         ParameterSpec("bias", shape: [width], initializer: .zeros)]
    }

    // MARK: - Forward

    public func forward(_ buffers: LayerBuffers) {
        let gamma = buffers.parameters, beta = buffers.parameters + width
        for row in 0..<buffers.batch {
            let x = buffers.input + row * width
            let y = buffers.output + row * width
            let normalized = buffers.saved + row * savedWidth
            // Two passes (mean, then centred variance) for accuracy.
            var mean: Float = 0
            for j in 0..<width { mean += x[j] }
            mean /= Float(width)
            var variance: Float = 0
            for j in 0..<width { let d = x[j] - mean; variance += d * d }
            variance /= Float(width)
            let inverseDeviation = 1 / (variance + epsilon).squareRoot()
            for j in 0..<width {
                normalized[j] = (x[j] - mean) * inverseDeviation
                y[j] = gamma[j] * normalized[j] + beta[j]
            }
            normalized[width] = inverseDeviation
        }
    }

    // MARK: - Backward

    /// dx = (1/σ) · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ ⊙ x̂)) with dx̂ = dy ⊙ γ.
    public func backward(_ buffers: LayerBuffers, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?,
                         parameterGradients: UnsafeMutablePointer<Float>?) {
        let gamma = buffers.parameters
        for row in 0..<buffers.batch {
            let dy = outputGradient + row * width
            let normalized = buffers.saved + row * savedWidth
            if let parameterGradients {
                for j in 0..<width {
                    parameterGradients[j] += dy[j] * normalized[j]
                    parameterGradients[width + j] += dy[j]
                }
            }
            guard let inputGradient else { continue }
            var meanGradient: Float = 0, meanGradientDotNormalized: Float = 0
            for j in 0..<width {
                let dNormalized = dy[j] * gamma[j]
                meanGradient += dNormalized
                meanGradientDotNormalized += dNormalized * normalized[j]
            }
            meanGradient /= Float(width)
            meanGradientDotNormalized /= Float(width)
            let inverseDeviation = normalized[width]
            let dx = inputGradient + row * width
            for j in 0..<width {
                dx[j] = inverseDeviation * (dy[j] * gamma[j] - meanGradient - normalized[j] * meanGradientDotNormalized)
            }
        }
    }
}
