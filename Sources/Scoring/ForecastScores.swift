// ForecastScores: how close K sampled futures per context come to the real one (ADE/FDE, best of
// K and mean) and, for goal datasets, which goals their final states reach (coverage, validity).

import Simulation

/// Errors and goal scores of sampled futures against the true futures of N contexts.
public struct ForecastScores: Codable, Equatable, Sendable {
    /// Average displacement error ‖Δstate‖ over the future, best of K per context and mean of all, averaged over contexts.
    public var adeBest = 0.0, adeMean = 0.0
    /// Final displacement error, best of K and mean.
    public var fdeBest = 0.0, fdeMean = 0.0
    /// ‖Δstate‖ per future step (total): mean of all samples and best of K, averaged over contexts.
    public var perStepMean: [Double], perStepBest: [Double]
    /// Goals reached per context (a valid sample within the radius of a goal), averaged over contexts.
    public var goalsCovered = 0.0
    /// Samples whose final site lies within the radius of a goal, and samples counted.
    public var valid = 0, samples = 0

    public init(steps: Int) { (perStepMean, perStepBest) = ([Double](repeating: 0, count: steps), [Double](repeating: 0, count: steps)) }

    /// Share of samples within the radius of some goal (0 when none were counted).
    public var validity: Double { Double(valid) / Double(max(samples, 1)) }

    /// Scores of paths (N · perContext, total, S) against the true futures (N, total, S); with `goals`,
    /// each path's final qpos (its first nq numbers) is placed by forward kinematics and assigned to
    /// the nearest goal, valid within `radius` metres.
    public init(paths: [Double], perContext: Int, truth: [Double], contexts N: Int, steps total: Int, stateSize S: Int,
                goals: GoalSet? = nil, radius: Double = 0) throws {
        self.init(steps: total)
        var finals: [Double] = []
        for e in 0..<N {
            let truthBase = e * total * S
            var perStep = [[Double]]()
            for c in 0..<perContext {
                let base = (e * perContext + c) * total * S
                perStep.append((0..<total).map { t in
                    var q = 0.0
                    for d in 0..<S { let x = paths[base + t * S + d] - truth[truthBase + t * S + d]; q += x * x }
                    return q.squareRoot()
                })
                if let goals { finals += paths[(base + (total - 1) * S)..<(base + (total - 1) * S + goals.robot.nq)] }
            }
            let ade = perStep.map { $0.reduce(0, +) / Double(total) }, fde = perStep.map { $0[total - 1] }
            adeBest += ade.min()! / Double(N); adeMean += ade.reduce(0, +) / Double(perContext * N)
            fdeBest += fde.min()! / Double(N); fdeMean += fde.reduce(0, +) / Double(perContext * N)
            for t in 0..<total {
                let column = perStep.map { $0[t] }
                perStepMean[t] += column.reduce(0, +) / Double(perContext * N)
                perStepBest[t] += column.min()! / Double(N)
            }
        }
        guard let goals else { return }
        // a non-finite future lands on no goal
        let sites = try goals.sitePositions(qpos: finals, count: N * perContext)
        for e in 0..<N {
            var covered = Set<Int>()
            for c in 0..<perContext {
                let i = (e * perContext + c) * 3
                let (g, d) = goals.nearest(Array(sites[i..<i + 3]))
                if d <= radius && finals[(e * perContext + c) * goals.robot.nq].isFinite { covered.insert(g); valid += 1 }
                samples += 1
            }
            goalsCovered += Double(covered.count) / Double(N)
        }
    }
}
