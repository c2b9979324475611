// Sequential: a model as a chain of layers, with its parameters, gradients and workspace.

/// A chain of layers with its parameters, parameter gradients and activation memory.
///
/// The layers are an immutable description; `parameters` and `gradients` are single buffers
/// addressed by names of the form `"layers.<index>.<tensor>"` (for example
/// `"layers.0.weight"`). A `Linear` followed by a pointwise activation is fused in forward:
/// the gemm writes straight into the activation's buffer and one pass adds the bias, applies
/// the activation and stores its derivative, which backward then reuses.
///
/// A model object is used by one thread at a time; it may use several cores inside a call
/// (see `threading`).
public final class Sequential {
    /// The layers, input first.
    public let layers: [any Layer]
    /// Every tensor of every layer. Layout `parameterLayout`.
    public let parameters: ParameterBuffer
    /// dLoss/dParameters, accumulated by `backward`. Same layout as `parameters`.
    public let gradients: ParameterBuffer
    /// How calls use several cores.
    public var threading: Threading = .automatic

    /// Offset of layer i's first tensor in the parameter buffer.
    let layerOffsets: [Int]
    /// At index i: the activation at i + 1 when layer i is a `Linear` fused with it.
    let fusedActivations: [(any PointwiseActivation)?]
    var workspace: Workspace
    /// Rows of the last forward call; backward works on the same rows.
    private(set) var lastBatch = 0

    /// Creates a model from `layers` (widths must chain) with tensors initialised from `seed`.
    public init(_ layers: [any Layer], seed: UInt64 = 0) {
        precondition(!layers.isEmpty, "Sequential: no layers")
        for (index, (previous, next)) in zip(layers, layers.dropFirst()).enumerated() {
            precondition(previous.outputWidth == next.inputWidth,
                         "Sequential: layer \(index) outputs \(previous.outputWidth) features, layer \(index + 1) takes \(next.inputWidth)")
        }
        self.layers = layers
        var named: [(name: String, spec: ParameterSpec)] = []
        var offsets: [Int] = []
        var offset = 0
        for (index, layer) in layers.enumerated() {
            offsets.append(offset)
            for spec in layer.parameterSpecs {
                named.append((name: "layers.\(index).\(spec.name)", spec: spec))
                offset += spec.count
            }
        }
        layerOffsets = offsets
        let layout = ParameterLayout(named)
        parameters = ParameterBuffer(layout: layout)
        gradients = ParameterBuffer(layout: layout)
        fusedActivations = layers.indices.map { index in
            guard layers[index] is Linear, index + 1 < layers.count else { return nil }
            return layers[index + 1] as? any PointwiseActivation
        }
        workspace = Workspace(layers: layers, capacity: 0)
        initializeParameters(seed: seed)
    }

    /// Creates a model from layer configurations (as stored in checkpoints).
    public convenience init(architecture: [LayerArchitecture], seed: UInt64 = 0) {
        self.init(architecture.map { $0.makeLayer() }, seed: seed)
    }

    /// Refills every tensor from its initialiser, drawing from one generator seeded by `seed`
    /// in buffer order, so the same seed and architecture give the same model.
    public func initializeParameters(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        var specs: [ParameterSpec] = []
        for layer in layers { specs += layer.parameterSpecs }
        for (spec, view) in zip(specs, parameterLayout.views) {
            spec.initializer.fill(parameters.baseAddress + view.offset, count: view.count, generator: &generator)
        }
    }

    /// Names, shapes and offsets of every tensor.
    public var parameterLayout: ParameterLayout { parameters.layout }
    /// Features per input row.
    public var inputWidth: Int { layers[0].inputWidth }
    /// Features per output row.
    public var outputWidth: Int { layers[layers.count - 1].outputWidth }
    /// Each layer's configuration, input first.
    public var architecture: [LayerArchitecture] { layers.map(\.architecture) }

    /// Sets every parameter gradient to zero.
    public func zeroGradients() { gradients.zero() }

    /// Grows the workspace to hold `batch` rows (reallocating only when it must).
    func reserve(batch: Int) {
        guard batch > workspace.capacity else { return }
        workspace = Workspace(layers: layers, capacity: max(batch, 2 * workspace.capacity))
    }

    // MARK: - Forward

    /// Runs the model on `input` (batch, inputWidth) and returns the output (batch, outputWidth).
    ///
    /// Keeps what `backward` and `inputGradient` need. With `training`, first advances
    /// per-step layer state (one power iteration of each spectral normalisation).
    public func forward(_ input: Tensor, training: Bool = false) -> Tensor {
        precondition(input.rank == 2 && input.shape[1] == inputWidth,
                     "Sequential.forward: input shape \(input.shape), expected (batch, \(inputWidth))")
        let batch = input.shape[0]
        _ = input.scalars.withUnsafeBufferPointer { forward(input: $0.baseAddress!, batch: batch, training: training) }
        return Tensor(shape: [batch, outputWidth],
                      scalars: Array(UnsafeBufferPointer(start: workspace.outputs.last!.pointer, count: batch * outputWidth)))
    }

