// Optimizers: SGD with momentum and Adam/AdamW over a model's single parameter buffer,
// updating only the trainable views.

import Foundation

/// Updates parameters from their gradients, one step at a time.
public protocol Optimizer {
    /// Applies one update to the trainable views of `parameters` using `gradients` (same layout).
    mutating func step(parameters: ParameterBuffer, gradients: ParameterBuffer)
}

/// Stochastic gradient descent with (heavy-ball) momentum and L2 weight decay, as PyTorch's
/// `SGD`: g ← g + λθ; b ← μ b + g; θ ← θ − η b.
public struct SGD: Optimizer {
    /// Step size η.
    public var learningRate: Float
    /// Momentum μ in [0, 1); 0 gives plain SGD.
    public var momentum: Float
    /// L2 penalty λ added to the gradient.
    public var weightDecay: Float
    /// Momentum buffer b, one per scalar of the parameter buffer.
    private var velocity: [Float] = []

    /// Creates the optimiser.
    public init(learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    public mutating func step(parameters: ParameterBuffer, gradients: ParameterBuffer) {
        precondition(parameters.layout == gradients.layout, "SGD.step: layouts differ")
        if velocity.count != parameters.layout.count { velocity = [Float](repeating: 0, count: parameters.layout.count) }
        let theta = parameters.baseAddress, gradient = gradients.baseAddress
        let (eta, mu, lambda) = (learningRate, momentum, weightDecay)
        velocity.withUnsafeMutableBufferPointer { velocity in
            for range in parameters.layout.trainableRanges {
                for i in range {
                    let g = gradient[i] + lambda * theta[i]
                    velocity[i] = mu * velocity[i] + g
                    theta[i] -= eta * velocity[i]
                }
            }
        }
    }
}

/// Adam (Kingma & Ba 2015) with bias correction, and AdamW's decoupled weight decay
/// (Loshchilov & Hutter 2019), matching PyTorch's `Adam`/`AdamW`.
///
/// m ← β1 m + (1 − β1) g;  v ← β2 v + (1 − β2) g²;
/// θ ← θ − η (m / (1 − β1ᵗ)) / (sqrt(v / (1 − β2ᵗ)) + ε).
/// β1 = 0 (RMSprop-like, common for energy-based models) is supported and keeps no first
/// moment. Weight decay: AdamW multiplies θ by 1 − ηλ before the step; Adam adds λθ to g.
public struct Adam: Optimizer {
    public var learningRate: Float
    /// First-moment decay β1 in [0, 1).
    public var beta1: Float
    /// Second-moment decay β2 in [0, 1).
    public var beta2: Float
    /// Added to sqrt(v̂) in the denominator.
    public var epsilon: Float
    /// Weight decay λ.
    public var weightDecay: Float
    /// True for AdamW (decoupled decay), false for Adam's L2 penalty.
    public var decoupledWeightDecay: Bool
    // Optimiser state, public so that a checkpoint can save and restore it (bit-identical resume).
    /// Steps taken so far (t).
    public var stepCount = 0
    /// m, one per scalar of the parameter buffer (empty when β1 = 0 or before the first step).
    public var firstMoment: [Float] = []
    /// v, one per scalar of the parameter buffer (empty before the first step).
    public var secondMoment: [Float] = []

