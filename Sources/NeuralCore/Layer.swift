// Layer: the forward/backward contract every layer implements, and the pointers it works on.
//
// Every activation is a (batch, width) row-major matrix: one sample per row. Layers that see
// structure inside a row (a sequence of channels) document their row layout.

/// Pointers one layer works on for a block of rows (samples).
///
/// Rows are independent, so a model can run disjoint row ranges on different threads.
public struct LayerBuffers {
    /// Number of rows (samples) in this call.
    public var batch: Int
    /// The layer's input. Shape (batch, inputWidth).
    public var input: UnsafePointer<Float>
    /// The layer's output. Shape (batch, outputWidth).
    public var output: UnsafeMutablePointer<Float>
    /// Values forward saves for backward. Shape (batch, savedWidth).
    public var saved: UnsafeMutablePointer<Float>
    /// Temporary per-row memory, free for the layer during one forward or backward call.
    /// Shape (batch, scratchWidth).
    public var scratch: UnsafeMutablePointer<Float>
    /// This layer's tensors, back to back in `parameterSpecs` order.
    public var parameters: UnsafePointer<Float>
    /// Batch-independent values from `prepare`. Count `cacheCount`.
    public var cache: UnsafePointer<Float>
}

/// A differentiable map from (batch, inputWidth) to (batch, outputWidth) with a hand-written
/// backward pass.
///
/// A layer is an immutable description (widths, hyper-parameters). Its tensors live in the
/// model's `ParameterBuffer`; its activations in the model's workspace.
public protocol Layer: Sendable {
    /// Features per input row.
    var inputWidth: Int { get }
    /// Features per output row.
    var outputWidth: Int { get }
    /// The tensors this layer owns, in buffer order.
    var parameterSpecs: [ParameterSpec] { get }
    /// Floats per row that forward saves for backward.
    var savedWidth: Int { get }
    /// Floats per row of temporary memory used inside one call.
    var scratchWidth: Int { get }
    /// Batch-independent floats computed once per model call by `prepare`.
    var cacheCount: Int { get }
    /// The layer's configuration, for checkpoints.
    var architecture: LayerArchitecture { get }

    /// Computes batch-independent values (a normalised weight) before forward runs on any rows.
    func prepare(parameters: UnsafePointer<Float>, cache: UnsafeMutablePointer<Float>)

    /// Advances state that changes once per training step (one power iteration).
    func advanceTrainingState(parameters: UnsafeMutablePointer<Float>)

    /// Computes `output` from `input` and saves what backward needs in `saved`.
    func forward(_ buffers: LayerBuffers)

    /// Given dLoss/dOutput, writes dLoss/dInput into `inputGradient` (when non-nil) and adds
    /// dLoss/dParameters into `parameterGradients` (when non-nil, laid out like `parameters`).
    ///
    /// Must follow a forward call on the same rows; reads `input`, `output` and `saved`,
    /// leaves them unchanged. `outputGradient`: (batch, outputWidth);
    /// `inputGradient`: (batch, inputWidth), never aliasing `outputGradient`.
    func backward(_ buffers: LayerBuffers, outputGradient: UnsafePointer<Float>,
                  inputGradient: UnsafeMutablePointer<Float>?,
                  parameterGradients: UnsafeMutablePointer<Float>?)
}

extension Layer {
    public var parameterSpecs: [ParameterSpec] { [] }
    public var savedWidth: Int { 0 }
    public var scratchWidth: Int { 0 }
    public var cacheCount: Int { 0 }
    public func prepare(parameters: UnsafePointer<Float>, cache: UnsafeMutablePointer<Float>) {}
    public func advanceTrainingState(parameters: UnsafeMutablePointer<Float>) {}
    /// Number of scalars in this layer's tensors.
    public var parameterCount: Int { parameterSpecs.reduce(0) { $0 + $1.count } }
}

/// A layer that maps each element independently, y = f(x); it saves f'(x) so backward is one
/// multiplication. A `Linear` followed by one of these is fused by `Sequential` into one gemm
/// plus one pass over memory (bias, activation and derivative together).
public protocol PointwiseActivation: Layer {
    /// Features per row (input and output).
    var width: Int { get }

    /// For a (rows, width) block: z = source + bias (per column, when non-nil),
    /// values = f(z), derivatives = f'(z). `values` may alias `source`.
    func activate(rows: Int, source: UnsafePointer<Float>, sourceStride: Int, bias: UnsafePointer<Float>?,
                  values: UnsafeMutablePointer<Float>, valueStride: Int,
                  derivatives: UnsafeMutablePointer<Float>, derivativeStride: Int)
}

extension PointwiseActivation {
    public var inputWidth: Int { width }
    public var outputWidth: Int { width }
    /// f'(x) per element.
    public var savedWidth: Int { width }

    public func forward(_ buffers: LayerBuffers) {
        activate(rows: buffers.batch, source: buffers.input, sourceStride: width, bias: nil,
                 values: buffers.output, valueStride: width, derivatives: buffers.saved, derivativeStride: width)
    }

    /// dInput = dOutput ⊙ f'(x); no parameters.
    public func backward(_ buffers: LayerBuffers, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?,
                         parameterGradients: UnsafeMutablePointer<Float>?) {
        guard let inputGradient else { return }
        multiplyElementwise(outputGradient, buffers.saved, into: inputGradient, count: buffers.batch * width)
    }
}