    /// Runs the model on `batch` rows at `input` (batch, inputWidth); returns a pointer to the
    /// output (batch, outputWidth), valid until the next call on this model.
    @discardableResult
    public func forward(input: UnsafePointer<Float>, batch: Int, training: Bool = false) -> UnsafePointer<Float> {
        reserve(batch: batch)
        lastBatch = batch
        if training {
            for (index, layer) in layers.enumerated() {
                layer.advanceTrainingState(parameters: parameters.baseAddress + layerOffsets[index])
            }
        }
        for (index, layer) in layers.enumerated() where layer.cacheCount > 0 {
            layer.prepare(parameters: parameters.baseAddress + layerOffsets[index], cache: workspace.caches[index].pointer)
        }
        workspace.input.pointer.update(from: input, count: batch * inputWidth)
        forEachRowBlock(batch: batch) { rows, _ in forwardRows(rows) }
        return UnsafePointer(workspace.outputs.last!.pointer)
    }

    /// Pointers layer `index` works on for `rows`.
    func buffers(layer index: Int, rows: Range<Int>) -> LayerBuffers {
        let layer = layers[index]
        let input = index == 0 ? workspace.input.pointer : workspace.outputs[index - 1].pointer
        return LayerBuffers(batch: rows.count,
                            input: input + rows.lowerBound * layer.inputWidth,
                            output: workspace.outputs[index].pointer + rows.lowerBound * layer.outputWidth,
                            saved: workspace.saved[index].pointer + rows.lowerBound * layer.savedWidth,
                            scratch: workspace.scratch.pointer + rows.lowerBound * workspace.scratchStride,
                            parameters: parameters.baseAddress + layerOffsets[index],
                            cache: workspace.caches[index].pointer)
    }

    /// Forward through every layer for one block of rows.
    private func forwardRows(_ rows: Range<Int>) {
        var index = 0
        while index < layers.count {
            if let activation = fusedActivations[index], let linear = layers[index] as? Linear {
                // Fused Linear + activation: gemm into the activation's buffer, then one pass.
                let linearBuffers = buffers(layer: index, rows: rows)
                let activationBuffers = buffers(layer: index + 1, rows: rows)
                linear.forwardWithoutBias(batch: rows.count, input: linearBuffers.input, inputStride: linear.inputWidth,
                                          parameters: linearBuffers.parameters,
                                          preactivation: activationBuffers.output, stride: linear.outputWidth)
                activation.activate(rows: rows.count, source: activationBuffers.output, sourceStride: activation.width,
                                    bias: linearBuffers.parameters + linear.biasOffset,
                                    values: activationBuffers.output, valueStride: activation.width,
                                    derivatives: activationBuffers.saved, derivativeStride: activation.width)
                index += 2
            } else {
                layers[index].forward(buffers(layer: index, rows: rows))
                index += 1
            }
        }
    }

    // MARK: - Backward

    /// Backpropagates `outputGradient` (batch, outputWidth) through the last forward call:
    /// adds dLoss/dParameters into `gradients` and returns dLoss/dInput (batch, inputWidth).
    @discardableResult
    public func backward(outputGradient: Tensor) -> Tensor {
        backwardReturningTensor(outputGradient: outputGradient, accumulateParameterGradients: true)
    }

    /// dOutput/dInput applied to `outputGradient` (batch, outputWidth; all ones when nil, which
    /// for a scalar-output network is dE/dx) for the last forward call, leaving `gradients`
    /// untouched. Returns (batch, inputWidth).
    public func inputGradient(outputGradient: Tensor? = nil) -> Tensor {
        let gradient = outputGradient ?? Tensor(shape: [lastBatch, outputWidth], repeating: 1)
        return backwardReturningTensor(outputGradient: gradient, accumulateParameterGradients: false)
    }

    private func backwardReturningTensor(outputGradient: Tensor, accumulateParameterGradients: Bool) -> Tensor {
        precondition(outputGradient.shape == [lastBatch, outputWidth],
                     "Sequential.backward: gradient shape \(outputGradient.shape), expected [\(lastBatch), \(outputWidth)] from the last forward")
        var result = Tensor(shape: [lastBatch, inputWidth])
        outputGradient.scalars.withUnsafeBufferPointer { gradient in
            result.scalars.withUnsafeMutableBufferPointer { output in
                backward(outputGradient: gradient.baseAddress!, inputGradient: output.baseAddress!,
                         accumulateParameterGradients: accumulateParameterGradients)
            }
        }
        return result
    }

