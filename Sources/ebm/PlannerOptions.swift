import ArgumentParser
import Planning

/// The options of `ebm plan` and `ebm bench plan` that change a robot's planning defaults
/// (`PlanningSetup.Overrides`).
struct PlannerOptions: ParsableArguments {
    @Option(help: "A term weight NAME=VALUE (goal, obstacle, limits, smoothness, effort, model; repeatable).") var weight: [String] = []
    @Option(help: "Optimiser steps per replan (Langevin/MALA steps, MPPI/CEM iterations).") var steps: Int?
    @Option(name: .customLong("step-size"), help: "Langevin η₀ / MALA η, in scaled plan units.") var stepSize: Double?
    @Option(name: .customLong("final-step-size"), help: "Langevin η at the last step.") var finalStepSize: Double?
    @Option(help: "Langevin σ₀ / MPPI and CEM σ, in scaled units.") var noise: Double?
    @Option(help: "MPPI/CEM samples per iteration.") var samples: Int?
    @Option(help: "MALA temperature T (energy units).") var temperature: Double?
    @Option(help: "What the state planners move: accelerations (integrated into consistent plans; the default) or states.")
    var coordinates: PlanningSetup.Coordinates?
    @Option(help: "Obstacle safety margin, in m.") var margin: Double?
    @Option(name: .customLong("gradient-clip"), help: "Per-element gradient clamp of Langevin and of MALA's drift, in scaled units.") var gradientClip: Double?
    @Option(name: .customLong("cold-start-rounds"), help: "Optimiser runs of the first replan (state planners).") var coldStartRounds: Int?

    /// Applies these options, after `more` (the command's own) has added to them, to `setup`;
    /// errors in the command line's words.
    func apply(to setup: inout PlanningSetup, _ more: (inout PlanningSetup.Overrides) throws -> Void = { _ in }) throws {
        do {
            var o = PlanningSetup.Overrides()
            o.weights = try weight.map(PlanningSetup.TermWeight.init(parsing:))
            (o.steps, o.stepSize, o.finalStepSize, o.noise, o.samples) = (steps, stepSize, finalStepSize, noise, samples)
            (o.gradientClip, o.margin, o.coldStartRounds, o.temperature, o.coordinates) = (gradientClip, margin, coldStartRounds, temperature, coordinates)
            try more(&o)
            try setup.apply(o)
        } catch let e as PlanningSetup.OverrideError { throw CLIError.failed(e.message(prefix: "--")) }
    }
}
