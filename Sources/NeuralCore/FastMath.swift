// FastMath: vectorised exp, sigmoid and tanh for the pointwise activations, and the loop that
// applies a pointwise kernel row by row (adding a bias on the way).

/// Eight Float32 lanes: the unit of work of every pointwise kernel.
typealias Lanes = SIMD8<Float>

/// e^x for eight lanes, relative error below 2e-7 on [-87, 88] (Cephes `expf` polynomial).
///
/// Range reduction x = n·ln2 + r with |r| ≤ ln2/2 (n rounded with the 1.5·2^23 trick, so no
/// rounding instruction is needed), a degree-6 polynomial for e^r, and 2^n built from the
/// exponent bits. Inputs are clamped to [-87, 88], so the result is always finite and normal.
@inline(__always)
func fastExp(_ x: Lanes) -> Lanes {
    var x = x
    x.replace(with: Lanes(repeating: 88), where: x .> Lanes(repeating: 88))
    x.replace(with: Lanes(repeating: -87), where: x .< Lanes(repeating: -87))
    let roundingMagic = Lanes(repeating: 12_582_912)  // 1.5 · 2^23
    let shifted = x * Lanes(repeating: 1.442_695_04) + roundingMagic
    let n = shifted - roundingMagic
    let r = x - n * Lanes(repeating: 0.693_359_375) - n * Lanes(repeating: -2.121_944_4e-4)
    var p = Lanes(repeating: 1.987_569_150_0e-4)
    p = p * r + Lanes(repeating: 1.398_199_950_7e-3)
    p = p * r + Lanes(repeating: 8.333_451_907_3e-3)
    p = p * r + Lanes(repeating: 4.166_579_589_4e-2)
    p = p * r + Lanes(repeating: 1.666_666_545_9e-1)
    p = p * r + Lanes(repeating: 5.000_000_120_1e-1)
    let expR = p * (r * r) + r + Lanes(repeating: 1)
    // The low mantissa bits of `shifted` hold n + 2^22; move n + 127 into the exponent field.
    let nBits = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(roundingMagic, to: SIMD8<Int32>.self)
    let scale = unsafeBitCast((nBits &+ 127) &<< 23, to: Lanes.self)
    return expR * scale
}

/// The logistic sigmoid 1 / (1 + e^-x) for eight lanes, absolute error below 1e-7.
@inline(__always)
func fastSigmoid(_ x: Lanes) -> Lanes {
    Lanes(repeating: 1) / (Lanes(repeating: 1) + fastExp(-x))
}

/// tanh x = 1 - 2 / (e^{2x} + 1) for eight lanes, absolute error below 2e-7.
@inline(__always)
func fastTanh(_ x: Lanes) -> Lanes {
    Lanes(repeating: 1) - Lanes(repeating: 2) / (fastExp(x + x) + Lanes(repeating: 1))
}

/// f and f' of a pointwise activation on eight lanes; a type (not a closure) so that
/// `applyPointwise` is specialised for it and the kernel inlined into the loop.
protocol PointwiseKernel {
    func callAsFunction(_ z: Lanes) -> (value: Lanes, derivative: Lanes)
}

/// Applies `kernel` to every element of a (rows, columns) block: z = source + bias (bias per
/// column, optional), then `(value, derivative) = kernel(z)`.
///
/// Source, values and derivatives each have their own row stride; `values` may alias `source`
/// (in place). One pass over memory, eight lanes at a time; the row tail is padded to eight
/// lanes so every element sees the same arithmetic.
@inline(__always)
func applyPointwise<Kernel: PointwiseKernel>(_ kernel: Kernel, rows: Int, columns: Int,
                    source: UnsafePointer<Float>, sourceStride: Int,
                    bias: UnsafePointer<Float>?,
                    values: UnsafeMutablePointer<Float>, valueStride: Int,
                    derivatives: UnsafeMutablePointer<Float>, derivativeStride: Int) {
    let wholeColumns = columns & ~7
    for row in 0..<rows {
        let z = source + row * sourceStride
        let y = values + row * valueStride
        let d = derivatives + row * derivativeStride
        var column = 0
        while column < wholeColumns {
            var lanes = UnsafeRawPointer(z + column).loadUnaligned(as: Lanes.self)
            if let bias { lanes += UnsafeRawPointer(bias + column).loadUnaligned(as: Lanes.self) }
            let (value, derivative) = kernel(lanes)
            UnsafeMutableRawPointer(y + column).storeBytes(of: value, as: Lanes.self)
            UnsafeMutableRawPointer(d + column).storeBytes(of: derivative, as: Lanes.self)
            column += 8
        }
        if column < columns {
            var lanes = Lanes(repeating: 0)
            for lane in 0..<(columns - column) { lanes[lane] = z[column + lane] + (bias?[column + lane] ?? 0) }
            let (value, derivative) = kernel(lanes)
            for lane in 0..<(columns - column) {
                y[column + lane] = value[lane]
                d[column + lane] = derivative[lane]
            }
        }
    }
}

/// out[i] = a[i] · b[i] for `count` elements; `out` may alias `a` or `b`.
@inline(__always)
func multiplyElementwise(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                         into out: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 8 <= count {
        let product = UnsafeRawPointer(a + i).loadUnaligned(as: Lanes.self)
            * UnsafeRawPointer(b + i).loadUnaligned(as: Lanes.self)
        UnsafeMutableRawPointer(out + i).storeBytes(of: product, as: Lanes.self)
        i += 8
    }
    while i < count { out[i] = a[i] * b[i]; i += 1 }
}

/// out[i] += a[i] for `count` elements.
@inline(__always)
func addElementwise(_ a: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 8 <= count {
        let sum = UnsafeRawPointer(a + i).loadUnaligned(as: Lanes.self) + UnsafeRawPointer(out + i).loadUnaligned(as: Lanes.self)
        UnsafeMutableRawPointer(out + i).storeBytes(of: sum, as: Lanes.self)
        i += 8
    }
    while i < count { out[i] += a[i]; i += 1 }
}

/// out[i] = a[i] · b[i] + c[i] for `count` elements (a product, then a sum: no fused multiply-add);
/// `out` may alias any input.
@inline(__always)
func multiplyAddElementwise(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>,
                            into out: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 8 <= count {
        let product = UnsafeRawPointer(a + i).loadUnaligned(as: Lanes.self) * UnsafeRawPointer(b + i).loadUnaligned(as: Lanes.self)
        UnsafeMutableRawPointer(out + i).storeBytes(of: product + UnsafeRawPointer(c + i).loadUnaligned(as: Lanes.self), as: Lanes.self)
        i += 8
    }
    while i < count { out[i] = a[i] * b[i] + c[i]; i += 1 }
}

/// columnSums[j] += Σ_row matrix[row, j] for a (rows, columns) matrix with row stride `stride`.
@inline(__always)
func accumulateColumnSums(_ matrix: UnsafePointer<Float>, rows: Int, columns: Int, stride: Int,
                          into columnSums: UnsafeMutablePointer<Float>) {
    for row in 0..<rows {
        let line = matrix + row * stride
        for j in 0..<columns { columnSums[j] += line[j] }
    }
}

/// Fills each of `rows` rows (stride `stride`) with the `columns` values of `row`.
@inline(__always)
func broadcastRows(_ row: UnsafePointer<Float>, rows: Int, columns: Int,
                   into matrix: UnsafeMutablePointer<Float>, stride: Int) {
    for r in 0..<rows { (matrix + r * stride).update(from: row, count: columns) }
}
