// Tensor: a Float32 value with an explicit shape, stored row-major (last index fastest).

/// A Float32 array with an explicit shape, stored row-major (the last index varies fastest).
///
/// `Tensor` is a plain value: copying it copies the scalars (copy-on-write through `Array`).
/// Layers never allocate tensors on the hot path; they work on pointers into a model's
/// parameter buffer and workspace. Tensors are for the public surface: inputs, outputs,
/// checkpoints and tests.
public struct Tensor: Equatable, Sendable {
    /// Extent of each dimension, outermost first; `[]` is a scalar.
    public let shape: [Int]
    /// Elements in row-major order. Shape `shape`, count `shape.reduce(1, *)`.
    public var scalars: [Float]

    /// Creates a tensor from a shape and its row-major scalars; the counts must agree.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shape)")
        precondition(shape.reduce(1, *) == scalars.count,
                     "Tensor: shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// Creates a tensor of the given shape with every element equal to `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        self.init(shape: shape, scalars: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// Creates a tensor of the given shape whose elements are `element(flatIndex)`.
    public init(shape: [Int], generating element: (Int) -> Float) {
        self.init(shape: shape, scalars: (0..<shape.reduce(1, *)).map(element))
    }

    /// Creates a matrix from rows of equal length. Shape (rows.count, rows[0].count).
    public init(rows: [[Float]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "Tensor(rows:): ragged rows")
        self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 })
    }

    /// Number of elements (the product of the shape).
    public var count: Int { scalars.count }
    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// Rows of a matrix: `shape[0]`. Requires rank 2.
    public var rowCount: Int { precondition(rank == 2, "rowCount: rank \(rank)"); return shape[0] }
    /// Columns of a matrix: `shape[1]`. Requires rank 2.
    public var columnCount: Int { precondition(rank == 2, "columnCount: rank \(rank)"); return shape[1] }

    /// The element at a multi-index, one entry per dimension.
    public subscript(_ index: Int...) -> Float {
        get { scalars[flatIndex(index)] }
        set { scalars[flatIndex(index)] = newValue }
    }

    /// Row-major flat position of a multi-index.
    public func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "Tensor: index \(index) for shape \(shape)")
        var flat = 0
        for (position, extent) in zip(index, shape) {
            precondition(position >= 0 && position < extent, "Tensor: index \(index) out of shape \(shape)")
            flat = flat * extent + position
        }
        return flat
    }

    /// The same scalars under a new shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    /// True when every element is finite (no NaN, no infinity).
    public var isFinite: Bool { scalars.allSatisfy { $0.isFinite } }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(preview)\(count > 8 ? ", …" : "")])"
    }
}
