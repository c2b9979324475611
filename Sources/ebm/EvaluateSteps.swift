// EvaluateSteps: `ebm evaluate`'s adaptive-computation curve — validity, goal coverage and errors of
// the sampled futures as the sampler gets more refinement steps per block.

import Foundation
import Plotting
import Scoring

extension Evaluate {
    /// The first metrics re-measured on the first `contexts` contexts for each of `stepCounts`; the
    /// feedforward model (no steps) as a constant beside them. Returns the section and plot files.
    func qualityVsStepsSection(_ setup: Setup, contexts N: Int, baseline: [Double]?, outDir: URL) throws -> ([String: Any], [String]) {
        let (K, total, S) = (samples, setup.total, setup.S)
        var curveSampler = setup.curveSampler
        let name = curveSampler.kind.rawValue
        let denoising: Bool
        if case .denoising = setup.model { denoising = true } else { denoising = false }
        let counts = Array(Set(stepCounts.isEmpty ? (denoising ? [0, 20, 50, 100, 200, 400] : [0, 5, 10, 20, 40, 60, 120]) : stepCounts)).sorted()
        var rows: [(steps: Int, scores: ForecastScores, energy: Double, seconds: Double)] = []
        for n in counts {
            curveSampler.steps = n
            let r = try sampleFutures(setup, contexts: N, chains: K, total: total, sampler: curveSampler)
            rows.append((n, try score(r.futures, perContext: K, contexts: N, setup), r.energies.reduce(0, +) / Double(r.energies.count), r.seconds))
        }
        let ff = try baseline.map { try score(Array($0[0..<N * total * S]), perContext: 1, contexts: N, setup) }
        let hasGoals = setup.goals != nil
        let goalCount = Double(setup.goals?.positions.count ?? 1)

        // table
        print("quality vs steps: \(name), \(N) contexts × \(K) futures of \(total) states")
        var table = [["steps", "ADE best", "ADE mean", "FDE best", "FDE mean"] + (hasGoals ? ["goals", "valid"] : []) + ["mean E", "seconds"]]
        for (n, s, e, t) in rows {
            table.append(["\(n)"] + [s.adeBest, s.adeMean, s.fdeBest, s.fdeMean].map { String(format: "%.4f", $0) }
                         + (hasGoals ? [String(format: "%.2f", s.goalsCovered), String(format: "%.3f", s.validity)] : [])
                         + [String(format: "%.3g", e), String(format: "%.1f", t)])
        }
        if let f = ff {
            table.append(["feedforward"] + [f.adeBest, f.adeMean, f.fdeBest, f.fdeMean].map { String(format: "%.4f", $0) }
                         + (hasGoals ? [String(format: "%.2f", f.goalsCovered), String(format: "%.3f", f.validity)] : []) + ["-", "-"])
        }
        Self.printTable(table)

        // plots: shares (validity, goals covered / goal count) and errors against steps
        let xs = rows.map { Double($0.steps) }
        var files: [String] = []
        if hasGoals {
            var quality = LinePlot(title: "quality vs \(name) steps per block", xLabel: "sampler steps", yLabel: "share", yRange: 0...1)
            quality.series = [.init(name: "EBM validity", color: LinePlot.palette[0], x: xs, y: rows.map { $0.scores.validity }),
                              .init(name: "EBM goals covered / \(Int(goalCount))", color: LinePlot.palette[1], x: xs, y: rows.map { $0.scores.goalsCovered / goalCount })]
            if let f = ff {
                quality.series += [.init(name: "feedforward validity", color: LinePlot.palette[2], x: xs, y: xs.map { _ in f.validity }),
                                   .init(name: "feedforward goals covered / \(Int(goalCount))", color: LinePlot.palette[3], x: xs, y: xs.map { _ in f.goalsCovered / goalCount })]
            }
            files += try quality.write(to: outDir, name: "quality_vs_steps")
        }
        var errors = LinePlot(title: "ADE vs \(name) steps per block", xLabel: "sampler steps", yLabel: "ADE")
        errors.series = [.init(name: "EBM best of K", color: LinePlot.palette[1], x: xs, y: rows.map { $0.scores.adeBest }),
                         .init(name: "EBM mean of K", color: LinePlot.palette[0], x: xs, y: rows.map { $0.scores.adeMean })]
        if let f = ff { errors.series.append(.init(name: "feedforward", color: LinePlot.palette[2], x: xs, y: xs.map { _ in f.adeMean })) }
        files += try errors.write(to: outDir, name: "ade_vs_steps")

        var ebm: [String: Any] = ["ade_best_of_k": rows.map { $0.scores.adeBest }, "ade_mean": rows.map { $0.scores.adeMean },
                                  "fde_best_of_k": rows.map { $0.scores.fdeBest }, "fde_mean": rows.map { $0.scores.fdeMean },
                                  "mean_energy": rows.map(\.energy), "seconds": rows.map(\.seconds)]
        if hasGoals { (ebm["validity"], ebm["goals_covered"]) = (rows.map { $0.scores.validity }, rows.map { $0.scores.goalsCovered }) }
        var section: [String: Any] = ["sampler": name, "contexts": N, "samples": K, "steps": counts, "ebm": ebm]
        if let f = ff {
            var b: [String: Any] = ["ade_best_of_k": f.adeBest, "ade_mean": f.adeMean, "fde_best_of_k": f.fdeBest, "fde_mean": f.fdeMean]
            if hasGoals { (b["validity"], b["goals_covered"]) = (f.validity, f.goalsCovered) }
            section["baseline"] = b
        }
        return (section, files)
    }
}
