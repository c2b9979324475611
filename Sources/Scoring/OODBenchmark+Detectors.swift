// OODBenchmark+Detectors: the trained models' detectors of `ebm evaluate ood`, in report order.

import EnergyModels
import Sampling
import Trajectories

extension OODBenchmark {
    /// The energy model's detectors, then the feedforward baseline's: the mean window energy (reading
    /// each episode's goal label when the model has goals); for a contrastive-divergence model the
    /// energy above `descentSteps` Langevin descent steps of its training step size and clamp (none
    /// when 0) and, for a model of several goals, the energy under its best goal; for a denoising
    /// model with a residual off its basis, the energy of the basis coefficients alone (averaging
    /// halves the residual, so the coefficients judge averages better); the feedforward model's mean
    /// prediction error. Baselines fitted on data (`GaussianWindowModel`) follow them.
    public static func modelDetectors(_ model: FutureModel, descentSteps: Int, feedforward: FeedforwardPredictor? = nil) throws -> [Detector] {
        let labelled = model.encoding.goalCount > 0
        var detectors = [Detector(name: "EBM energy", key: "ebm", scorer: model.windowScorer, readsGoalLabel: labelled)]
        switch model {
        case .contrastive(let ebm, let langevin):
            if descentSteps > 0 {
                detectors.append(Detector(name: "EBM energy above descent", key: "ebm_descent",
                                          scorer: EnergyDescentScorer(model: ebm, steps: descentSteps, stepSize: langevin.stepSize, gradientClip: langevin.gradientClip),
                                          readsGoalLabel: labelled))
            }
            // the episodes' own labels mean nothing for shifted data (averaged episodes have none)
            if ebm.encoding.goalCount > 1 {
                detectors.append(Detector(name: "EBM energy, best goal", key: "ebm_best_goal", scorer: try GoalFreeEnergyScorer(model: ebm)))
            }
        case .denoising(let m):
            if m.basis.residualVariance != nil {
                detectors.append(Detector(name: "EBM energy, basis part", key: "ebm_basis", scorer: DenoisingEnergyScorer(model: m, offBasis: false),
                                          readsGoalLabel: labelled))
            }
        }
        if let feedforward {
            detectors.append(Detector(name: "feedforward error", key: "feedforward", scorer: PredictionErrorScorer(model: feedforward),
                                      readsGoalLabel: feedforward.encoding.goalCount > 0))
        }
        return detectors
    }
}

extension OODBenchmark {
    /// The energy model's detectors that need training windows to calibrate: for a denoising model,
    /// the largest standardised energy over its noise levels (`MultiscaleEnergyScorer`); none for others.
    public static func calibratedDetectors(_ model: FutureModel, training windows: TrajectoryWindows) throws -> [Detector] {
        guard case .denoising(let m) = model else { return [] }
        let scorer = try MultiscaleEnergyScorer(model: m, calibration: windows)
        return [Detector(name: scorer.name, key: "ebm_multiscale", scorer: scorer, readsGoalLabel: m.encoding.goalCount > 0)]
    }
}
