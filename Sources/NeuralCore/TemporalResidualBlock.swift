// TemporalResidualBlock: y = x + conv₂(SiLU(conv₁(x))), the residual block of a temporal
// convolutional network (channels kept, stride 1, "same" padding).

/// A residual block over a sequence of `length` steps of `channels` features:
/// y = x + conv₂(SiLU(conv₁(x))), both convolutions `channels` → `channels` with `kernelSize` taps.
///
/// Tensors: `conv1.weight`, `conv1.bias`, `conv2.weight`, `conv2.bias`, as `TemporalConvolution`.
/// The two convolutions read their saved values and scratch as whole-batch matrices, so this
/// block splits its own (batch, width) buffers into whole-batch regions, not per-row slices:
/// saved = [conv₁ im2col | SiLU values | SiLU derivatives | conv₂ im2col],
/// scratch = [dLoss/dh | a convolution's patch gradient].
public struct TemporalResidualBlock: Layer {
    public let length: Int
    public let channels: Int
    public let kernelSize: Int
    let first: TemporalConvolution
    let activation: SiLU
    let second: TemporalConvolution

    public init(length: Int, channels: Int, kernelSize: Int) {
        (self.length, self.channels, self.kernelSize) = (length, channels, kernelSize)
        first = TemporalConvolution(length: length, inputChannels: channels, outputChannels: channels, kernelSize: kernelSize)
        activation = SiLU(width: length * channels)
        second = TemporalConvolution(length: length, inputChannels: channels, outputChannels: channels, kernelSize: kernelSize)
    }

    public var inputWidth: Int { length * channels }
    public var outputWidth: Int { length * channels }
    public var savedWidth: Int { first.savedWidth + 2 * inputWidth + second.savedWidth }
    public var scratchWidth: Int { inputWidth + max(first.scratchWidth, second.scratchWidth) }
    public var architecture: LayerArchitecture { .temporalResidualBlock(length: length, channels: channels, kernelSize: kernelSize) }
    public var parameterSpecs: [ParameterSpec] {
        first.parameterSpecs.map { spec in var spec = spec; spec.name = "conv1." + spec.name; return spec }
            + second.parameterSpecs.map { spec in var spec = spec; spec.name = "conv2." + spec.name; return spec }
    }

    /// The whole-batch regions of `buffers` for each part.
    func regions(_ buffers: LayerBuffers) -> (firstSaved: UnsafeMutablePointer<Float>, hidden: UnsafeMutablePointer<Float>,
                                                      derivative: UnsafeMutablePointer<Float>, secondSaved: UnsafeMutablePointer<Float>,
                                                      hiddenGradient: UnsafeMutablePointer<Float>, convolutionScratch: UnsafeMutablePointer<Float>) {
        let n = buffers.batch
        let hidden = buffers.saved + n * first.savedWidth
        let derivative = hidden + n * inputWidth
        return (buffers.saved, hidden, derivative, derivative + n * inputWidth, buffers.scratch, buffers.scratch + n * inputWidth)
    }

    func convolutionBuffers(_ buffers: LayerBuffers, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                                    saved: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, second isSecond: Bool) -> LayerBuffers {
        LayerBuffers(batch: buffers.batch, input: input, output: output, saved: saved, scratch: scratch,
                     parameters: buffers.parameters + (isSecond ? first.parameterCount : 0), cache: buffers.cache)
    }

    public func forward(_ buffers: LayerBuffers) {
        let r = regions(buffers)
        first.forward(convolutionBuffers(buffers, input: buffers.input, output: r.hidden, saved: r.firstSaved, scratch: r.convolutionScratch, second: false))
        activation.activate(rows: buffers.batch, source: r.hidden, sourceStride: inputWidth, bias: nil,
                            values: r.hidden, valueStride: inputWidth, derivatives: r.derivative, derivativeStride: inputWidth)
        second.forward(convolutionBuffers(buffers, input: r.hidden, output: buffers.output, saved: r.secondSaved, scratch: r.convolutionScratch, second: true))
        for i in 0..<(buffers.batch * inputWidth) { buffers.output[i] += buffers.input[i] }
    }

    public func backward(_ buffers: LayerBuffers, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?,
                         parameterGradients: UnsafeMutablePointer<Float>?) {
        let r = regions(buffers)
        // conv₂: dh (always: conv₁'s parameter gradients need it), dW₂, db₂.
        second.backward(convolutionBuffers(buffers, input: r.hidden, output: buffers.output, saved: r.secondSaved, scratch: r.convolutionScratch, second: true),
                        outputGradient: outputGradient, inputGradient: r.hiddenGradient,
                        parameterGradients: parameterGradients.map { $0 + first.parameterCount })
        multiplyElementwise(r.hiddenGradient, r.derivative, into: r.hiddenGradient, count: buffers.batch * inputWidth)
        first.backward(convolutionBuffers(buffers, input: buffers.input, output: r.hidden, saved: r.firstSaved, scratch: r.convolutionScratch, second: false),
                       outputGradient: r.hiddenGradient, inputGradient: inputGradient, parameterGradients: parameterGradients)
        // the skip connection
        if let inputGradient { for i in 0..<(buffers.batch * inputWidth) { inputGradient[i] += outputGradient[i] } }
    }
}
