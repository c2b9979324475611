import Foundation

extension PlanningSetup {
    /// Upper bounds of a planning run's sizes: above them the chains alone would not fit in memory,
    /// or the run would not end in a working day.
    public enum Limits {
        public static let chains = 100_000, horizon = 10_000, maxSteps = 1_000_000, optimizerSteps = 100_000, samples = 1_000_000
    }

    /// Throws `PlanningError` naming the parameter when a size is outside its limit (with the memory
    /// the chains would need) or a step size, noise, weight or margin is negative or not finite.
    public func validate() throws {
        func check(_ ok: Bool, _ message: @autoclosure () -> String) throws { if !ok { throw PlanningError.invalidArgument(message()) } }
        let chainBytes = Double(chains) * Double(horizon) * Double(2 * (model.nq + model.nv)) * 8 * 4
        try check((1...Limits.chains).contains(chains),
                  "chains \(chains) must lie in 1...\(Limits.chains)" + String(format: " (they would need about %.3g GB)", chainBytes / 1e9))
        try check((1...Limits.horizon).contains(horizon), "horizon \(horizon) must lie in 1...\(Limits.horizon)")
        try check((1...Limits.maxSteps).contains(maxSteps), "max steps \(maxSteps) must lie in 1...\(Limits.maxSteps)")
        try check((1...Limits.optimizerSteps).contains(optimizerSteps), "optimiser steps \(optimizerSteps) must lie in 1...\(Limits.optimizerSteps)")
        try check((1...Limits.samples).contains(populationSamples), "samples \(populationSamples) must lie in 1...\(Limits.samples)")
        try check(chainBytes <= 32e9, String(format: "chains × horizon need about %.3g GB, above the 32 GB limit", chainBytes / 1e9))
        let nonNegative: [(String, Double)] = [
            ("step size", langevinStepSize), ("final step size", langevinFinalStepSize), ("noise", langevinNoise), ("MALA step size", malaStepSize),
            ("temperature", malaTemperature), ("population noise", populationNoise), ("simulator noise", simNoise), ("margin", margin),
            ("gradient clip", gradientClip), ("goal weight", goalWeight), ("obstacle weight", obstacleWeight), ("limit weight", limitWeight),
            ("smoothness weight", smoothnessWeight), ("effort weight", effortWeight), ("model weight", modelWeight),
        ]
        for (name, value) in nonNegative {
            try check(value.isFinite && value >= 0, "\(name) \(value) must be a finite number >= 0")
        }
    }
}
