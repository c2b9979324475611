// TestSupport: the tolerance helper, a Float64 finite-difference gradient checker against
// naive reference forwards, and a Jacobi eigen-solver for singular values.

import XCTest
@testable import NeuralCore

// MARK: - Tolerance

/// |actual − expected| ≤ absolute + relative · |expected|, element by element.
///
/// The one comparison for floating-point values in these tests.
func assertClose(_ actual: [Float], _ expected: [Double], absolute: Double, relative: Double,
                 _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "count: \(message())", file: file, line: line)
    var worst = 0.0, worstIndex = -1
    for (index, (a, e)) in zip(actual, expected).enumerated() {
        let excess = abs(Double(a) - e) - (absolute + relative * abs(e))
        if excess > worst || (!Double(a).isFinite) { worst = max(excess, .infinity * (Double(a).isFinite ? 0 : 1)); worstIndex = index }
    }
    if worstIndex >= 0 {
        XCTFail("\(message()): index \(worstIndex): \(actual[worstIndex]) vs \(expected[worstIndex]) (abs \(absolute), rel \(relative))",
                file: file, line: line)
    }
}

func assertClose(_ actual: [Float], _ expected: [Float], absolute: Double, relative: Double,
                 _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    assertClose(actual, expected.map(Double.init), absolute: absolute, relative: relative, message(), file: file, line: line)
}

// MARK: - Random fixtures

func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    return Tensor(shape: shape) { _ in scale * generator.nextGaussian() }
}

// MARK: - Finite-difference gradient check

/// Checks one layer's backward against central finite differences of an independent Float64
/// reference forward.
///
/// Loss L = Σ output ⊙ R with a fixed random R, so dL/dOutput = R. The reference forward takes
/// the input (batch · inputWidth) and the layer's parameters (flat, in `parameterSpecs` order)
/// in Double; differences use h = 1e-6, whose truncation (~h²) and rounding (~1e-16/h) errors
/// are both below 1e-9. What remains is Float32 rounding in the layer (sums of ≤ 100 products
/// at ~6e-8 each), hence the default tolerance 2e-5 + 1e-4 · |g|.
func checkGradients(of layer: any Layer, batch: Int, seed: UInt64,
                    absolute: Double = 2e-5, relative: Double = 1e-4, perturbParameters: Bool = false,
                    reference: ([Double], [Double]) -> [Double],
                    file: StaticString = #filePath, line: UInt = #line) {
    checkGradients(of: Sequential([layer], seed: seed), batch: batch, seed: seed, absolute: absolute,
                   relative: relative, perturbParameters: perturbParameters, reference: reference, file: file, line: line)
}

/// The same check for a whole model; the reference takes the model's flat parameter buffer.
func checkGradients(of model: Sequential, batch: Int, seed: UInt64,
                    absolute: Double = 2e-5, relative: Double = 1e-4, perturbParameters: Bool = false,
                    reference: ([Double], [Double]) -> [Double],
                    file: StaticString = #filePath, line: UInt = #line) {
    let (inputWidth, outputWidth) = (model.inputWidth, model.outputWidth)
    if perturbParameters {
        // Move trainable tensors off their initial values (LayerNorm's γ = 1, β = 0).
        var generator = SeededGenerator(seed: seed &+ 3)
        for range in model.parameterLayout.trainableRanges {
            for i in range { model.parameters.storage[i] += 0.5 * generator.nextGaussian() }
        }
    }
    let input = randomTensor([batch, inputWidth], seed: seed &+ 1)
    let weights = randomTensor([batch, outputWidth], seed: seed &+ 2)
    let parameters = model.parameters.scalars.map(Double.init)
    let x = input.scalars.map(Double.init), r = weights.scalars.map(Double.init)

    // Forward agrees with the reference.
    let output = model.forward(input)
    assertClose(output.scalars, reference(x, parameters), absolute: 1e-5, relative: 1e-5, "forward",
                file: file, line: line)

    // Analytic gradients from backward.
    model.zeroGradients()
    let inputGradient = model.backward(outputGradient: weights)
    let parameterGradient = model.gradients.scalars

    func loss(_ x: [Double], _ p: [Double]) -> Double { zip(reference(x, p), r).reduce(0) { $0 + $1.0 * $1.1 } }
    let h = 1e-6
    var numericInput = [Double](repeating: 0, count: x.count)
    for i in x.indices {
        var plus = x, minus = x
        plus[i] += h; minus[i] -= h
        numericInput[i] = (loss(plus, parameters) - loss(minus, parameters)) / (2 * h)
    }
    assertClose(inputGradient.scalars, numericInput, absolute: absolute, relative: relative, "dInput",
                file: file, line: line)

    var numericParameters = [Double](repeating: 0, count: parameters.count)
    let trainable = Set(model.parameterLayout.trainableRanges.flatMap { Array($0) })
    for i in parameters.indices where trainable.contains(i) {
        var plus = parameters, minus = parameters
        plus[i] += h; minus[i] -= h
        numericParameters[i] = (loss(x, plus) - loss(x, minus)) / (2 * h)
    }
    for view in model.parameterLayout.views {
        assertClose(Array(parameterGradient[view.range]), Array(numericParameters[view.range]),
                    absolute: absolute, relative: relative, "d\(view.name)", file: file, line: line)
    }
}

