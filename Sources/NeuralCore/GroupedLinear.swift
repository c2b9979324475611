// GroupedLinear and GroupMean: M independent networks side by side in one Sequential (an
// ensemble). Group g reads input columns [g·in, (g+1)·in) and writes output columns
// [g·out, (g+1)·out): a block-diagonal Linear stored as its M blocks, one strided gemm each.

/// M dense layers on disjoint column groups, y_g = x_g W_gᵀ + b_g.
///
/// Tensors: `weight` (groups, outputWidth, inputWidth) and `bias` (groups, outputWidth), per
/// group initialised as `Linear`. Widths here are per group; the layer maps groups·inputWidth
/// features to groups·outputWidth.
public struct GroupedLinear: Layer {
    public let groups: Int
    /// Features per group.
    public let groupInputWidth: Int, groupOutputWidth: Int

    public init(groups: Int, inputWidth: Int, outputWidth: Int) {
        precondition(groups > 0 && inputWidth > 0 && outputWidth > 0, "GroupedLinear: sizes must be positive")
        (self.groups, groupInputWidth, groupOutputWidth) = (groups, inputWidth, outputWidth)
    }

    public var inputWidth: Int { groups * groupInputWidth }
    public var outputWidth: Int { groups * groupOutputWidth }

    public var parameterSpecs: [ParameterSpec] {
        [ParameterSpec("weight", shape: [groups, groupOutputWidth, groupInputWidth], initializer: .fanInUniform(fanIn: groupInputWidth)),
         ParameterSpec("bias", shape: [groups, groupOutputWidth], initializer: .fanInUniform(fanIn: groupInputWidth))]
    }

    public var architecture: LayerArchitecture { .groupedLinear(groups: groups, inputWidth: groupInputWidth, outputWidth: groupOutputWidth) }

    var blockCount: Int { groupOutputWidth * groupInputWidth }
    var biasOffset: Int { groups * blockCount }

    public func forward(_ buffers: LayerBuffers) {
        let (i, o) = (groupInputWidth, groupOutputWidth)
        broadcastRows(buffers.parameters + biasOffset, rows: buffers.batch, columns: outputWidth, into: buffers.output, stride: outputWidth)
        for g in 0..<groups {
            gemm(transposeA: false, transposeB: true, m: buffers.batch, n: o, k: i,
                 a: buffers.input + g * i, lda: inputWidth, b: buffers.parameters + g * blockCount, ldb: i,
                 beta: 1, c: buffers.output + g * o, ldc: outputWidth)
        }
    }

    public func backward(_ buffers: LayerBuffers, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?,
                         parameterGradients: UnsafeMutablePointer<Float>?) {
        let (i, o) = (groupInputWidth, groupOutputWidth)
        for g in 0..<groups {
            Linear.backward(batch: buffers.batch, inputWidth: i, outputWidth: o,
                            input: buffers.input + g * i, inputStride: inputWidth,
                            weight: buffers.parameters + g * blockCount,
                            outputGradient: outputGradient + g * o, outputGradientStride: outputWidth,
                            inputGradient: inputGradient.map { $0 + g * i }, inputGradientStride: inputWidth, accumulateInput: false,
                            weightGradient: parameterGradients.map { $0 + g * blockCount }, weightGradientScale: 1,
                            biasGradient: parameterGradients.map { $0 + biasOffset + g * o })
        }
    }
}

/// The mean of M groups of `width` features: y = (1/M) Σ_g x_g, (batch, M·width) → (batch, width).
/// No tensors; the ensemble's output.
public struct GroupMean: Layer {
    public let groups: Int, width: Int

    public init(groups: Int, width: Int) {
        precondition(groups > 0 && width > 0, "GroupMean: sizes must be positive")
        (self.groups, self.width) = (groups, width)
    }

    public var inputWidth: Int { groups * width }
    public var outputWidth: Int { width }
    public var architecture: LayerArchitecture { .groupMean(groups: groups, width: width) }

    public func forward(_ buffers: LayerBuffers) {
        let scale = 1 / Float(groups)
        for r in 0..<buffers.batch {
            let x = buffers.input + r * inputWidth, y = buffers.output + r * width
            for j in 0..<width {
                var sum: Float = 0
                for g in 0..<groups { sum += x[g * width + j] }
                y[j] = sum * scale
            }
        }
    }

    /// dx_g = dy / M for every group.
    public func backward(_ buffers: LayerBuffers, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?,
                         parameterGradients: UnsafeMutablePointer<Float>?) {
        guard let inputGradient else { return }
        let scale = 1 / Float(groups)
        for r in 0..<buffers.batch {
            let dy = outputGradient + r * width, dx = inputGradient + r * inputWidth
            for g in 0..<groups { for j in 0..<width { dx[g * width + j] = dy[j] * scale } }
        }
    }
}
