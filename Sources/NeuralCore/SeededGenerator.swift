// SeededGenerator: the module's documented deterministic random number generator.

import Foundation

/// A deterministic 64-bit random number generator: SplitMix64 (Steele, Lea & Flood 2014).
///
/// The state advances by the golden-ratio increment 0x9E3779B97F4A7C15 and each output is
/// mixed with the variant-13 finaliser of MurmurHash3 (Stafford). The same seed gives the same
/// sequence on every platform and every run, which makes initialisation, tests and
/// checkpoints reproducible. Not cryptographic.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    /// The current state; the next output is a function of it alone.
    public private(set) var state: UInt64

    /// Creates a generator whose sequence is fully determined by `seed`.
    public init(seed: UInt64) { state = seed }

    /// Returns the next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform Double in [0, 1) with 53 random bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform Float in [low, high).
    public mutating func nextUniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * Float(nextUnitDouble())
    }

    /// A standard normal sample (mean 0, variance 1) by the Box–Muller transform, in double
    /// precision; each call consumes two outputs (the pair's second normal is discarded).
    public mutating func gaussian() -> Double {
        // u1 in (0, 1] so the logarithm is finite.
        let u1 = 1.0 - nextUnitDouble()
        let u2 = nextUnitDouble()
        return (-2.0 * Foundation.log(u1)).squareRoot() * Foundation.cos(2.0 * Double.pi * u2)
    }

    /// `gaussian()` rounded to Float.
    public mutating func nextGaussian() -> Float { Float(gaussian()) }
}

