// SecondOrder: differentiating a scalar network's input gradient ∇ₓE with respect to its
// parameters — the second-order (double) backward that denoising score matching of a scalar
// energy needs, since its loss ‖σ∇ₓE(x̃) − ε‖² is a function of ∇ₓE.
//
// Notation for a chain of layers a_{i+1} = f_i(a_i), a_0 = x, E = a_L (one column):
//   first-order (backward):   g_L = 1,  g_i = J_iᵀ g_{i+1}            (g_0 = ∇ₓE)
//   given a cotangent c on g_0, forward over the chain (forward-over-reverse):
//     v_0 = c,  v_{i+1} = J_i v_i,
//     ∂/∂θ_i  += ∂/∂θ_i [g_{i+1}ᵀ J_i v_i]          (θ_i inside J_i, e.g. a weight)
//     r_i      = ∂/∂a_i [g_{i+1}ᵀ J_i(a_i) v_i]      (J_i depends on a_i: activations)
//   then one ordinary backward whose adjoint on a_i is J_iᵀ adj_{i+1} + r_i (adj_L = cotangent on E).
// The result is ∂/∂θ [Σ_b e_b E(x_b) + Σ_b c_b · ∇ₓE(x_b)], exact (no finite differences).

import CNeuralKernels
import Foundation

/// A layer whose input gradient can itself be differentiated.
public protocol SecondOrderLayer: Layer {
    /// For the rows of `buffers` (after `forward` on them), with `outputGradient` g = ∂E/∂output
    /// (batch, outputWidth) and a tangent v on ∂E/∂input (batch, inputWidth):
    /// writes J v into `outputTangent` (batch, outputWidth), adds ∂/∂input [gᵀ J(input) v] into
    /// `inputAdjoint` (batch, inputWidth) and ∂/∂θ [gᵀ J v] into `parameterGradients` (when non-nil).
    func secondOrder(_ buffers: LayerBuffers, outputGradient: UnsafePointer<Float>, inputTangent: UnsafePointer<Float>,
                     outputTangent: UnsafeMutablePointer<Float>, inputAdjoint: UnsafeMutablePointer<Float>,
                     parameterGradients: UnsafeMutablePointer<Float>?)

    /// Floats per row of `buffers.scratch` that `secondOrder` uses (default: `scratchWidth`).
    var secondOrderScratchWidth: Int { get }

    /// Whether `secondOrder` adds into `inputAdjoint` (default true). False for layers whose J does
    /// not depend on the input (Linear, TemporalConvolution): the tape then neither clears nor adds
    /// their residual adjoint.
    var secondOrderAddsInputAdjoint: Bool { get }

    /// `backward` without parameter gradients, then `inputGradient += inputAdjoint` (batch, inputWidth):
    /// the tape's last pass at a parameter-free layer whose J depends on its input (an activation; layers
    /// with parameters get `backward` and the addition). The default runs the two in turn; SiLU fuses them.
    func backward(_ buffers: LayerBuffers, outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
                  addingInputAdjoint inputAdjoint: UnsafePointer<Float>)
}

extension SecondOrderLayer {
    public var secondOrderScratchWidth: Int { scratchWidth }

    public var secondOrderAddsInputAdjoint: Bool { true }

    public func backward(_ buffers: LayerBuffers, outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
                         addingInputAdjoint inputAdjoint: UnsafePointer<Float>) {
        backward(buffers, outputGradient: outputGradient, inputGradient: inputGradient, parameterGradients: nil)
        addElementwise(inputAdjoint, into: inputGradient, count: buffers.batch * inputWidth)
    }
}

extension Linear: SecondOrderLayer {
    public var secondOrderAddsInputAdjoint: Bool { false }

    /// J = W: J v = v Wᵀ; ∂/∂W [gᵀ W v] = g vᵀ (summed over rows); J does not depend on the input.
    public func secondOrder(_ buffers: LayerBuffers, outputGradient: UnsafePointer<Float>, inputTangent: UnsafePointer<Float>,
                            outputTangent: UnsafeMutablePointer<Float>, inputAdjoint: UnsafeMutablePointer<Float>,
                            parameterGradients: UnsafeMutablePointer<Float>?) {
        gemm(transposeA: false, transposeB: true, m: buffers.batch, n: outputWidth, k: inputWidth,
             a: inputTangent, lda: inputWidth, b: buffers.parameters, ldb: inputWidth,
             beta: 0, c: outputTangent, ldc: outputWidth)
        if let parameterGradients {
            gemm(transposeA: true, transposeB: false, m: outputWidth, n: inputWidth, k: buffers.batch,
                 a: outputGradient, lda: outputWidth, b: inputTangent, ldb: inputWidth,
                 beta: 1, c: parameterGradients, ldc: inputWidth)
        }
    }
}

