import XCTest
@testable import NeuralCore

final class SpectralNormLinearTests: XCTestCase {
    /// With u, v fixed (as during one training step), W/σ with σ = uᵀ W v is a smooth function
    /// of W, so finite differences check the whole backward, including the rank-one term.
    func testBackwardMatchesFiniteDifferences() {
        let (batch, inputWidth, outputWidth) = (3, 5, 4)
        let layer = SpectralNormLinear(inputWidth: inputWidth, outputWidth: outputWidth)
        checkGradients(of: layer, batch: batch, seed: 81) { x, p in
            let weightCount = outputWidth * inputWidth
            let w = p[0 ..< weightCount], b = p[weightCount ..< weightCount + outputWidth]
            let u = Array(p[(weightCount + outputWidth) ..< (weightCount + 2 * outputWidth)])
            let v = Array(p[(weightCount + 2 * outputWidth)...])
            var sigma = 0.0
            for i in 0..<outputWidth { for j in 0..<inputWidth { sigma += u[i] * w[i * inputWidth + j] * v[j] } }
            return referenceLinear(x[...], batch: batch, inputWidth: inputWidth, outputWidth: outputWidth,
                                   weight: ArraySlice(w.map { $0 / sigma }), bias: b)
        }
    }

    func testSigmaMatchesLargestSingularValue() {
        let (inputWidth, outputWidth) = (12, 9)
        let layer = SpectralNormLinear(inputWidth: inputWidth, outputWidth: outputWidth)
        let model = Sequential([layer], seed: 7)
        let weight = model.parameters["layers.0.weight_orig"].scalars
        let singular = singularValues(weight, rows: outputWidth, columns: inputWidth)
        // Power iteration converges as (σ₂/σ₁)^(2k); 200 training-mode steps are far past Float32 accuracy here.
        let input = randomTensor([2, inputWidth], seed: 8)
        for _ in 0..<200 { _ = model.forward(input, training: true) }
        let sigma = layer.sigma(parameters: model.parameters.baseAddress)
        assertClose([sigma], [singular[0]], absolute: 0, relative: 1e-5, "σ vs SVD (σ₂/σ₁ = \(singular[1] / singular[0]))")
        // And the normalised weight has spectral norm 1.
        let normalized = weight.map { $0 / sigma }
        assertClose([Float(singularValues(normalized, rows: outputWidth, columns: inputWidth)[0])], [1.0],
                    absolute: 0, relative: 1e-5, "‖W/σ‖₂")
    }

    func testPowerIterationVectorsAreNotTrained() {
        let model = Sequential([SpectralNormLinear(inputWidth: 4, outputWidth: 3)], seed: 2)
        let u = model.parameters["layers.0.weight_u"], v = model.parameters["layers.0.weight_v"]
        _ = model.forward(randomTensor([2, 4], seed: 3))
        model.backward(outputGradient: randomTensor([2, 3], seed: 4))
        var adam = Adam(learningRate: 0.1, weightDecay: 0.1, decoupledWeightDecay: true)
        adam.step(parameters: model.parameters, gradients: model.gradients)
        XCTAssertEqual(model.parameters["layers.0.weight_u"], u)
        XCTAssertEqual(model.parameters["layers.0.weight_v"], v)
    }
}
