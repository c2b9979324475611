// Parameters: every tensor of a model in one contiguous Float32 buffer, reached through named views.

/// How a parameter tensor is filled when a model is created.
public enum Initializer: Sendable, Equatable {
    /// All zeros.
    case zeros
    /// All ones.
    case ones
    /// Uniform in [-bound, bound].
    case uniform(bound: Float)
    /// Uniform in [-1/sqrt(fanIn), 1/sqrt(fanIn)]: PyTorch's default for `Linear` and `Conv1d`.
    case fanInUniform(fanIn: Int)
    /// Normal with mean 0 and the given standard deviation.
    case normal(standardDeviation: Float)
    /// A random direction of unit Euclidean length (power-iteration vectors).
    case unitVector

    /// Fills `values` (count `count`) from `generator`.
    func fill(_ values: UnsafeMutablePointer<Float>, count: Int, generator: inout SeededGenerator) {
        switch self {
        case .zeros: values.update(repeating: 0, count: count)
        case .ones: values.update(repeating: 1, count: count)
        case .uniform(let bound):
            for i in 0..<count { values[i] = generator.nextUniform(-bound, bound) }
        case .fanInUniform(let fanIn):
            let bound = 1 / Float(max(fanIn, 1)).squareRoot()
            for i in 0..<count { values[i] = generator.nextUniform(-bound, bound) }
        case .normal(let standardDeviation):
            for i in 0..<count { values[i] = standardDeviation * generator.nextGaussian() }
        case .unitVector:
            var squaredNorm: Float = 0
            for i in 0..<count { values[i] = generator.nextGaussian(); squaredNorm += values[i] * values[i] }
            let scale = 1 / max(squaredNorm.squareRoot(), .leastNormalMagnitude)
            for i in 0..<count { values[i] *= scale }
        }
    }
}

/// Declares one parameter tensor of a layer: its name, shape, whether the optimiser updates it,
/// and how it is initialised.
public struct ParameterSpec: Sendable, Equatable {
    /// Name relative to the layer (`"weight"`); the model prefixes the layer's position.
    public var name: String
    /// Shape of the tensor, outermost first.
    public var shape: [Int]
    /// False for state that is saved in checkpoints but never updated by an optimiser
    /// (spectral normalisation's power-iteration vectors).
    public var isTrainable: Bool
    /// How the tensor is filled when the model is created.
    public var initializer: Initializer

    /// Creates a declaration; trainable unless stated otherwise.
    public init(_ name: String, shape: [Int], initializer: Initializer, isTrainable: Bool = true) {
        self.name = name
        self.shape = shape
        self.isTrainable = isTrainable
        self.initializer = initializer
    }

    /// Number of scalars.
    public var count: Int { shape.reduce(1, *) }
}

/// Where one named tensor lives inside a parameter buffer.
public struct ParameterView: Sendable, Equatable {
    /// Full name, for example `"layers.0.weight"`; also the tensor's name in checkpoints.
    public var name: String
    /// Shape of the tensor, outermost first.
    public var shape: [Int]
    /// Position of the first scalar in the buffer.
    public var offset: Int
    /// Whether optimisers update this tensor.
    public var isTrainable: Bool

    /// Number of scalars.
    public var count: Int { shape.reduce(1, *) }
    /// Positions `offset ..< offset + count` in the buffer.
    public var range: Range<Int> { offset ..< offset + count }
}

/// The immutable map from names to positions that every buffer of one model shares.
public struct ParameterLayout: Sendable, Equatable {
    /// Views in buffer order, each starting where the previous one ends.
    public let views: [ParameterView]
    /// Total number of scalars.
    public let count: Int
    private let indexByName: [String: Int]

