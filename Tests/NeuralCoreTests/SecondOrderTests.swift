// SecondOrderTests: the second-order pass (∂/∂θ of a loss on ∇ₓE) against central finite
// differences of a Float64 reference network, layer by layer and for a whole MLP.

import Foundation
import XCTest
@testable import NeuralCore

final class SecondOrderTests: XCTestCase {
    /// Float64 MLP of Linear(+SiLU) layers: E(x) and ∇ₓE for one row, parameters laid out as the model's.
    static func reference(widths: [Int], parameters p: [Double], x: [Double]) -> (energy: Double, gradient: [Double]) {
        var a = x, offset = 0
        var preactivations: [[Double]] = [], weights: [(offset: Int, rows: Int, columns: Int)] = []
        for l in 0..<(widths.count - 1) {
            let (n, m) = (widths[l], widths[l + 1])
            weights.append((offset, m, n))
            var z = [Double](repeating: 0, count: m)
            for i in 0..<m {
                var s = p[offset + m * n + i]
                for j in 0..<n { s += p[offset + i * n + j] * a[j] }
                z[i] = s
            }
            offset += m * n + m
            preactivations.append(z)
            a = l < widths.count - 2 ? z.map { $0 / (1 + exp(-$0)) } : z
        }
        var g = [1.0]
        for l in (0..<(widths.count - 1)).reversed() {
            let (o, m, n) = weights[l]
            if l < widths.count - 2 {
                for i in 0..<m { let z = preactivations[l][i], s = 1 / (1 + exp(-z)); g[i] *= s * (1 + z * (1 - s)) }
            }
            var next = [Double](repeating: 0, count: n)
            for j in 0..<n { for i in 0..<m { next[j] += p[o + i * n + j] * g[i] } }
            g = next
        }
        return (a[0], g)
    }

    /// The tape's ∂/∂θ [Σ_b e_b E(x_b) + Σ_b c_b · ∇ₓE(x_b)] for rows `x` (batch, width), after checking that its
    /// first-order pass is the model's, and the parameters θ (Float64) to difference.
    func tapeParameterGradient(_ model: Sequential, x: [Float], c: [Float], e: [Float], batch: Int, width: Int,
                               file: StaticString = #filePath, line: UInt = #line) throws -> (analytic: [Float], theta: [Double]) {
        let tape = try InputGradientTape(model)
        let (energies, gradient) = tape.record(x, batch: batch)
        let (modelEnergies, modelGradient) = model.energyAndInputGradient(Tensor(shape: [batch, width], scalars: x))
        assertClose(energies, modelEnergies, absolute: 1e-6, relative: 1e-5, "energies", file: file, line: line)
        assertClose(gradient, modelGradient.scalars, absolute: 1e-6, relative: 1e-5, "input gradient", file: file, line: line)
        model.zeroGradients()
        tape.backpropagate(gradientCotangent: c, energyCotangent: e)
        let count = model.parameterLayout.count
        return (Array(UnsafeBufferPointer(start: model.gradients.baseAddress, count: count)),
                Array(UnsafeBufferPointer(start: model.parameters.baseAddress, count: count)).map(Double.init))
    }

    /// Central differences of `objective` at `theta`, one parameter at a time.
    static func centralDifferences(_ theta: [Double], step h: Double, _ objective: ([Double]) -> Double) -> [Double] {
        theta.indices.map { i in
            var plus = theta, minus = theta
            plus[i] += h; minus[i] -= h
            return (objective(plus) - objective(minus)) / (2 * h)
        }
    }