extension SiLU: SecondOrderLayer {
    /// J = diag(φ'(z)): J v = φ'(z) ⊙ v; ∂/∂z [gᵀ diag(φ'(z)) v] = g ⊙ v ⊙ φ''(z), with
    /// φ''(z) = σ(z)(1 − σ(z))(2 + z(1 − 2σ(z))). One pass over z, v, g and the saved φ'(z).
    public func secondOrder(_ buffers: LayerBuffers, outputGradient: UnsafePointer<Float>, inputTangent: UnsafePointer<Float>,
                            outputTangent: UnsafeMutablePointer<Float>, inputAdjoint: UnsafeMutablePointer<Float>,
                            parameterGradients: UnsafeMutablePointer<Float>?) {
        SiLU.secondOrderProducts(derivative: buffers.saved, tangent: inputTangent, gradient: outputGradient, input: buffers.input,
                                 outputTangent: outputTangent, adjoint: inputAdjoint, accumulate: true, count: buffers.batch * width)
    }

    /// dInput = dOutput ⊙ φ'(z) + inputAdjoint in one pass.
    public func backward(_ buffers: LayerBuffers, outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
                         addingInputAdjoint inputAdjoint: UnsafePointer<Float>) {
        multiplyAddElementwise(outputGradient, buffers.saved, inputAdjoint, into: inputGradient, count: buffers.batch * width)
    }

    /// For `count` elements: outputTangent = derivative ⊙ tangent (when non-nil) and adjoint (+)= gradient ⊙ tangent ⊙ φ''(input),
    /// φ''(z) = σ(z)(1 − σ(z))(2 + z(1 − 2σ(z))), eight lanes at a time (the tail padded, so every element sees the
    /// same arithmetic): the AVX2 + FMA kernel of CNeuralKernels where the CPU has it (as the forward's), else
    /// FastMath's sigmoid (`avx2` false: what a CPU without AVX2 runs). `adjoint` may alias `input`, `gradient` or `tangent`.
    static func secondOrderProducts(derivative: UnsafePointer<Float>?, tangent: UnsafePointer<Float>, gradient: UnsafePointer<Float>,
                                    input: UnsafePointer<Float>, outputTangent: UnsafeMutablePointer<Float>?,
                                    adjoint: UnsafeMutablePointer<Float>, accumulate: Bool, count: Int, avx2: Bool = useAVX2) {
        precondition(!avx2 || SiLU.useAVX2, "the AVX2 kernel needs a CPU with AVX2 and FMA")
        if avx2 {
            nk_silu_second_order_avx2(count, derivative, tangent, gradient, input, outputTangent, adjoint, accumulate ? 1 : 0)
            return
        }
        @inline(__always) func lanes(_ p: UnsafePointer<Float>, _ i: Int, _ n: Int) -> Lanes {
            if n == 8 { return UnsafeRawPointer(p + i).loadUnaligned(as: Lanes.self) }
            var l = Lanes(repeating: 0)
            for lane in 0..<n { l[lane] = p[i + lane] }
            return l
        }
        @inline(__always) func store(_ l: Lanes, _ p: UnsafeMutablePointer<Float>, _ i: Int, _ n: Int) {
            if n == 8 { UnsafeMutableRawPointer(p + i).storeBytes(of: l, as: Lanes.self); return }
            for lane in 0..<n { p[i + lane] = l[lane] }
        }
        let (one, two) = (Lanes(repeating: 1), Lanes(repeating: 2))
        var i = 0
        while i < count {
            let n = min(8, count - i)
            let (v, z) = (lanes(tangent, i, n), lanes(input, i, n))
            let s = fastSigmoid(z)
            var r = lanes(gradient, i, n) * v * (s * (one - s) * (two + z * (one - two * s)))
            if accumulate { r += lanes(adjoint, i, n) }
            if let derivative, let outputTangent { store(lanes(derivative, i, n) * v, outputTangent, i, n) }
            store(r, adjoint, i, n)
            i += n
        }
    }
}

extension TemporalConvolution: SecondOrderLayer {
    public var secondOrderAddsInputAdjoint: Bool { false }