    /// Creates Adam (or AdamW with `decoupledWeightDecay`) with PyTorch's defaults.
    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "Adam: betas must be in [0, 1)")
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    /// AdamW with PyTorch's defaults (weight decay 0.01).
    public static func adamW(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                             epsilon: Float = 1e-8, weightDecay: Float = 0.01) -> Adam {
        Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
             weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    public mutating func step(parameters: ParameterBuffer, gradients: ParameterBuffer) {
        precondition(parameters.layout == gradients.layout, "Adam.step: layouts differ")
        let count = parameters.layout.count
        if secondMoment.count != count {
            secondMoment = [Float](repeating: 0, count: count)
            firstMoment = beta1 > 0 ? [Float](repeating: 0, count: count) : []
        }
        stepCount += 1
        let t = Double(stepCount)
        let firstCorrection = Float(1 - pow(Double(beta1), t))   // 1 when β1 = 0
        let secondCorrection = Float(1 - pow(Double(beta2), t))
        let stepSize = learningRate / firstCorrection
        let inverseSqrtSecondCorrection = 1 / secondCorrection.squareRoot()
        let (b1, b2, eps, lambda) = (beta1, beta2, epsilon, weightDecay)
        let decay: Float = decoupledWeightDecay ? 1 - learningRate * weightDecay : 1
        let l2: Float = decoupledWeightDecay ? 0 : lambda
        let theta = parameters.baseAddress, gradient = gradients.baseAddress
        let hasFirstMoment = beta1 > 0
        firstMoment.withUnsafeMutableBufferPointer { m in
            secondMoment.withUnsafeMutableBufferPointer { v in
                for range in parameters.layout.trainableRanges {
                    // Eight lanes at a time, then the tail one by one with the same arithmetic.
                    var i = range.lowerBound
                    while i + 8 <= range.upperBound {
                        let g = load(gradient + i) + Lanes(repeating: l2) * load(theta + i)
                        var direction = g
                        if hasFirstMoment {
                            direction = Lanes(repeating: b1) * load(m.baseAddress! + i) + Lanes(repeating: 1 - b1) * g
                            store(direction, m.baseAddress! + i)
                        }
                        let second = Lanes(repeating: b2) * load(v.baseAddress! + i) + Lanes(repeating: 1 - b2) * g * g
                        store(second, v.baseAddress! + i)
                        let denominator = second.squareRoot() * Lanes(repeating: inverseSqrtSecondCorrection) + Lanes(repeating: eps)
                        store(load(theta + i) * Lanes(repeating: decay) - Lanes(repeating: stepSize) * direction / denominator, theta + i)
                        i += 8
                    }
                    while i < range.upperBound {
                        let g = gradient[i] + l2 * theta[i]
                        var direction = g
                        if hasFirstMoment {
                            m[i] = b1 * m[i] + (1 - b1) * g
                            direction = m[i]
                        }
                        v[i] = b2 * v[i] + (1 - b2) * g * g
                        let denominator = v[i].squareRoot() * inverseSqrtSecondCorrection + eps
                        theta[i] = theta[i] * decay - stepSize * direction / denominator
                        i += 1
                    }
                }
            }
        }
    }
}

@inline(__always) private func load(_ pointer: UnsafePointer<Float>) -> Lanes {
    UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
}
@inline(__always) private func load(_ pointer: UnsafeMutablePointer<Float>) -> Lanes {
    UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
}
@inline(__always) private func store(_ lanes: Lanes, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: lanes, as: Lanes.self)
}

// MARK: - Gradient clipping

/// Gradient clipping over the trainable views of a gradient buffer.
public enum GradientClipping {
    /// Scales the gradients so their global Euclidean norm is at most `maxNorm`; returns the
    /// norm before clipping (as PyTorch's `clip_grad_norm_`). Non-finite norms leave the
    /// gradients unchanged and are returned so the caller can skip the step.
    @discardableResult
    public static func clipByNorm(_ gradients: ParameterBuffer, maxNorm: Float) -> Float {
        let norm = Float(gradients.trainableNorm())
        guard norm.isFinite, norm > maxNorm else { return norm }
        let scale = maxNorm / (norm + 1e-6)
        for range in gradients.layout.trainableRanges {
            for i in range { gradients.storage[i] *= scale }
        }
        return norm
    }

    /// Clamps every trainable gradient element to [-limit, limit] (PyTorch's
    /// `clip_grad_value_`).
    public static func clipByValue(_ gradients: ParameterBuffer, limit: Float) {
        for range in gradients.layout.trainableRanges {
            for i in range { gradients.storage[i] = min(max(gradients.storage[i], -limit), limit) }
        }
    }
}
