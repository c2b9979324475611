// FutureModel+Scorer: a trained future model's energy as a window scorer, whichever objective
// trained it — what `ebm score` and the OOD benchmark judge windows with.

import EnergyModels
import Sampling

extension FutureModel {
    /// E(future | context) of whole windows: the contrastive model's energy, or a denoising model's
    /// energy at its smallest noise level.
    public var windowScorer: any WindowScorer {
        switch self {
        case .contrastive(let model, _): return EnergyScorer(model: model)
        case .denoising(let model): return DenoisingEnergyScorer(model: model)
        }
    }
}
