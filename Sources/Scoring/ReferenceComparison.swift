// ReferenceComparison: energy score and MMD² of sampled futures against futures re-simulated from
// the same start by the dataset's own recipe and policy, on two features: the final goal-site
// position and the whole standardised future.

import Foundation
import Simulation
import Trajectories

/// Energy score and MMD² of one set of futures against the references, averaged over contexts.
public struct DistributionScores: Codable, Equatable, Sendable {
    /// On the final site position (m).
    public var energyScoreSite = 0.0, mmdSite = 0.0
    /// On whole futures, each dimension divided by the data's standard deviation.
    public var energyScoreFuture = 0.0, mmdFuture = 0.0

    public init() {}

    /// The keys of `ebm evaluate`'s metrics.json.
    public var dictionary: [String: Any] {
        ["energy_score_final_site": energyScoreSite, "mmd2_final_site": mmdSite, "energy_score_future": energyScoreFuture, "mmd2_future": mmdFuture]
    }

    /// Adds `s` / `contexts` (one context's share of the average).
    mutating func add(_ s: DistributionScores, contexts n: Int) {
        energyScoreSite += s.energyScoreSite / Double(n); mmdSite += s.mmdSite / Double(n)
        energyScoreFuture += s.energyScoreFuture / Double(n); mmdFuture += s.mmdFuture / Double(n)
    }
}

/// Sampled futures scored against M futures per context re-simulated by the dataset's recipe.
public struct ReferenceComparison {
    public var simulator: ReferenceSimulator
    /// Per-dimension standard deviation (S) that whole futures are divided by.
    public var deviation: [Double]
    /// The site whose final position is the first feature; nil skips that feature.
    public var site: Int?
    /// Re-simulated futures M per context.
    public var referenceSamples: Int
    /// Context states k: the references' futures are their states k… .
    public var contextLength: Int

    public init(simulator: ReferenceSimulator, deviation: [Double], site: Int?, referenceSamples: Int, contextLength: Int) {
        (self.simulator, self.deviation, self.site, self.referenceSamples, self.contextLength) = (simulator, deviation, site, referenceSamples, contextLength)
    }

    /// What `run` measured.
    public struct Result {
        public var ebm = DistributionScores(), baseline = DistributionScores()
        /// One half of the references against the other: the floor (M ≥ 2).
        public var resimulatedHalf = DistributionScores()
        /// Distinct goals among each context's references, averaged over contexts.
        public var referenceGoalsPerContext = 0.0
    }

    /// Scores futures (N·K, total, S) and a baseline's (N, total, S) per context against M references
    /// re-simulated from each context's start state (N, S), seeded from `seed` and the context index.
    public func run(futures: [Double], perContext K: Int, baseline: [Double]?, starts: [Double], total: Int, seed: UInt64) throws -> Result {
        let robot = simulator.model
        let (k, S, M) = (contextLength, robot.nq + robot.nv, referenceSamples)
        let N = starts.count / S, length = k + total

        /// Final site positions (count, 3) of paths (count, total, S).
        func finalSites(_ paths: ArraySlice<Double>, count: Int) throws -> [Double] {
            guard let site else { return [] }
            let qpos = (0..<count).flatMap { c -> [Double] in
                let o = paths.startIndex + (c * total + total - 1) * S
                return paths[o..<o + robot.nq].map { $0.isFinite ? $0 : 1e6 }
            }
            let all = try robot.kinematics(qpos: qpos, batch: count).sites
            var out: [Double] = []
            for c in 0..<count {
                let o = (c * robot.nsite + site) * 3
                out += all[o..<o + 3]
            }
            return out
        }
        /// Whole futures, each dimension divided by the data's standard deviation.
        func standardised(_ paths: ArraySlice<Double>) -> [Double] {
            var out = Array(paths)
            for i in out.indices { out[i] /= deviation[i % S] }
            return out
        }
        func scores(_ x: ArraySlice<Double>, count: Int, against y: ArraySlice<Double>, count m: Int) throws -> DistributionScores {
            var s = DistributionScores()
            if site != nil {
                let (xs, ys) = (try finalSites(x, count: count), try finalSites(y, count: m))
                let (a, b) = (SampleMetrics.rows(xs, dimension: 3), SampleMetrics.rows(ys, dimension: 3))
                (s.energyScoreSite, s.mmdSite) = (SampleMetrics.energyScore(a, b), SampleMetrics.mmdSquared(a, b).mmd2)
            }
            let (a, b) = (SampleMetrics.rows(standardised(x), dimension: total * S), SampleMetrics.rows(standardised(y), dimension: total * S))
            (s.energyScoreFuture, s.mmdFuture) = (SampleMetrics.energyScore(a, b), SampleMetrics.mmdSquared(a, b).mmd2)
            return s
        }

        var result = Result()
        let width = total * S
        for e in 0..<N {
            // M fresh episodes from the context's first state; their states k… are the reference futures
            let start = starts[e * S..<(e + 1) * S]
            let master = EpisodeGenerator.episodeSeed(master: seed ^ 0x5EF5_1A7E, index: e)
            let (states, goal) = try simulator.simulate(qpos: Array(start.prefix(robot.nq)), qvel: Array(start.suffix(robot.nv)), count: M, seed: master)
            var references: [Double] = []   // (M, total, S)
            for m in 0..<M { references += states[((m * length + k) * S)..<((m + 1) * length * S)] }
            result.referenceGoalsPerContext += Double(Set(goal).count) / Double(N)
            let y = references[...]
            result.ebm.add(try scores(futures[(e * K * width)..<((e + 1) * K * width)], count: K, against: y, count: M), contexts: N)
            if let baseline { result.baseline.add(try scores(baseline[(e * width)..<((e + 1) * width)], count: 1, against: y, count: M), contexts: N) }
            if M >= 2 {
                let split = M / 2 * width
                result.resimulatedHalf.add(try scores(references[0..<split], count: M / 2, against: references[split...], count: M - M / 2), contexts: N)
            }
        }
        return result
    }
}