    /// J v = conv(v) without the bias (im2col(v) Wᵀ); ∂/∂W [gᵀ J v] = gᵀ im2col(v); J does not depend
    /// on the input. Scratch: im2col(v), (length, patchWidth) per row.
    public func secondOrder(_ buffers: LayerBuffers, outputGradient: UnsafePointer<Float>, inputTangent: UnsafePointer<Float>,
                            outputTangent: UnsafeMutablePointer<Float>, inputAdjoint: UnsafeMutablePointer<Float>,
                            parameterGradients: UnsafeMutablePointer<Float>?) {
        let rows = buffers.batch * length
        let patches = buffers.scratch
        im2col(inputTangent, batch: buffers.batch, into: patches)
        gemm(transposeA: false, transposeB: true, m: rows, n: outputChannels, k: patchWidth,
             a: patches, lda: patchWidth, b: buffers.parameters, ldb: patchWidth,
             beta: 0, c: outputTangent, ldc: outputChannels)
        if let parameterGradients {
            gemm(transposeA: true, transposeB: false, m: outputChannels, n: patchWidth, k: rows,
                 a: outputGradient, lda: outputChannels, b: patches, ldb: patchWidth,
                 beta: 1, c: parameterGradients, ldc: patchWidth)
        }
    }
}

extension TemporalResidualBlock: SecondOrderLayer {
    /// y = x + conv₂(φ(z)), z = conv₁(x). With conv′ a convolution without its bias, u = φ'(z) ⊙ conv₁′(v)
    /// and d = conv₂ᵀ g (the gradient on φ(z)):
    ///   J v = v + conv₂′(u);
    ///   ∂/∂θ₂ [gᵀ J v] = gᵀ im2col(u) (conv₂'s weight);
    ///   ∂/∂θ₁ [gᵀ J v] = (d ⊙ φ'(z))ᵀ im2col(v) (the direct term) + the backward of conv₁ from r;
    ///   ∂/∂x  [gᵀ J v] = conv₁ᵀ r,  r = d ⊙ conv₁′(v) ⊙ φ''(z)  (J depends on x through φ'(z)).
    /// Scratch, whole-batch regions: [conv₁′(v) | d | d ⊙ φ'(z), then u | z, then r | patches].
    public var secondOrderScratchWidth: Int { 4 * inputWidth + max(first.scratchWidth, second.scratchWidth) }

    public func secondOrder(_ buffers: LayerBuffers, outputGradient: UnsafePointer<Float>, inputTangent: UnsafePointer<Float>,
                            outputTangent: UnsafeMutablePointer<Float>, inputAdjoint: UnsafeMutablePointer<Float>,
                            parameterGradients: UnsafeMutablePointer<Float>?) {
        let r = regions(buffers)
        let count = buffers.batch * inputWidth
        let firstTangent = buffers.scratch, d = firstTangent + count, weighted = d + count, z = weighted + count
        let patches = z + count
        let firstBuffers = convolutionBuffers(buffers, input: buffers.input, output: r.hidden, saved: r.firstSaved, scratch: patches, second: false)
        let secondBuffers = convolutionBuffers(buffers, input: r.hidden, output: buffers.output, saved: r.secondSaved, scratch: patches, second: true)
        let secondGradients = parameterGradients.map { $0 + first.parameterCount }
        // d = conv₂ᵀ g; conv₁′(v) and the direct term on θ₁ with the gradient d ⊙ φ'(z) on conv₁'s output
        second.backward(secondBuffers, outputGradient: outputGradient, inputGradient: d, parameterGradients: nil)
        multiplyElementwise(d, r.derivative, into: weighted, count: count)
        first.secondOrder(firstBuffers, outputGradient: weighted, inputTangent: inputTangent, outputTangent: firstTangent,
                          inputAdjoint: inputAdjoint, parameterGradients: parameterGradients)
        // J v = v + conv₂′(u) and conv₂'s term
        let u = weighted
        multiplyElementwise(r.derivative, firstTangent, into: u, count: count)
        second.secondOrder(secondBuffers, outputGradient: outputGradient, inputTangent: u, outputTangent: outputTangent,
                           inputAdjoint: inputAdjoint, parameterGradients: secondGradients)
        for i in 0..<count { outputTangent[i] += inputTangent[i] }
        // z again (conv₁'s output before φ), then r = d ⊙ conv₁′(v) ⊙ φ''(z), backpropagated through conv₁
        first.convolve(r.firstSaved, batch: buffers.batch, parameters: buffers.parameters, into: z)
        SiLU.secondOrderProducts(derivative: nil, tangent: firstTangent, gradient: d, input: z, outputTangent: nil,
                                 adjoint: z, accumulate: false, count: count)
        first.backward(firstBuffers, outputGradient: z, inputGradient: firstTangent, parameterGradients: parameterGradients)
        addElementwise(firstTangent, into: inputAdjoint, count: buffers.batch * inputWidth)
    }
}