    func testMLPParameterGradientOfAnInputGradientLossMatchesFiniteDifferences() throws {
        let widths = [5, 7, 6, 1]
        let model = Sequential([Linear(inputWidth: 5, outputWidth: 7), SiLU(width: 7), Linear(inputWidth: 7, outputWidth: 6),
                                SiLU(width: 6), Linear(inputWidth: 6, outputWidth: 1)], seed: 3)
        let batch = 4
        let x = randomTensor([batch, 5], seed: 11).scalars
        let c = randomTensor([batch, 5], seed: 12).scalars
        let e = randomTensor([batch], seed: 13).scalars
        let (analytic, theta) = try tapeParameterGradient(model, x: x, c: c, e: e, batch: batch, width: 5)
        // J(θ) = Σ_b e_b E(x_b) + Σ_b c_b · ∇ₓE(x_b), differenced in Float64
        func objective(_ p: [Double]) -> Double {
            var total = 0.0
            for b in 0..<batch {
                let row = (0..<5).map { Double(x[b * 5 + $0]) }
                let (energy, g) = Self.reference(widths: widths, parameters: p, x: row)
                total += Double(e[b]) * energy
                for j in 0..<5 { total += Double(c[b * 5 + j]) * g[j] }
            }
            return total
        }
        let numeric = Self.centralDifferences(theta, step: 1e-6, objective)
        assertClose(analytic, numeric, absolute: 2e-4, relative: 2e-3, "∂/∂θ of the input-gradient loss")
        // and the parameters the input gradient depends on only through the activations (the biases) are non-zero
        XCTAssertGreaterThan(numeric.map(abs).max()!, 1e-2)
    }

