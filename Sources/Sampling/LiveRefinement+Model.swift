// LiveRefinement+Model: live refinement set up from a trained model as `ebm predict` would sample
// it — the training chains' Langevin settings, the sampler's temperature rule, their initial scale.

import EnergyModels

extension LiveRefinement {
    /// `chains` chains for one `context` [k, S] (raw units) of a contrastive-divergence `model`
    /// trained with `langevin`, each refinement `steps` steps of `kind` (a chain sampler: langevin,
    /// mala or hmc) at the temperature `FutureSampler` picks for it, starting from noise of the
    /// training chains' initial scale.
    public convenience init(model: TrajectoryEnergyModel, langevin: LangevinConfiguration, kind: FutureSamplerKind, steps: Int,
                            context: [Double], chains: Int, seed: UInt64) throws {
        let options = FutureSampler(kind: kind, steps: steps)
        let temperature = options.temperature(for: .contrastive(model, langevin: langevin))
        let energy = try FutureEnergy(model: model, contexts: context.map(Float.init), chains: chains, temperature: temperature)
        self.init(energy: energy, sampler: try options.chainSampler(langevin: langevin), chains: chains, steps: steps,
                  temperature: temperature, initialScale: Double(langevin.initialScale), seed: seed)
    }
}