/// Why a network has no second-order pass.
public enum SecondOrderError: Error, Equatable, CustomStringConvertible {
    /// Layer `index` is not a `SecondOrderLayer` (or keeps per-call caches).
    case unsupportedLayer(index: Int, architecture: String)
    /// The network's output is not one column.
    case nonScalarOutput(outputs: Int)

    public var description: String {
        switch self {
        case .unsupportedLayer(let index, let architecture):
            return "layer \(index) (\(architecture)) has no second-order pass; denoising score matching needs Linear, SiLU and temporal-convolution layers (no spectral norm or ensemble)"
        case .nonScalarOutput(let outputs): return "the second-order pass needs a scalar network, this one has \(outputs) outputs"
        }
    }
}

/// Records one forward and backward pass of a scalar network — energies and input gradients —
/// keeping every activation and every intermediate gradient, so that a loss on the input gradient
/// can be backpropagated to the parameters (`backpropagate`).
///
/// Layers run unfused (each activation keeps its pre-activation input, which φ'' needs). Every
/// layer must be a `SecondOrderLayer` without per-call caches (Linear, SiLU, TemporalConvolution,
/// TemporalResidualBlock).
public final class InputGradientTape {
    public let network: Sequential
    /// Rows of the last `record` call.
    public private(set) var batch = 0
    private var capacity = 0
    /// a_0 … a_L: (capacity, width_i) each.
    private var activations: [UnsafeMutablePointer<Float>] = []
    /// What each layer's forward saved.
    private var saved: [UnsafeMutablePointer<Float>] = []
    /// g_0 … g_L = ∂E/∂a_i.
    private var gradients: [UnsafeMutablePointer<Float>] = []
    /// Tangents, adjoints and residual adjoints r_i, each (capacity, widest).
    private var tangent: [UnsafeMutablePointer<Float>] = []
    private var adjoint: [UnsafeMutablePointer<Float>] = []
    private var residual: [UnsafeMutablePointer<Float>] = []
    /// Scratch shared by the layers' calls: (capacity, widest scratch).
    private var scratch: UnsafeMutablePointer<Float>?
    private var widths: [Int]

    /// Fails when a layer has no second-order pass or the network's output is not one column.
    public init(_ network: Sequential) throws {
        for (index, layer) in network.layers.enumerated() {
            guard layer is any SecondOrderLayer, layer.cacheCount == 0 else {
                throw SecondOrderError.unsupportedLayer(index: index, architecture: "\(layer.architecture)")
            }
        }
        guard network.outputWidth == 1 else {
            throw SecondOrderError.nonScalarOutput(outputs: network.outputWidth)
        }
        self.network = network
        widths = [network.inputWidth] + network.layers.map(\.outputWidth)
    }

    deinit { release() }

    private func release() {
        for list in [activations, saved, gradients, tangent, adjoint, residual] { for p in list { p.deallocate() } }
        (activations, saved, gradients, tangent, adjoint, residual) = ([], [], [], [], [], [])
        scratch?.deallocate()
        scratch = nil
    }