// MARK: - Reference kernels (Float64)

/// y = x Wᵀ + b for x (batch, in), W (out, in), b (out).
func referenceLinear(_ x: ArraySlice<Double>, batch: Int, inputWidth: Int, outputWidth: Int,
                     weight: ArraySlice<Double>, bias: ArraySlice<Double>) -> [Double] {
    let x = Array(x), w = Array(weight), b = Array(bias)
    var y = [Double](repeating: 0, count: batch * outputWidth)
    for n in 0..<batch {
        for o in 0..<outputWidth {
            var sum = b[o]
            for i in 0..<inputWidth { sum += x[n * inputWidth + i] * w[o * inputWidth + i] }
            y[n * outputWidth + o] = sum
        }
    }
    return y
}

func referenceSiLU(_ z: Double) -> Double { z / (1 + Foundation.exp(-z)) }

// MARK: - Singular values

/// Eigenvalues of a symmetric (n, n) matrix by cyclic Jacobi rotations, to ~1e-14 relative.
func symmetricEigenvalues(_ matrix: [Double], n: Int) -> [Double] {
    var a = matrix
    for _ in 0..<100 {
        var offDiagonal = 0.0
        for p in 0..<n { for q in 0..<n where p != q { offDiagonal += a[p * n + q] * a[p * n + q] } }
        if offDiagonal < 1e-26 { break }
        for p in 0..<(n - 1) {
            for q in (p + 1)..<n where abs(a[p * n + q]) > 1e-300 {
                let theta = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q])
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0..<n {  // columns p, q
                    let akp = a[k * n + p], akq = a[k * n + q]
                    a[k * n + p] = c * akp - s * akq
                    a[k * n + q] = s * akp + c * akq
                }
                for k in 0..<n {  // rows p, q
                    let apk = a[p * n + k], aqk = a[q * n + k]
                    a[p * n + k] = c * apk - s * aqk
                    a[q * n + k] = s * apk + c * aqk
                }
            }
        }
    }
    return (0..<n).map { a[$0 * n + $0] }.sorted(by: >)
}

/// Singular values of W (rows, columns), largest first: square roots of eig(Wᵀ W).
func singularValues(_ weight: [Float], rows: Int, columns: Int) -> [Double] {
    var gram = [Double](repeating: 0, count: columns * columns)
    for i in 0..<columns {
        for j in 0..<columns {
            var sum = 0.0
            for k in 0..<rows { sum += Double(weight[k * columns + i]) * Double(weight[k * columns + j]) }
            gram[i * columns + j] = sum
        }
    }
    return symmetricEigenvalues(gram, n: columns).map { max($0, 0).squareRoot() }
}
