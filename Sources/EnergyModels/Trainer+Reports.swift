// Trainer+Reports: the words of a run — the configuration file a dataset's recipe names, the
// figures a progress line shows after each step, and the final test evaluation's line.

import Foundation
import Trajectories

extension TrainingConfiguration {
    /// RECIPES/NAME.train.json for the recipe NAME that the dataset folder's meta.json names,
    /// when that file exists; nil otherwise (the built-in defaults apply).
    public static func recipeFile(dataFolder: String, recipes: String) -> URL? {
        guard case .string(let name)? = (try? DatasetFolder.meta(of: URL(fileURLWithPath: dataFolder)))?["name"] else { return nil }
        let url = URL(fileURLWithPath: recipes).appendingPathComponent("\(name).train.json")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }
}

extension Trainer {
    /// A step's figures for a terminal progress line (ending in "clear to end of line"): the
    /// denoising loss and learning rate, the energies, gap, chain gradient and replay age of
    /// contrastive divergence, or the feedforward MSE.
    public func progressText(_ m: TrainingMetrics) -> String {
        denoisingModel != nil
            ? String(format: "dsm loss %.4f lr %.2g\u{1B}[K", m.loss, m.learningRate)
            : kind == .ebm
            ? String(format: "E(data) %.3f E(samples) %.3f gap %.3f |∇E| %.3g age %.0f\u{1B}[K",
                     m.energyData, m.energySamples, m.gap, m.langevinGradientNorm, m.replayAge)
            : String(format: "mse %.4g\u{1B}[K", m.loss)
    }

    /// The line of the final evaluation on the test split (`evaluate()`'s metrics).
    public func evaluationLine(_ m: TrainingMetrics) -> String {
        if denoisingModel != nil { return String(format: "test: denoising loss %.4f (mean (σ∂E/∂y − ε)², fixed noise)", m.loss) }
        if kind == .ebm {
            return String(format: "test: E(data) %.4f, E(samples from noise) %.4f, gap %.4f, sample-vs-data MSE %.4f (normalised)",
                          m.energyData, m.energySamples, m.gap, m.loss)
        }
        return String(format: "test: MSE %.5f (normalised future features)", m.loss)
    }

    /// The first line of `ebm train`: the kind, the data, the configuration file (nil: the built-in
    /// defaults) and the run folder; the ranks × micro-batches when split; the step resumed at.
    public func startLine(data: String, configurationFile: URL?, out: String) -> String {
        let split = parallelism.shares > 1 ? " in \(parallelism.ranks) rank(s) × \(parallelism.microBatches) micro-batch(es)" : ""
        return "training \(kind.rawValue) on \(data) with \(configurationFile?.path ?? "built-in defaults") → \(out)\(split)"
            + (startStep > 0 ? " (resuming at step \(startStep))" : "")
    }

    /// The closing lines of a finished run that took `seconds`: the model written and the speed of
    /// this process's steps; with several ranks, rank 0's time in the gradient reduction.
    public func finishLines(out: String, seconds: Double) -> [String] {
        let total = configuration.optimization.steps
        var lines = [String(format: "wrote %@/model.safetensors after %d steps (%.1f s, %.1f it/s)", out, total, seconds,
                            Double(total - startStep) / max(seconds, 1e-9))]
        if parallelism.ranks > 1 {
            lines.append(String(format: "rank 0 of %d: %.2f s of %.2f s in MPI collectives (gradient reduction)", parallelism.ranks, communicationSeconds, seconds))
        }
        return lines
    }
}
