// ForecastEvaluation+Plots: the figures of `ebm evaluate`, each written as SVG and PNG (Plotting, no GL).

import Foundation
import Plotting

/// A line plot of `series` (name, palette colour, x, y) written as DIR/NAME.svg and .png; the paths.
private func writePlot(_ title: String, x: String, y: String, name: String, to dir: URL, yRange: ClosedRange<Double>? = nil,
                       logY: Bool = false, _ series: [(String, Int, [Double], [Double])]) throws -> [String] {
    var p = LinePlot(title: title, xLabel: x, yLabel: y, logY: logY, yRange: yRange)
    p.series = series.map { .init(name: $0.0, color: LinePlot.palette[$0.1], x: $0.2, y: $0.3) }
    return try p.write(to: dir, name: name)
}

extension ForecastReport {
    /// error_vs_horizon: the mean and best-of-K error at each future step, and the baseline's; the paths written.
    public func plots(to dir: URL) throws -> [String] {
        let xs = (1...futureStates).map(Double.init)
        return try writePlot("error vs horizon (mean |state error|)", x: "future step", y: "error", name: "error_vs_horizon", to: dir,
                             [("EBM mean of K", 0, xs, ebm.perStepMean), ("EBM best of K", 1, xs, ebm.perStepBest)]
                             + (baseline.map { [("feedforward", 2, xs, $0.perStepMean)] } ?? []))
    }
}

extension LongHorizonReport {
    /// stability_vs_time, frechet_vs_time and, with physics, physical_divergence; the paths written.
    public func plots(to dir: URL) throws -> [String] {
        let xs = (1...states).map(Double.init)
        var files = try writePlot("share of rollouts within the data's ranges", x: "generated step", y: "share", name: "stability_vs_time", to: dir,
                                  yRange: 0...1, [("EBM", 0, xs, ebm.withinRange)] + (baseline.map { [("feedforward", 2, xs, $0.withinRange)] } ?? []))
        files += try writePlot("Frechet distance to the data's states vs time", x: "generated step", y: "Frechet^2", name: "frechet_vs_time", to: dir,
                               logY: true, [("EBM", 0, xs, ebm.frechet)] + (baseline.map { [("feedforward", 2, xs, $0.frechet)] } ?? []))
        guard let p = ebm.physics else { return files }
        return files + (try writePlot("replayed implied controls: divergence from generated states", x: "generated step", y: "|state error|",
                                      name: "physical_divergence", to: dir, logY: true,
                                      [("EBM", 0, xs, p.divergence)] + (baseline?.physics.map { [("feedforward", 2, xs, $0.divergence)] } ?? [])
                                      + (dataPhysics.map { [("data", 3, (1...dataLength).map(Double.init), $0.divergence)] } ?? [])))
    }
}

extension StepsReport {
    /// quality_vs_steps (goal datasets: shares of valid samples and of goals covered) and ade_vs_steps; the paths written.
    public func plots(to dir: URL) throws -> [String] {
        let xs = rows.map { Double($0.steps) }, name = sampler.rawValue
        var files: [String] = []
        if let goalCount = goalCount.map(Double.init) {
            let g = Int(goalCount)
            files += try writePlot("quality vs \(name) steps per block", x: "sampler steps", y: "share", name: "quality_vs_steps", to: dir, yRange: 0...1,
                                   [("EBM validity", 0, xs, rows.map { $0.scores.validity }), ("EBM goals covered / \(g)", 1, xs, rows.map { $0.scores.goalsCovered / goalCount })]
                                   + (baseline.map { f in [("feedforward validity", 2, xs, xs.map { _ in f.validity }),
                                                           ("feedforward goals covered / \(g)", 3, xs, xs.map { _ in f.goalsCovered / goalCount })] } ?? []))
        }
        return files + (try writePlot("ADE vs \(name) steps per block", x: "sampler steps", y: "ADE", name: "ade_vs_steps", to: dir,
                                      [("EBM best of K", 1, xs, rows.map { $0.scores.adeBest }), ("EBM mean of K", 0, xs, rows.map { $0.scores.adeMean })]
                                      + (baseline.map { f in [("feedforward", 2, xs, xs.map { _ in f.adeMean })] } ?? [])))
    }
}
