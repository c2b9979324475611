// Workspace: the activations, saved values and gradient buffers of one model, sized for a
// batch capacity and reused across calls (no allocation on the hot path).

/// A 64-byte-aligned Float32 allocation owned by a workspace.
final class AlignedBuffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }
}

/// Per-call memory of a `Sequential` model for up to `capacity` rows.
///
/// Every per-row buffer is (capacity, width) row-major, so a contiguous range of rows is a
/// contiguous block and threads working on disjoint row ranges never share memory.
final class Workspace {
    /// Rows every buffer has room for.
    let capacity: Int
    /// Copy of the last forward's input. (capacity, inputWidth)
    let input: AlignedBuffer
    /// Layer i's output. (capacity, layers[i].outputWidth)
    let outputs: [AlignedBuffer]
    /// Layer i's saved values. (capacity, layers[i].savedWidth)
    let saved: [AlignedBuffer]
    /// Shared per-row scratch. (capacity, scratchStride); a layer's block for rows r0..<r1
    /// starts at r0 · scratchStride, so concurrent workers on different layers never overlap.
    let scratch: AlignedBuffer
    /// Row stride of `scratch`: the largest scratchWidth.
    let scratchStride: Int
    /// Layer i's batch-independent cache (count layers[i].cacheCount).
    let caches: [AlignedBuffer]
    /// Two gradient buffers used alternately going backwards. (capacity, gradientStride), with
    /// a block for rows r0..<r1 starting at r0 · gradientStride (as for `scratch`).
    let gradientPing: AlignedBuffer, gradientPong: AlignedBuffer
    /// All ones: dE/dE for the energy path. (capacity, outputWidth)
    let ones: AlignedBuffer
    /// Row stride of the gradient buffers: the largest width in the model.
    let gradientStride: Int
    /// Extra parameter-gradient buffers for batch-split workers 1…; worker 0 uses the model's.
    var workerGradients: [ParameterBuffer] = []

    init(layers: [any Layer], capacity: Int) {
        self.capacity = capacity
        let inputWidth = layers.first?.inputWidth ?? 0
        let maxWidth = layers.reduce(inputWidth) { max($0, $1.outputWidth) }
        input = AlignedBuffer(count: capacity * inputWidth)
        outputs = layers.map { AlignedBuffer(count: capacity * $0.outputWidth) }
        saved = layers.map { AlignedBuffer(count: capacity * $0.savedWidth) }
        scratchStride = layers.reduce(0) { max($0, $1.scratchWidth) }
        scratch = AlignedBuffer(count: capacity * scratchStride)
        gradientStride = maxWidth
        caches = layers.map { AlignedBuffer(count: $0.cacheCount) }
        gradientPing = AlignedBuffer(count: capacity * maxWidth)
        gradientPong = AlignedBuffer(count: capacity * maxWidth)
        ones = AlignedBuffer(count: capacity * (layers.last?.outputWidth ?? 0))
        ones.pointer.update(repeating: 1, count: ones.count)
    }
}
