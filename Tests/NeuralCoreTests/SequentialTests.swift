import XCTest
@testable import NeuralCore

final class SequentialTests: XCTestCase {
    /// A small energy network with both fusable pairs (Linear + SiLU, Linear + Tanh).
    /// Widths 6 → 8 → 8 → 1.
    func makeEnergyNetwork(seed: UInt64) -> Sequential {
        Sequential([Linear(inputWidth: 6, outputWidth: 8), SiLU(width: 8),
                    Linear(inputWidth: 8, outputWidth: 8), Tanh(width: 8),
                    Linear(inputWidth: 8, outputWidth: 1)], seed: seed)
    }

    func referenceEnergy(batch: Int) -> ([Double], [Double]) -> [Double] {
        { x, p in
            // Buffer order: w0 (8, 6), b0 (8), w2 (8, 8), b2 (8), w4 (1, 8), b4 (1).
            let h1 = referenceLinear(x[...], batch: batch, inputWidth: 6, outputWidth: 8,
                                     weight: p[0..<48], bias: p[48..<56]).map(referenceSiLU)
            let h2 = referenceLinear(h1[...], batch: batch, inputWidth: 8, outputWidth: 8,
                                     weight: p[56..<120], bias: p[120..<128]).map { Foundation.tanh($0) }
            return referenceLinear(h2[...], batch: batch, inputWidth: 8, outputWidth: 1,
                                   weight: p[128..<136], bias: p[136..<137])
        }
    }

    func testFusedNetworkBackwardMatchesFiniteDifferences() {
        checkGradients(of: makeEnergyNetwork(seed: 5), batch: 4, seed: 5, reference: referenceEnergy(batch: 4))
    }