    /// Lays out `specs` back to back, in order. Names must be unique.
    public init(_ specs: [(name: String, spec: ParameterSpec)]) {
        var views: [ParameterView] = []
        var offset = 0
        var indexByName: [String: Int] = [:]
        for (name, spec) in specs {
            precondition(indexByName[name] == nil, "ParameterLayout: duplicate name \(name)")
            indexByName[name] = views.count
            views.append(ParameterView(name: name, shape: spec.shape, offset: offset, isTrainable: spec.isTrainable))
            offset += spec.count
        }
        self.views = views
        self.count = offset
        self.indexByName = indexByName
    }

    /// The view with the given full name, or nil.
    public func view(named name: String) -> ParameterView? {
        indexByName[name].map { views[$0] }
    }

    /// Buffer ranges the optimiser updates, adjacent trainable views merged.
    public var trainableRanges: [Range<Int>] {
        var ranges: [Range<Int>] = []
        for view in views where view.isTrainable && view.count > 0 {
            if let last = ranges.last, last.upperBound == view.offset {
                ranges[ranges.count - 1] = last.lowerBound ..< view.range.upperBound
            } else {
                ranges.append(view.range)
            }
        }
        return ranges
    }
}

/// One contiguous Float32 buffer holding every tensor of a model (values, gradients or
/// optimiser moments), addressed through a shared `ParameterLayout`.
///
/// A reference type so that layers, optimisers and checkpoints work on the same memory without
/// copies. Not thread-safe: one writer at a time.
public final class ParameterBuffer: @unchecked Sendable {
    /// Names, shapes and offsets of the tensors in this buffer.
    public let layout: ParameterLayout
    /// The scalars. Count `layout.count`, 64-byte aligned; valid while this buffer is alive
    /// (keep a reference to the buffer, not only to this pointer).
    public let storage: UnsafeMutableBufferPointer<Float>

    /// Creates a zero-filled buffer for `layout`.
    public init(layout: ParameterLayout) {
        self.layout = layout
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(layout.count, 1) * MemoryLayout<Float>.stride,
                                                   alignment: 64)
        let base = raw.bindMemory(to: Float.self, capacity: max(layout.count, 1))
        base.initialize(repeating: 0, count: max(layout.count, 1))
        storage = UnsafeMutableBufferPointer(start: base, count: layout.count)
    }

    deinit { UnsafeMutableRawPointer(storage.baseAddress!).deallocate() }

    /// A copy of every scalar, in buffer order. Count `layout.count`.
    public var scalars: [Float] { withExtendedLifetime(self) { Array(storage) } }

    /// Pointer to the first scalar; valid while this buffer is alive.
    public var baseAddress: UnsafeMutablePointer<Float> { storage.baseAddress! }

    /// Sets every scalar to zero.
    public func zero() { storage.update(repeating: 0) }

    /// Copies every scalar from `other`, which must share this layout.
    public func copy(from other: ParameterBuffer) {
        precondition(other.layout == layout, "ParameterBuffer.copy: layouts differ")
        baseAddress.update(from: other.baseAddress, count: layout.count)
    }

    /// The named tensor (a copy); get fails loudly on an unknown name, set checks the shape.
    public subscript(name: String) -> Tensor {
        get {
            guard let view = layout.view(named: name) else { preconditionFailure("no parameter named \(name)") }
            return Tensor(shape: view.shape, scalars: Array(storage[view.range]))
        }
        set {
            guard let view = layout.view(named: name) else { preconditionFailure("no parameter named \(name)") }
            precondition(newValue.shape == view.shape,
                         "parameter \(name): shape \(newValue.shape), expected \(view.shape)")
            newValue.scalars.withUnsafeBufferPointer { source in
                (baseAddress + view.offset).update(from: source.baseAddress!, count: view.count)
            }
        }
    }

    /// Euclidean norm over the trainable views, accumulated in Double.
    public func trainableNorm() -> Double {
        var sum = 0.0
        for range in layout.trainableRanges {
            for i in range { sum += Double(storage[i]) * Double(storage[i]) }
        }
        return sum.squareRoot()
    }
}
