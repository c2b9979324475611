import ArgumentParser
import Sampling

/// The sampler options of `ebm predict` and `ebm evaluate`: which sampler, its steps and settings
/// (`FutureSampler`); every default not given here is the model's training configuration's.
struct SamplerOptions: ParsableArguments {
    @Option(help: "Sampler steps per H-state block (default: 60; for a denoising model its denoising.samplerSteps).") var steps: Int?
    @Option(help: "langevin, mala or hmc; for a denoising model also annealed-langevin, annealed-mala, annealed-hmc, ddim or heun (default: langevin for predict, mala for evaluate; annealed-mala for a denoising model).")
    var sampler: FutureSamplerKind?
    @Option(name: .customLong("step-size"), help: "Langevin η / MALA η / HMC initial ε, in normalised units (default: the training Langevin step for langevin, 0.001 for mala, 0.01 for hmc); for a denoising model ε of η = ε σ² per level (default: its denoising.samplerStepScale).") var stepSize: Double?
    @Option(help: "Langevin noise σ (default: the training configuration's).") var noise: Double?
    @Option(name: .customLong("gradient-clip"), help: "Langevin per-element gradient clamp (default: the training configuration's; 0 = none).") var gradientClip: Double?
    @Option(name: .customLong("final-step-size"), help: "Anneal the Langevin step geometrically to this.") var finalStepSize: Double?
    @Option(name: .customLong("final-noise"), help: "Anneal the Langevin noise linearly to this (default: the training configuration's).") var finalNoise: Double?
    @Option(help: "HMC leapfrog steps.") var leapfrog: Int = 10
    @Option(name: .customLong("target-acceptance"), help: "HMC dual-averaging target (first half of the steps adapt).") var targetAcceptance: Double = 0.65
    @Option(help: "Energies are divided by this before sampling (default: 1 for langevin; for mala and hmc the temperature the training Langevin chains sampled at, σ²/(2η) of the run's configuration; for a denoising model its denoising.samplerTemperature).") var temperature: Double?
    @Option(help: "Stop a block early when the mean energy changes by less than this (relative, over 10-step windows).") var tolerance: Double?
    @Option(name: .customLong("initial-scale"), help: "Chains start at z ~ N(0, s²) (default: the training configuration's).") var initialScale: Double?
    @Option(help: "Noise levels of a denoising model's annealed samplers (default: min(20, --steps)); --steps are spread over them.") var levels: Int?
    @Option(name: .customLong("temperature-below"), help: "A denoising model's temperature applies at noise levels at or below this σ; above it, T = 1 (default: its denoising.samplerTemperatureBelow, else every level).") var temperatureBelow: Double?

    /// The sampler these options ask for `model`, `chainDefault` when none is named.
    func sampler(chainDefault: FutureSamplerKind, for model: FutureModel) throws -> FutureSampler {
        var chosen = try FutureSampler(kind: sampler, chainDefault: chainDefault, for: model, steps: steps)
        (chosen.stepSize, chosen.noise, chosen.gradientClip, chosen.finalStepSize, chosen.finalNoise) = (stepSize, noise, gradientClip, finalStepSize, finalNoise)
        (chosen.leapfrog, chosen.targetAcceptance, chosen.temperature, chosen.tolerance) = (leapfrog, targetAcceptance, temperature, tolerance)
        (chosen.initialScale, chosen.levels, chosen.temperatureBelow) = (initialScale, levels, temperatureBelow)
        return chosen
    }
}