    private func reserve(_ rows: Int) {
        guard rows > capacity else { return }
        release()
        capacity = max(rows, 2 * capacity)
        func block(_ n: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(n, 1))
            p.initialize(repeating: 0, count: max(n, 1))
            return p
        }
        activations = widths.map { block(capacity * $0) }
        gradients = widths.map { block(capacity * $0) }
        saved = network.layers.map { block(capacity * $0.savedWidth) }
        let widest = widths.max()!
        tangent = (0..<2).map { _ in block(capacity * widest) }
        adjoint = (0..<2).map { _ in block(capacity * widest) }
        residual = widths.map { block(capacity * $0) }
        let widestScratch = network.layers.map { max($0.scratchWidth, ($0 as! any SecondOrderLayer).secondOrderScratchWidth) }.max() ?? 0
        scratch = block(capacity * widestScratch)
    }

    private func buffers(_ index: Int) -> LayerBuffers {
        let dummy = UnsafeMutablePointer<Float>(mutating: activations[0])
        return LayerBuffers(batch: batch, input: activations[index], output: activations[index + 1], saved: saved[index],
                            scratch: scratch!, parameters: network.parameters.baseAddress + network.layerOffsets[index],
                            cache: dummy)
    }

    /// The tape runs the layers itself on one thread: its gemms go to the one-threaded kernel
    /// (AVX-512 where the CPU has it) unless the network asks for OpenBLAS threads (`.blas`). Left to
    /// OpenBLAS's default threads, a denoising training step ran 3–5× slower on a loaded 2-core
    /// machine (its threads spin-wait for each small product).
    private func setBLASThreads() {
        if case .blas(let threads) = network.threading { BLASThreads.set(threads) } else { BLASThreads.set(1) }
    }

    /// Energies E(x) (batch) and ∇ₓE (batch, inputWidth) for `input` (batch, inputWidth).
    public func record(_ input: [Float], batch rows: Int) -> (energies: [Float], inputGradient: [Float]) {
        precondition(rows > 0 && input.count == rows * network.inputWidth, "InputGradientTape.record: input size")
        setBLASThreads()
        reserve(rows)
        batch = rows
        input.withUnsafeBufferPointer { activations[0].update(from: $0.baseAddress!, count: input.count) }
        for (index, layer) in network.layers.enumerated() { layer.forward(buffers(index)) }
        let L = network.layers.count
        gradients[L].update(repeating: 1, count: rows)
        for index in (0..<L).reversed() {
            network.layers[index].backward(buffers(index), outputGradient: gradients[index + 1],
                                           inputGradient: gradients[index], parameterGradients: nil)
        }
        return (Array(UnsafeBufferPointer(start: activations[L], count: rows)),
                Array(UnsafeBufferPointer(start: gradients[0], count: rows * network.inputWidth)))
    }

    /// Adds ∂/∂θ [Σ_b energyCotangent_b · E(x_b) + Σ_b gradientCotangent_b · ∇ₓE(x_b)] into
    /// `network.gradients`, for the rows of the last `record`. `gradientCotangent`: (batch, inputWidth);
    /// `energyCotangent`: (batch) or nil (zero).
    public func backpropagate(gradientCotangent: [Float], energyCotangent: [Float]? = nil) {
        let L = network.layers.count
        precondition(gradientCotangent.count == batch * network.inputWidth && (energyCotangent?.count ?? batch) == batch,
                     "InputGradientTape.backpropagate: sizes")
        setBLASThreads()
        let theta = network.gradients.baseAddress
        // Forward over the chain: tangents v_i, parameter terms and residual adjoints r_i.
        gradientCotangent.withUnsafeBufferPointer { tangent[0].update(from: $0.baseAddress!, count: $0.count) }
        for index in 0..<L {
            let layer = network.layers[index] as! any SecondOrderLayer
            let (v, next) = (tangent[index % 2], tangent[(index + 1) % 2])
            if layer.secondOrderAddsInputAdjoint { residual[index].update(repeating: 0, count: batch * widths[index]) }
            layer.secondOrder(buffers(index), outputGradient: gradients[index + 1], inputTangent: v, outputTangent: next,
                              inputAdjoint: residual[index], parameterGradients: theta + network.layerOffsets[index])
        }
        // One ordinary backward with the residual adjoints added at each layer's input.
        var current = adjoint[0]
        if let energyCotangent { energyCotangent.withUnsafeBufferPointer { current.update(from: $0.baseAddress!, count: batch) } }
        else { current.update(repeating: 0, count: batch) }
        for index in (0..<L).reversed() {
            let destination = adjoint[(L - index) % 2]
            let layer = network.layers[index] as! any SecondOrderLayer
            if layer.secondOrderAddsInputAdjoint && layer.parameterCount == 0 {
                layer.backward(buffers(index), outputGradient: current, inputGradient: destination, addingInputAdjoint: residual[index])
            } else {
                // the first layer's input adjoint has no use (x is data) unless its own residual is added to it
                let needed = index > 0 || layer.secondOrderAddsInputAdjoint
                layer.backward(buffers(index), outputGradient: current, inputGradient: needed ? destination : nil,
                               parameterGradients: theta + network.layerOffsets[index])
                if layer.secondOrderAddsInputAdjoint { addElementwise(residual[index], into: destination, count: batch * widths[index]) }
            }
            current = destination
        }
    }
}
