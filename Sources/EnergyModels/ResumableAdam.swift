// ResumableAdam: Adam whose moments and step count can be saved and restored, so a resumed run
// continues bit-identically. (NeuralCore's `Adam` keeps its moments private.)

import NeuralCore

/// Adam (Kingma & Ba 2015) with bias correction over the trainable views of a parameter buffer:
/// m ← β1 m + (1 − β1) g;  v ← β2 v + (1 − β2) g²;  θ ← θ − η (m / (1 − β1ᵗ)) / (sqrt(v / (1 − β2ᵗ)) + ε).
/// β1 = 0 keeps no first moment (m = g).
public struct ResumableAdam: Sendable {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float = 1e-8
    /// Steps taken (t).
    public var stepCount = 0
    /// m, one per scalar of the parameter buffer (empty when β1 = 0 or before the first step).
    public var firstMoment: [Float] = []
    /// v, one per scalar of the parameter buffer (empty before the first step).
    public var secondMoment: [Float] = []

    public init(learningRate: Float, beta1: Float, beta2: Float) {
        (self.learningRate, self.beta1, self.beta2) = (learningRate, beta1, beta2)
    }

    public mutating func step(parameters: ParameterBuffer, gradients: ParameterBuffer) {
        let count = parameters.layout.count
        if secondMoment.count != count {
            secondMoment = [Float](repeating: 0, count: count)
            firstMoment = beta1 > 0 ? [Float](repeating: 0, count: count) : []
        }
        stepCount += 1
        let t = Float(stepCount)
        let firstCorrection = 1 - Float.pow(beta1, t)
        let secondCorrection = 1 - Float.pow(beta2, t)
        let stepSize = learningRate / firstCorrection
        let inverseSqrtSecond = 1 / secondCorrection.squareRoot()
        let theta = parameters.baseAddress, gradient = gradients.baseAddress
        let (b1, b2, eps, hasFirst) = (beta1, beta2, epsilon, beta1 > 0)
        firstMoment.withUnsafeMutableBufferPointer { m in
            secondMoment.withUnsafeMutableBufferPointer { v in
                for range in parameters.layout.trainableRanges {
                    for i in range {
                        let g = gradient[i]
                        var direction = g
                        if hasFirst { m[i] = b1 * m[i] + (1 - b1) * g; direction = m[i] }
                        v[i] = b2 * v[i] + (1 - b2) * g * g
                        theta[i] -= stepSize * direction / (v[i].squareRoot() * inverseSqrtSecond + eps)
                    }
                }
            }
        }
    }
}

extension Float {
    static func pow(_ base: Float, _ exponent: Float) -> Float { Float(Foundation.pow(Double(base), Double(exponent))) }
}

import Foundation
