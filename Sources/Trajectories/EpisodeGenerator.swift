import Foundation

/// The seeded random-number generator of one episode: xoshiro256** (Blackman & Vigna 2018)
/// with its state filled by SplitMix64 from the episode seed.
///
/// Each episode draws from its own generator, whose seed depends only on the recipe's master
/// seed and the episode's global index (`episodeSeed(master:index:)`). So an episode's data does not
/// depend on which other episodes are generated with it, in which batch, on how many threads, or
/// in which shard: sharded generation equals a single run by construction.
///
/// Draw order inside an episode is part of the dataset format (changing it changes the data):
/// the initial state first (qpos then qvel noise), then the policy's draws (its goal, then noise).
public struct EpisodeGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator whose state is four SplitMix64 outputs from `seed`.
    public init(seed: UInt64) {
        var x = seed
        s0 = EpisodeGenerator.splitMix64(&x)
        s1 = EpisodeGenerator.splitMix64(&x)
        s2 = EpisodeGenerator.splitMix64(&x)
        s3 = EpisodeGenerator.splitMix64(&x)
    }

    /// The seed of episode `index` (global: training episodes first, then test episodes):
    /// `splitmix64(splitmix64(master) xor index)`, top bit cleared so it fits an `int64` array.
    public static func episodeSeed(master: UInt64, index: Int) -> UInt64 {
        var a = master
        var b = splitMix64(&a) ^ UInt64(index)
        return splitMix64(&b) & 0x7FFF_FFFF_FFFF_FFFF
    }

    /// SplitMix64 (Steele, Lea & Flood 2014): advances `state` and returns the next output.
    public static func splitMix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in [0, 1): the top 53 bits.
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Uniform integer in 0..<count (multiply-shift on 53 bits; bias below 2^-40 for small counts).
    public mutating func index(below count: Int) -> Int {
        precondition(count > 0)
        return min(count - 1, Int(uniform() * Double(count)))
    }

    /// Standard normal by the Box–Muller transform (one pair per call; the second is discarded
    /// so that every draw consumes exactly two outputs).
    public mutating func gaussian() -> Double {
        let u1 = 1.0 - uniform()  // (0, 1]
        let u2 = uniform()
        return (-2.0 * log(u1)).squareRoot() * cos(2.0 * Double.pi * u2)
    }
}