    func testParameterNamesAndLayout() {
        let model = makeEnergyNetwork(seed: 1)
        XCTAssertEqual(model.parameterLayout.views.map(\.name),
                       ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias",
                        "layers.4.weight", "layers.4.bias"])
        XCTAssertEqual(model.parameterLayout.views.map(\.offset), [0, 48, 56, 120, 128, 136])
        XCTAssertEqual(model.parameterLayout.count, 137)
    }

    func testEnergyAndInputGradientMatchesForwardAndBackward() {
        let model = makeEnergyNetwork(seed: 9)
        model.threading = .single
        let input = randomTensor([5, 6], seed: 10)
        model.zeroGradients()
        let (energies, gradient) = model.energyAndInputGradient(input)
        XCTAssertTrue(model.gradients.scalars.allSatisfy { $0 == 0 }, "parameter gradients touched")

        let output = model.forward(input)
        XCTAssertEqual(energies, output.scalars)
        XCTAssertEqual(model.inputGradient().scalars, gradient.scalars)
        XCTAssertTrue(model.gradients.scalars.allSatisfy { $0 == 0 }, "inputGradient touched parameter gradients")
        let backwardGradient = model.backward(outputGradient: Tensor(shape: [5, 1], repeating: 1))
        XCTAssertEqual(backwardGradient.scalars, gradient.scalars)
        XCTAssertFalse(model.gradients.scalars.allSatisfy { $0 == 0 })

        // And against Float64 finite differences of the reference energy.
        let reference = referenceEnergy(batch: 5)
        let x = input.scalars.map(Double.init), p = model.parameters.scalars.map(Double.init)
        var numeric = [Double](repeating: 0, count: x.count)
        for i in x.indices {
            var plus = x, minus = x
            plus[i] += 1e-6; minus[i] -= 1e-6
            numeric[i] = (reference(plus, p)[i / 6] - reference(minus, p)[i / 6]) / 2e-6
        }
        assertClose(gradient.scalars, numeric, absolute: 2e-5, relative: 1e-4, "dE/dx")
    }

    /// Splitting rows over threads or threading BLAS changes only Float32 summation order.
    func testThreadingChoicesAgree() {
        let layers: [any Layer] = [Linear(inputWidth: 10, outputWidth: 32), SiLU(width: 32),
                                   ResidualBlock(width: 32, hiddenWidth: 16), LayerNorm(width: 32),
                                   SpectralNormLinear(inputWidth: 32, outputWidth: 16), LeakyReLU(width: 16),
                                   Linear(inputWidth: 16, outputWidth: 1)]
        let input = randomTensor([101, 10], seed: 12)
        var results: [(energies: [Float], inputGradient: [Float], parameterGradient: [Float])] = []
        for threading in [Threading.single, .batchSplit(threads: 3), .blas(threads: 2), .automatic] {
            let model = Sequential(layers, seed: 13)
            model.threading = threading
            let (energies, inputGradient) = model.energyAndInputGradient(input)
            model.zeroGradients()
            _ = model.forward(input)
            model.backward(outputGradient: Tensor(shape: [101, 1], repeating: 1))
            results.append((energies, inputGradient.scalars, model.gradients.scalars))
        }
        for result in results.dropFirst() {
            assertClose(result.energies, results[0].energies, absolute: 1e-5, relative: 1e-5, "energies")
            assertClose(result.inputGradient, results[0].inputGradient, absolute: 1e-5, relative: 1e-5, "dE/dx")
            assertClose(result.parameterGradient, results[0].parameterGradient, absolute: 1e-4, relative: 1e-4, "dE/dθ")
        }
    }

    func testRowBlocksCoverBatch() {
        for batch in [1, 7, 8, 100, 1024] {
            for count in 1...4 {
                let blocks = Sequential.rowBlocks(batch: batch, count: count)
                XCTAssertEqual(blocks.first?.lowerBound, 0)
                XCTAssertEqual(blocks.last?.upperBound, batch)
                XCTAssertTrue(zip(blocks, blocks.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                XCTAssertLessThanOrEqual(blocks.count, count)
            }
        }
    }

    /// A tiny MLP learns f(x) = sin(πx₁) · x₂ + 0.5 x₁² on [-1, 1]² (target variance ≈ 0.2) to a
    /// mean squared error below 2e-3 in 1500 Adam steps on batches of 64.
    func testTinyMLPLearnsKnownFunction() {
        let model = Sequential([Linear(inputWidth: 2, outputWidth: 32), SiLU(width: 32),
                                Linear(inputWidth: 32, outputWidth: 32), SiLU(width: 32),
                                Linear(inputWidth: 32, outputWidth: 1)], seed: 42)
        model.threading = .single
        func target(_ x1: Float, _ x2: Float) -> Float { Foundation.sin(.pi * x1) * x2 + 0.5 * x1 * x1 }
        var generator = SeededGenerator(seed: 43)
        var optimizer = Adam(learningRate: 5e-3)
        let batch = 64
        for _ in 0..<1500 {
            let input = Tensor(shape: [batch, 2]) { _ in generator.nextUniform(-1, 1) }
            let output = model.forward(input, training: true)
            // d(mean squared error)/dOutput = 2 (y − f) / batch.
            let residual = Tensor(shape: [batch, 1]) { (i: Int) -> Float in
                let expected = target(input.scalars[2 * i], input.scalars[2 * i + 1])
                return 2 * (output.scalars[i] - expected) / Float(batch)
            }
            model.zeroGradients()
            model.backward(outputGradient: residual)
            optimizer.step(parameters: model.parameters, gradients: model.gradients)
        }
        // Evaluate on a fixed grid.
        var squaredError: Double = 0
        var grid: [[Float]] = []
        for i in 0...20 { for j in 0...20 { grid.append([Float(i) / 10 - 1, Float(j) / 10 - 1]) } }
        let output = model.forward(Tensor(rows: grid))
        for (point, y) in zip(grid, output.scalars) {
            let error = Double(y) - Double(target(point[0], point[1]))
            squaredError += error * error
        }
        let meanSquaredError = squaredError / Double(grid.count)
        print("tiny MLP: MSE \(meanSquaredError) on a 21 × 21 grid")
        XCTAssertLessThan(meanSquaredError, 2e-3, "tiny MLP reached MSE \(meanSquaredError)")
    }
}
