// TrainingProgress: what a training run shows while it runs — on a terminal a bar (rate, ETA) with
// the step's figures after it; elsewhere (nohup, CI, a cluster job) a plain line every few seconds
// on the error stream and one line per logged interval on the output stream.

import Foundation
import Trajectories

/// `Trainer.run`'s `onStep`/`onLog` reports as a progress bar and log lines (`ebm train`'s).
public final class TrainingProgress {
    /// The bar of the steps still to run (its clock starts when this is made).
    public let bar: ProgressBar
    private let trainer: Trainer
    private let total: Int
    private let quiet: Bool
    private let log: (String) -> Void
    private let terminal: (String) -> Void
    private var lastDraw = 0.0

    /// Progress of `trainer`'s remaining steps; nothing at all when `quiet`. `interactive` says
    /// whether the error stream is a terminal; `log` receives the per-interval lines (standard
    /// output by default), `terminal` the bar and figures (standard error by default).
    public init(trainer: Trainer, quiet: Bool, interactive: Bool = isatty(STDERR_FILENO) != 0,
                log: @escaping (String) -> Void = { print($0); fflush(stdout) },
                terminal: @escaping (String) -> Void = writeToStandardError) {
        self.trainer = trainer
        self.total = trainer.configuration.optimization.steps
        self.quiet = quiet
        self.log = log
        self.terminal = terminal
        bar = ProgressBar(total: total - trainer.startStep, unit: "it", enabled: !quiet, interactive: interactive, output: terminal)
    }

    /// `onStep`: the bar (at most ~9 redraws a second on a terminal, the step's figures after it), or
    /// off a terminal a plain line every few seconds with the last logged loss.
    public func step(_ step: Int, _ metrics: TrainingMetrics?) {
        guard bar.enabled, step < total else { return }
        guard bar.interactive else {
            bar.update(step - trainer.startStep, detail: metrics.map { String(format: "loss %.5g", $0.loss) } ?? "")
            return
        }
        guard bar.elapsed - lastDraw > 0.11 || lastDraw == 0 else { return }
        lastDraw = bar.elapsed
        bar.update(step - trainer.startStep)
        if let m = metrics { terminal(trainer.progressText(m)) }
    }

    /// `onLog`: off a terminal, one line per logged interval (step, loss, seconds).
    public func logged(_ m: TrainingMetrics) {
        guard !quiet, !bar.interactive else { return }
        log(String(format: "step %d/%d  loss %.5g  %.1f s", m.step, total, m.loss, bar.elapsed))
    }

    /// The run has ended: the bar at its end.
    public func finish() { bar.update(total - trainer.startStep) }
}
