import XCTest
@testable import NeuralCore

final class OptimizersTests: XCTestCase {
    /// One trainable tensor θ = [1, −2] and one frozen tensor, with gradient [0.5, 0.25].
    func makeBuffers() -> (ParameterBuffer, ParameterBuffer) {
        let layout = ParameterLayout([(name: "theta", spec: ParameterSpec("theta", shape: [2], initializer: .zeros)),
                                      (name: "frozen", spec: ParameterSpec("frozen", shape: [1], initializer: .zeros, isTrainable: false))])
        let parameters = ParameterBuffer(layout: layout), gradients = ParameterBuffer(layout: layout)
        parameters["theta"] = Tensor(shape: [2], scalars: [1, -2])
        parameters["frozen"] = Tensor(shape: [1], scalars: [7])
        gradients["theta"] = Tensor(shape: [2], scalars: [0.5, 0.25])
        gradients["frozen"] = Tensor(shape: [1], scalars: [3])
        return (parameters, gradients)
    }

    func testSGDMomentumMatchesHandComputation() {
        let (parameters, gradients) = makeBuffers()
        var sgd = SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        sgd.step(parameters: parameters, gradients: gradients)
        sgd.step(parameters: parameters, gradients: gradients)
        // g = 0.5 + 0.01·θ; b₁ = g₁; θ₁ = θ₀ − 0.1 b₁; b₂ = 0.9 b₁ + g₂; θ₂ = θ₁ − 0.1 b₂.
        var expected: [Double] = []
        for (theta0, g) in [(1.0, 0.5), (-2.0, 0.25)] {
            let b1 = g + 0.01 * theta0, theta1 = theta0 - 0.1 * b1
            let b2 = 0.9 * b1 + g + 0.01 * theta1
            expected.append(theta1 - 0.1 * b2)
        }
        assertClose(parameters["theta"].scalars, expected, absolute: 1e-6, relative: 1e-6, "SGD")
        XCTAssertEqual(parameters["frozen"].scalars, [7])
    }

    func adamReference(beta1: Double, decoupled: Bool, steps: Int) -> [Double] {
        let (lr, beta2, eps, lambda) = (0.01, 0.999, 1e-8, 0.1)
        return [(1.0, 0.5), (-2.0, 0.25)].map { theta0, g0 in
            var (theta, m, v) = (theta0, 0.0, 0.0)
            for t in 1...steps {
                var g = g0
                if decoupled { theta *= 1 - lr * lambda } else { g += lambda * theta }
                m = beta1 * m + (1 - beta1) * g
                v = beta2 * v + (1 - beta2) * g * g
                let mHat = m / (1 - pow(beta1, Double(t))), vHat = v / (1 - pow(beta2, Double(t)))
                theta -= lr * mHat / (vHat.squareRoot() + eps)
            }
            return theta
        }
    }

    func testAdamAndAdamWMatchReference() {
        for (beta1, decoupled) in [(0.9, false), (0.9, true), (0.0, false), (0.0, true)] {
            let (parameters, gradients) = makeBuffers()
            var adam = Adam(learningRate: 0.01, beta1: Float(beta1), beta2: 0.999, epsilon: 1e-8,
                            weightDecay: 0.1, decoupledWeightDecay: decoupled)
            for _ in 0..<3 { adam.step(parameters: parameters, gradients: gradients) }
            assertClose(parameters["theta"].scalars, adamReference(beta1: beta1, decoupled: decoupled, steps: 3),
                        absolute: 1e-6, relative: 1e-5, "Adam β1=\(beta1) decoupled=\(decoupled)")
            XCTAssertEqual(parameters["frozen"].scalars, [7], "frozen tensor updated")
        }
    }

    func testClipByNormScalesTrainableGradients() {
        let (_, gradients) = makeBuffers()
        let norm = GradientClipping.clipByNorm(gradients, maxNorm: 0.1)
        assertClose([norm], [(0.25 + 0.0625).squareRoot()], absolute: 1e-7, relative: 1e-6, "pre-clip norm")
        assertClose([Float(gradients.trainableNorm())], [0.1], absolute: 1e-6, relative: 1e-5, "clipped norm")
        XCTAssertEqual(gradients["frozen"].scalars, [3])
        // Below the limit: untouched.
        let before = gradients["theta"]
        GradientClipping.clipByNorm(gradients, maxNorm: 1)
        XCTAssertEqual(gradients["theta"], before)
    }

    func testClipByValue() {
        let (_, gradients) = makeBuffers()
        GradientClipping.clipByValue(gradients, limit: 0.3)
        XCTAssertEqual(gradients["theta"].scalars, [0.3, 0.25])
        XCTAssertEqual(gradients["frozen"].scalars, [3])
    }
}
