// FutureSamples+Arrays: the per-step sampler diagnostics as the arrays `ebm predict` writes.

import Trajectories

extension FutureSamples {
    /// diagnostics_{mean_energy,gradient_norm,acceptance,step_size} [N] (float64; the mean energy
    /// multiplied by `energyScale`, e.g. the temperature to undo its division) and
    /// diagnostics_block [N] (int64): one entry per sampler step of every block.
    public func diagnosticArrays(energyScale: Double) -> [(String, ArraySource)] {
        let n = diagnostics.count
        return [
            ("diagnostics_mean_energy", ArraySource.doubles(diagnostics.map { $0.step.meanEnergy * energyScale }, shape: [n])),
            ("diagnostics_gradient_norm", ArraySource.doubles(diagnostics.map(\.step.meanGradientNorm), shape: [n])),
            ("diagnostics_acceptance", ArraySource.doubles(diagnostics.map(\.step.acceptance), shape: [n])),
            ("diagnostics_step_size", ArraySource.doubles(diagnostics.map(\.step.stepSize), shape: [n])),
            ("diagnostics_block", ArraySource.int64s(diagnostics.map { Int64($0.block) }, shape: [n])),
        ]
    }
}
