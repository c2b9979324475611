// FutureModel+Run: a run folder's future model and the sampler a program picks for it — the
// defaults `ebm predict`, `evaluate`, `view` and `bench sample` share.

import EnergyModels
import Foundation

extension FutureModel {
    /// The future model of a run folder or checkpoint file, whichever objective trained it; a goal- or
    /// control-conditioned model is refused (sampling builds contexts from states alone).
    public static func load(run path: String) throws -> (model: FutureModel, metadata: CheckpointMetadata) {
        let loaded = try load(from: RunFolder.existingCheckpoint(path))
        try RunFolder.requireUnconditioned(loaded.model.encoding, run: path)
        return loaded
    }

    /// Whether it was trained by denoising score matching.
    public var isDenoising: Bool {
        if case .denoising = self { return true }
        return false
    }
}

/// A sampler that cannot sample a model.
public enum FutureSamplerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An annealed or ODE sampler asked of a contrastive-divergence model.
    case needsDenoisingModel(FutureSamplerKind)

    public var description: String {
        switch self {
        case .needsDenoisingModel(let kind):
            return "--sampler \(kind.rawValue) needs a denoising model (ebm train --objective dsm); this one was trained by contrastive divergence"
        }
    }
}

extension FutureSampler {
    /// The sampler `kind` for `model`, or the default when nil: annealed MALA for a denoising model,
    /// `chainDefault` for a contrastive-divergence one. Throws when `kind` needs a denoising model.
    public init(kind: FutureSamplerKind?, chainDefault: FutureSamplerKind, for model: FutureModel, steps: Int? = nil) throws {
        let chosen = kind ?? (model.isDenoising ? .annealedMALA : chainDefault)
        guard model.isDenoising || chosen.isChain else { throw FutureSamplerError.needsDenoisingModel(chosen) }
        self.init(kind: chosen, steps: steps)
    }
}