    /// Widths of 19 and 17 run the fused SiLU passes over whole eight-lane blocks and a tail, and
    /// the tape skips the residual adjoints of its Linear layers.
    func testWideMLPParameterGradientMatchesFiniteDifferencesThroughTheFusedPasses() throws {
        let widths = [5, 19, 17, 1]
        let model = Sequential([Linear(inputWidth: 5, outputWidth: 19), SiLU(width: 19), Linear(inputWidth: 19, outputWidth: 17),
                                SiLU(width: 17), Linear(inputWidth: 17, outputWidth: 1)], seed: 5)
        let batch = 3
        let x = randomTensor([batch, 5], seed: 21).scalars.map { 2 * $0 }
        let c = randomTensor([batch, 5], seed: 22).scalars
        let e = randomTensor([batch], seed: 23).scalars
        let (analytic, theta) = try tapeParameterGradient(model, x: x, c: c, e: e, batch: batch, width: 5)
        func objective(_ p: [Double]) -> Double {
            (0..<batch).reduce(0.0) { total, b in
                let (energy, g) = Self.reference(widths: widths, parameters: p, x: (0..<5).map { Double(x[b * 5 + $0]) })
                return total + Double(e[b]) * energy + (0..<5).reduce(0.0) { $0 + Double(c[b * 5 + $1]) * g[$1] }
            }
        }
        let numeric = Self.centralDifferences(theta, step: 1e-6, objective)
        assertClose(analytic, numeric, absolute: 2e-4, relative: 2e-3, "∂/∂θ of the input-gradient loss, widths 19 and 17")
        XCTAssertGreaterThan(numeric.map(abs).max()!, 1e-2)
        // deterministic: the same call gives the same bits
        model.zeroGradients()
        let tape = try InputGradientTape(model)
        _ = tape.record(x, batch: batch)
        tape.backpropagate(gradientCotangent: c, energyCotangent: e)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: model.gradients.baseAddress, count: analytic.count)), analytic)
    }

    /// The fused SiLU pass (eight lanes, FastMath's sigmoid) against φ' and φ'' in Float64, on 3 rows of 21
    /// (two whole blocks and a tail of five per row), from z = −30 (the clamp of exp) to 30.
    func testFusedSiLUSecondOrderMatchesFloat64OnWholeLanesAndTails() {
        let (rows, width) = (3, 21)
        let count = rows * width
        let z = (0..<count).map { -30 + 60 * Float($0) / Float(count - 1) }
        let g = randomTensor([rows, width], seed: 31).scalars, v = randomTensor([rows, width], seed: 32).scalars
        let start = randomTensor([rows, width], seed: 33).scalars
        let layer = SiLU(width: width)
        let model = Sequential([layer], seed: 0)
        _ = model.forward(Tensor(shape: [rows, width], scalars: z))
        var tangent = [Float](repeating: 0, count: count), adjoint = start
        let buffers = model.buffers(layer: 0, rows: 0..<rows)
        tangent.withUnsafeMutableBufferPointer { t in
            adjoint.withUnsafeMutableBufferPointer { a in
                layer.secondOrder(buffers, outputGradient: g, inputTangent: v, outputTangent: t.baseAddress!, inputAdjoint: a.baseAddress!,
                                  parameterGradients: nil)
            }
        }
        func sigmoid(_ z: Double) -> Double { 1 / (1 + exp(-z)) }
        let first = z.map { Double($0) }.map { z in sigmoid(z) * (1 + z * (1 - sigmoid(z))) }
        let second = z.map { Double($0) }.map { z in sigmoid(z) * (1 - sigmoid(z)) * (2 + z * (1 - 2 * sigmoid(z))) }
        assertClose(tangent, (0..<count).map { first[$0] * Double(v[$0]) }, absolute: 1e-6, relative: 1e-5, "J v")
        assertClose(adjoint, (0..<count).map { Double(start[$0]) + Double(g[$0] * v[$0]) * second[$0] }, absolute: 1e-6, relative: 1e-5,
                    "adjoint + g ⊙ v ⊙ φ''")
        // the eight-lane Swift code a CPU without AVX2 runs, on the same numbers
        var portableTangent = [Float](repeating: 0, count: count), portableAdjoint = start
        let saved = Array(UnsafeBufferPointer(start: buffers.saved, count: count))
        portableTangent.withUnsafeMutableBufferPointer { t in
            portableAdjoint.withUnsafeMutableBufferPointer { a in
                SiLU.secondOrderProducts(derivative: saved, tangent: v, gradient: g, input: z, outputTangent: t.baseAddress!,
                                         adjoint: a.baseAddress!, accumulate: true, count: count, avx2: false)
            }
        }
        assertClose(portableTangent, (0..<count).map { first[$0] * Double(v[$0]) }, absolute: 1e-6, relative: 1e-5, "J v (portable)")
        assertClose(portableAdjoint, (0..<count).map { Double(start[$0]) + Double(g[$0] * v[$0]) * second[$0] }, absolute: 1e-6,
                    relative: 1e-5, "adjoint + g ⊙ v ⊙ φ'' (portable)")
        // the fused last pass: dInput = dOutput ⊙ φ'(z) + adjoint
        var fused = [Float](repeating: 0, count: count)
        fused.withUnsafeMutableBufferPointer { f in
            layer.backward(buffers, outputGradient: g, inputGradient: f.baseAddress!, addingInputAdjoint: start)
        }
        assertClose(fused, (0..<count).map { Double(g[$0]) * first[$0] + Double(start[$0]) }, absolute: 1e-6, relative: 1e-5,
                    "dOutput ⊙ φ' + adjoint")
    }

    /// E(x) in Float64 for a chain of Linear, SiLU, TemporalConvolution and TemporalResidualBlock layers,
    /// parameters `p` laid out as the model's.
    static func referenceEnergy(_ model: Sequential, parameters p: [Double], x: [Double]) -> Double {
        func silu(_ z: Double) -> Double { z / (1 + exp(-z)) }
        func convolve(_ c: TemporalConvolution, _ o: Int, _ x: [Double]) -> [Double] {
            let (L, ci, co, k) = (c.length, c.inputChannels, c.outputChannels, c.kernelSize)
            var y = [Double](repeating: 0, count: L * co)
            for t in 0..<L {
                for out in 0..<co {
                    var s = p[o + co * ci * k + out]
                    for ch in 0..<ci {
                        for j in 0..<k where (0..<L).contains(t + j - (k - 1) / 2) {
                            s += p[o + (out * ci + ch) * k + j] * x[(t + j - (k - 1) / 2) * ci + ch]
                        }
                    }
                    y[t * co + out] = s
                }
            }
            return y
        }
        var a = x
        for (index, layer) in model.layers.enumerated() {
            let o = model.layerOffsets[index]
            switch layer {
            case let l as Linear:
                a = (0..<l.outputWidth).map { i in (0..<l.inputWidth).reduce(p[o + l.outputWidth * l.inputWidth + i]) { $0 + p[o + i * l.inputWidth + $1] * a[$1] } }
            case is SiLU: a = a.map(silu)
            case let c as TemporalConvolution: a = convolve(c, o, a)
            case let b as TemporalResidualBlock:
                let conv = TemporalConvolution(length: b.length, inputChannels: b.channels, outputChannels: b.channels, kernelSize: b.kernelSize)
                let h = convolve(conv, o, a).map(silu)
                let y = convolve(conv, o + conv.parameterCount, h)
                a = zip(a, y).map { $0 + $1 }
            default: fatalError("no Float64 reference for \(layer.architecture)")
            }
        }
        return a[0]
    }

    func testTemporalNetworkParameterGradientOfAnInputGradientLossMatchesFiniteDifferences() throws {
        // even and odd kernels, a lifting convolution and two residual blocks
        let (L, S) = (5, 3)
        let model = Sequential([TemporalConvolution(length: L, inputChannels: S, outputChannels: 4, kernelSize: 3), SiLU(width: L * 4),
                                TemporalResidualBlock(length: L, channels: 4, kernelSize: 3),
                                TemporalResidualBlock(length: L, channels: 4, kernelSize: 2), SiLU(width: L * 4),
                                Linear(inputWidth: L * 4, outputWidth: 1)], seed: 5)
        let (batch, width) = (3, L * S)
        let x = randomTensor([batch, width], seed: 21).scalars
        let c = randomTensor([batch, width], seed: 22).scalars
        let e = randomTensor([batch], seed: 23).scalars
        let (analytic, theta) = try tapeParameterGradient(model, x: x, c: c, e: e, batch: batch, width: width)
        // J(θ) = Σ_b e_b E(x_b) + Σ_b c_b · ∇ₓE(x_b) in Float64, ∇ₓE and ∂J/∂θ by central differences
        let h = 1e-4
        func objective(_ p: [Double]) -> Double {
            var total = 0.0
            for b in 0..<batch {
                let row = (0..<width).map { Double(x[b * width + $0]) }
                total += Double(e[b]) * Self.referenceEnergy(model, parameters: p, x: row)
                for j in 0..<width {
                    var plus = row, minus = row
                    plus[j] += h; minus[j] -= h
                    let g = (Self.referenceEnergy(model, parameters: p, x: plus) - Self.referenceEnergy(model, parameters: p, x: minus)) / (2 * h)
                    total += Double(c[b * width + j]) * g
                }
            }
            return total
        }
        let numeric = Self.centralDifferences(theta, step: h, objective)
        assertClose(analytic, numeric, absolute: 2e-4, relative: 2e-3, "∂/∂θ of the input-gradient loss, temporal layers")
        XCTAssertGreaterThan(numeric.map(abs).max()!, 1e-2)
        // every layer's parameters take part (a pass that left one layer's term out would fail above)
        for index in model.layers.indices where model.layers[index].parameterCount > 0 {
            let range = model.layerOffsets[index]..<(model.layerOffsets[index] + model.layers[index].parameterCount)
            XCTAssertGreaterThan(range.map { abs(numeric[$0]) }.max()!, 1e-3, "layer \(index)")
        }
    }

    /// The tape's products run one-threaded (the AVX-512 kernel where the CPU has it), not on
    /// OpenBLAS's default threads, unless the network asks for OpenBLAS threads.
    func testTheTapeRunsItsProductsOnOneThreadUnlessAskedForBLASThreads() throws {
        let model = Sequential([Linear(inputWidth: 5, outputWidth: 16), SiLU(width: 16), Linear(inputWidth: 16, outputWidth: 1)], seed: 3)
        let tape = try InputGradientTape(model)
        let x = randomTensor([8, 5], seed: 11).scalars
        defer { BLASThreads.set(BLASThreads.available) }
        BLASThreads.set(2)
        _ = tape.record(x, batch: 8)
        XCTAssertEqual(BLASThreads.count, 1, "record")
        BLASThreads.set(2)
        tape.backpropagate(gradientCotangent: x)
        XCTAssertEqual(BLASThreads.count, 1, "backpropagate")
        model.threading = .blas(threads: 2)
        _ = tape.record(x, batch: 8)
        XCTAssertEqual(BLASThreads.count, 2, "a network that asks for OpenBLAS threads gets them")
    }

    func testSiLUSecondDerivativeMatchesDifferencesOfTheFirst() {
        // r = g ⊙ v ⊙ φ''(z) for one row: difference φ' numerically
        let layer = SiLU(width: 3)
        let model = Sequential([layer], seed: 0)
        let z: [Float] = [-2.5, 0.3, 1.7]
        _ = model.forward(Tensor(shape: [1, 3], scalars: z))
        let g: [Float] = [0.7, -1.1, 0.4], v: [Float] = [1.3, 0.2, -0.8]
        var tangent = [Float](repeating: 0, count: 3), adjoint = [Float](repeating: 0, count: 3)
        let buffers = model.buffers(layer: 0, rows: 0..<1)
        tangent.withUnsafeMutableBufferPointer { t in
            adjoint.withUnsafeMutableBufferPointer { a in
                layer.secondOrder(buffers, outputGradient: g, inputTangent: v, outputTangent: t.baseAddress!, inputAdjoint: a.baseAddress!,
                                  parameterGradients: nil)
            }
        }
        func first(_ z: Double) -> Double { let s = 1 / (1 + exp(-z)); return s * (1 + z * (1 - s)) }
        let h = 1e-5
        assertClose(tangent, (0..<3).map { first(Double(z[$0])) * Double(v[$0]) }, absolute: 1e-6, relative: 1e-5, "J v")
        let expected: [Double] = (0..<3).map { i in
            let zi = Double(z[i])
            let second: Double = (first(zi + h) - first(zi - h)) / (2 * h)
            return Double(g[i] * v[i]) * second
        }
        assertClose(adjoint, expected, absolute: 1e-6, relative: 1e-4, "g ⊙ v ⊙ φ''")
    }

    func testLayersWithoutASecondOrderPassAreRefused() {
        XCTAssertThrowsError(try InputGradientTape(Sequential([Linear(inputWidth: 2, outputWidth: 3), Tanh(width: 3),
                                                                 Linear(inputWidth: 3, outputWidth: 1)]))) { error in
            XCTAssertEqual(error as? SecondOrderError, .unsupportedLayer(index: 1, architecture: "\(Tanh(width: 3).architecture)"))
        }
        XCTAssertThrowsError(try InputGradientTape(Sequential([Linear(inputWidth: 2, outputWidth: 2)])))
    }

    func testEigendecompositionReconstructsTheMatrix() throws {
        let n = 6
        let a = randomTensor([n, n], seed: 5).scalars.map(Double.init)
        var symmetric = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { symmetric[i * n + j] = a[i * n + j] + a[j * n + i] } }
        let eigen = try XCTUnwrap(SymmetricEigen(symmetric, n: n))
        XCTAssertEqual(eigen.values, eigen.values.sorted(by: >))
        for i in 0..<n {
            for j in 0..<n {
                var s = 0.0
                for k in 0..<n { s += eigen.vectors[k * n + i] * eigen.values[k] * eigen.vectors[k * n + j] }
                XCTAssertEqual(s, symmetric[i * n + j], accuracy: 1e-10)
            }
        }
    }
}
