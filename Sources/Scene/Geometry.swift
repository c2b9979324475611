/// Small fixed-size linear algebra for scenes: 3x3 rotations and 4x4 transforms in Double.
/// Enough for forward placement and projection; nothing here touches a graphics API.

/// A 3x3 rotation matrix stored as rows (row-major, like `RobotState.bodyPoses()`).
public struct Rotation: Equatable, Sendable {
    public var rows: (SIMD3<Double>, SIMD3<Double>, SIMD3<Double>)

    public init(rows r0: SIMD3<Double>, _ r1: SIMD3<Double>, _ r2: SIMD3<Double>) { rows = (r0, r1, r2) }

    public static let identity = Rotation(rows: SIMD3(1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1))

    /// From nine row-major values starting at `offset` (one body of `bodyPoses().rotations`).
    public init(rowMajor m: [Double], offset: Int = 0) {
        rows = (SIMD3(m[offset], m[offset + 1], m[offset + 2]),
                SIMD3(m[offset + 3], m[offset + 4], m[offset + 5]),
                SIMD3(m[offset + 6], m[offset + 7], m[offset + 8]))
    }

    /// From a unit quaternion (w, x, y, z), MuJoCo's convention; normalised first.
    public init(quaternion q: SIMD4<Double>) {
        let n = (q * q).sum().squareRoot()
        let (w, x, y, z) = n > 0 ? (q[0] / n, q[1] / n, q[2] / n, q[3] / n) : (1, 0, 0, 0)
        rows = (SIMD3(1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)),
                SIMD3(2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)),
                SIMD3(2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)))
    }

    /// Column `i` (the image of the i-th unit axis).
    public func column(_ i: Int) -> SIMD3<Double> { SIMD3(rows.0[i], rows.1[i], rows.2[i]) }

    public var transposed: Rotation { Rotation(rows: column(0), column(1), column(2)) }

    public static func * (a: Rotation, v: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3((a.rows.0 * v).sum(), (a.rows.1 * v).sum(), (a.rows.2 * v).sum())
    }

    public static func * (a: Rotation, b: Rotation) -> Rotation {
        let bt = b.transposed
        func row(_ r: SIMD3<Double>) -> SIMD3<Double> {
            SIMD3((r * bt.rows.0).sum(), (r * bt.rows.1).sum(), (r * bt.rows.2).sum())
        }
        return Rotation(rows: row(a.rows.0), row(a.rows.1), row(a.rows.2))
    }

    public static func == (a: Rotation, b: Rotation) -> Bool {
        a.rows.0 == b.rows.0 && a.rows.1 == b.rows.1 && a.rows.2 == b.rows.2
    }
}

/// A 4x4 matrix stored column-major (OpenGL's layout): `columns[c][r]`.
public struct Matrix4: Equatable, Sendable {
    public var columns: [SIMD4<Double>]

    public init(columns: [SIMD4<Double>]) {
        precondition(columns.count == 4)
        self.columns = columns
    }

    public static let identity = Matrix4(columns: [SIMD4(1, 0, 0, 0), SIMD4(0, 1, 0, 0),
                                                   SIMD4(0, 0, 1, 0), SIMD4(0, 0, 0, 1)])

    /// Rotation `r` (with each column scaled by `scale`) followed by translation `t`.
    public init(rotation r: Rotation, scale s: SIMD3<Double> = SIMD3(1, 1, 1), translation t: SIMD3<Double>) {
        let c0 = r.column(0) * s.x, c1 = r.column(1) * s.y, c2 = r.column(2) * s.z
        columns = [SIMD4(c0, 0), SIMD4(c1, 0), SIMD4(c2, 0), SIMD4(t, 1)]
    }

    public static func * (a: Matrix4, v: SIMD4<Double>) -> SIMD4<Double> {
        a.columns[0] * v.x + a.columns[1] * v.y + a.columns[2] * v.z + a.columns[3] * v.w
    }

    public static func * (a: Matrix4, b: Matrix4) -> Matrix4 {
        Matrix4(columns: b.columns.map { a * $0 })
    }

    /// The 16 values column-major as Float, ready for `glUniformMatrix4fv`.
    public var floats: [Float] { columns.flatMap { [Float($0.x), Float($0.y), Float($0.z), Float($0.w)] } }
}

@inlinable func dot(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double { (a * b).sum() }
@inlinable func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}
@inlinable func length(_ a: SIMD3<Double>) -> Double { dot(a, a).squareRoot() }
@inlinable func normalize(_ a: SIMD3<Double>) -> SIMD3<Double> { let n = length(a); return n > 0 ? a / n : a }