    /// Backpropagates through the last forward call. `outputGradient`: (batch, outputWidth);
    /// `inputGradient`: (batch, inputWidth) or nil when not needed. Adds into `gradients` when
    /// `accumulateParameterGradients`.
    public func backward(outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?,
                         accumulateParameterGradients: Bool) {
        let batch = lastBatch
        let workers: Int
        if case .batchSplit(let threads) = threading.resolved(batch: batch), accumulateParameterGradients {
            workers = Sequential.rowBlocks(batch: batch, count: threads).count
            while workspace.workerGradients.count < workers - 1 {
                workspace.workerGradients.append(ParameterBuffer(layout: parameterLayout))
            }
            for buffer in workspace.workerGradients.prefix(workers - 1) { buffer.zero() }
        } else {
            workers = 1
        }
        forEachRowBlock(batch: batch) { rows, worker in
            let parameterGradients: UnsafeMutablePointer<Float>? = accumulateParameterGradients
                ? (worker == 0 ? gradients.baseAddress : workspace.workerGradients[worker - 1].baseAddress) : nil
            backwardRows(rows, outputGradient: outputGradient + rows.lowerBound * outputWidth,
                         inputGradient: inputGradient.map { $0 + rows.lowerBound * inputWidth },
                         parameterGradients: parameterGradients)
        }
        // Sum the other workers' parameter gradients into the model's.
        for buffer in workspace.workerGradients.prefix(workers - 1) {
            let total = gradients.baseAddress, part = buffer.baseAddress
            for i in 0..<parameterLayout.count { total[i] += part[i] }
        }
    }

    /// Backward through every layer for one block of rows; `outputGradient` and
    /// `inputGradient` point at the block's first row.
    private func backwardRows(_ rows: Range<Int>, outputGradient: UnsafePointer<Float>,
                              inputGradient: UnsafeMutablePointer<Float>?,
                              parameterGradients: UnsafeMutablePointer<Float>?) {
        var gradient = outputGradient
        var useFirstBuffer = true
        for index in layers.indices.reversed() {
            let layer = layers[index]
            let parameterGradient = parameterGradients.map { $0 + layerOffsets[index] }
            var destination: UnsafeMutablePointer<Float>?
            if index == 0 {
                destination = inputGradient
                if destination == nil && (parameterGradient == nil || layer.parameterSpecs.isEmpty) { return }
            } else {
                let buffer = useFirstBuffer ? workspace.gradientPing : workspace.gradientPong
                destination = buffer.pointer + rows.lowerBound * workspace.gradientStride
                useFirstBuffer.toggle()
            }
            layer.backward(buffers(layer: index, rows: rows), outputGradient: gradient,
                           inputGradient: destination, parameterGradients: parameterGradient)
            if let destination { gradient = UnsafePointer(destination) }
        }
    }

    // MARK: - Energy and its input gradient

    /// For a scalar-output network: energies E(x) (batch) and dE/dx (batch, inputWidth) from one
    /// forward pass whose saved derivatives the backward pass reuses. Parameter gradients are
    /// not touched.
    public func energyAndInputGradient(_ input: Tensor) -> (energies: [Float], inputGradient: Tensor) {
        precondition(input.rank == 2 && input.shape[1] == inputWidth,
                     "energyAndInputGradient: input shape \(input.shape), expected (batch, \(inputWidth))")
        let batch = input.shape[0]
        var energies = [Float](repeating: 0, count: batch)
        var gradient = Tensor(shape: [batch, inputWidth])
        input.scalars.withUnsafeBufferPointer { x in
            energies.withUnsafeMutableBufferPointer { e in
                gradient.scalars.withUnsafeMutableBufferPointer { g in
                    energyAndInputGradient(input: x.baseAddress!, batch: batch,
                                           energies: e.baseAddress!, inputGradient: g.baseAddress!)
                }
            }
        }
        return (energies, gradient)
    }

    /// Allocation-free form: `input` (batch, inputWidth) → `energies` (batch) and
    /// `inputGradient` (batch, inputWidth).
    public func energyAndInputGradient(input: UnsafePointer<Float>, batch: Int,
                                       energies: UnsafeMutablePointer<Float>,
                                       inputGradient: UnsafeMutablePointer<Float>) {
        precondition(outputWidth == 1, "energyAndInputGradient: the network has \(outputWidth) outputs, needs 1")
        let output = forward(input: input, batch: batch)
        energies.update(from: output, count: batch)
        backward(outputGradient: workspace.ones.pointer, inputGradient: inputGradient,
                 accumulateParameterGradients: false)
    }
}
