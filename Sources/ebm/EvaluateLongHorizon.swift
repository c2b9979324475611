// EvaluateLongHorizon: `ebm evaluate`'s long rollouts — chained futures far past the episode's end,
// whether they stay in the data's state ranges, how their state distribution drifts (Fréchet
// distance vs time), and whether the controls they imply replay to the same states in the simulator.

import Foundation
import Plotting
import Scoring
import Simulation
import Trajectories

extension Evaluate {
    /// Long rollouts of the EBM (contexts × chains) and the feedforward model (one per context), scored
    /// against the data; returns the metrics section and the plot files.
    func longHorizonSection(_ setup: Setup, outDir: URL) throws -> ([String: Any], [String]) {
        let (k, S, N) = (setup.k, setup.S, longHorizon)
        let C = min(longContexts, setup.dataset.episodes), L = longSamples
        let reference = try referenceStates(setup)
        let judge = LongHorizonReference(states: reference.dataset, mean: reference.mean, deviation: reference.deviation, margin: rangeMargin,
                                         evaluated: setup.dataset, contextLength: k)
        let ranges = judge.ranges
        func scores(_ paths: [Double], count: Int, physics model: RobotModel?) throws -> LongHorizonScores {
            try judge.scores(paths, count: count, contexts: C, length: N, physics: model)
        }

        // the simulator of the dataset's recipe, when its meta.json names one
        let simulator = try? ReferenceSimulator(dataFolder: data)
        let model = simulator.flatMap { $0.model.nq + $0.model.nv == S && $0.model.nq == $0.model.nv ? $0.model : nil }

        let clock = Date()
        let generated = try sampleFutures(setup, contexts: C, chains: L, total: N, sampler: setup.sampler)
        let ebm = try scores(generated.futures, count: C * L, physics: model)
        let ebmSeconds = Date().timeIntervalSince(clock)
        var ff: LongHorizonScores?
        if let f = setup.feedforward {
            let paths = (0..<C).flatMap { FutureSampling.feedforward(f, context: setup.states($0, 0..<k), total: N) }
            ff = try scores(paths, count: C, physics: model)
        }
        // the data's own episodes: within range by construction (train) and the physics floor
        let dataEpisodes = min(setup.dataset.episodes, 64), dataLength = setup.length - k
        let dataPaths = (0..<dataEpisodes).flatMap { setup.states($0, k..<setup.length) }
        let dataWithin = ranges.stayedWithin(dataPaths, count: dataEpisodes, length: dataLength).last ?? .nan
        let dataPhysics = try model.map { try PhysicalConsistency.check(model: $0, start: (0..<dataEpisodes).flatMap { setup.states($0, k - 1..<k) },
                                                                         paths: dataPaths, count: dataEpisodes, length: dataLength) }

        // table
        print(String(format: "long horizon: %d contexts × %d EBM chains (%@, %d steps per block) and the feedforward model, %d states, in %.1f s; ranges: data ±%.0f%% of each range",
                     C, L, setup.sampler.kind.rawValue, setup.sampler.steps(for: setup.model), N, ebmSeconds, 100 * rangeMargin))
        func f(_ v: Double, _ format: String = "%.4g") -> String { v.isFinite ? String(format: format, v) : (v.isNaN ? "-" : "inf") }
        let at100 = min(100, N)
        var rows = [["", "in range@\(at100)", "in range@\(N)", "Fréchet@\(at100)", "Fréchet@\(N)", "replay@\(at100)", "replay@\(N)", "1-step"]]
        func row(_ name: String, _ s: LongHorizonScores) -> [String] {
            [name, f(s.at(s.withinRange, at100), "%.3f"), f(s.at(s.withinRange, N), "%.3f"), f(s.at(s.frechet, at100)), f(s.at(s.frechet, N)),
             f(s.physics100.map { s.at($0.divergence, at100) } ?? .nan), f(s.physics.map { s.at($0.divergence, N) } ?? .nan),
             f(s.physics100?.oneStepDefect ?? .nan)]
        }
        rows.append(row("EBM", ebm))
        if let ff { rows.append(row("feedforward", ff)) }
        rows.append(["data", f(dataWithin, "%.3f") + "*", "-", "-", "-",
                     f(dataPhysics.map { $0.divergence[min(at100, dataLength) - 1] } ?? .nan) + "*", "-", f(dataPhysics?.oneStepDefect ?? .nan)])
        Self.printTable(rows, first: 12, other: 14)
        print("  (* the data's \(dataEpisodes) episodes over their own \(dataLength) future states; replay and 1-step (over the first \(at100) states): ‖Δstate‖ of implied controls replayed in the simulator; - : no rollout stayed finite and below 1e6)")

        // plots
        let xs = (1...N).map(Double.init)
        var files: [String] = []
        var stability = LinePlot(title: "share of rollouts within the data's ranges", xLabel: "generated step", yLabel: "share", yRange: 0...1)
        stability.series = [.init(name: "EBM", color: LinePlot.palette[0], x: xs, y: ebm.withinRange)]
        if let ff { stability.series.append(.init(name: "feedforward", color: LinePlot.palette[2], x: xs, y: ff.withinRange)) }
        files += try stability.write(to: outDir, name: "stability_vs_time")
        var frechet = LinePlot(title: "Frechet distance to the data's states vs time", xLabel: "generated step", yLabel: "Frechet^2", logY: true)
        frechet.series = [.init(name: "EBM", color: LinePlot.palette[0], x: xs, y: ebm.frechet)]
        if let ff { frechet.series.append(.init(name: "feedforward", color: LinePlot.palette[2], x: xs, y: ff.frechet)) }
        files += try frechet.write(to: outDir, name: "frechet_vs_time")
        if let p = ebm.physics {
            var divergence = LinePlot(title: "replayed implied controls: divergence from generated states", xLabel: "generated step", yLabel: "|state error|", logY: true)
            divergence.series = [.init(name: "EBM", color: LinePlot.palette[0], x: xs, y: p.divergence)]
            if let q = ff?.physics { divergence.series.append(.init(name: "feedforward", color: LinePlot.palette[2], x: xs, y: q.divergence)) }
            if let d = dataPhysics { divergence.series.append(.init(name: "data", color: LinePlot.palette[3], x: (1...dataLength).map(Double.init), y: d.divergence)) }
            files += try divergence.write(to: outDir, name: "physical_divergence")
        }

        var curves: [String: Any] = ["step": Array(1...N), "ebm_within_range": ebm.withinRange, "ebm_frechet": ebm.frechet, "ebm_error": ebm.error]
        if let p = ebm.physics { curves["ebm_divergence"] = p.divergence }
        if let ff {
            (curves["baseline_within_range"], curves["baseline_frechet"], curves["baseline_error"]) = (ff.withinRange, ff.frechet, ff.error)
            if let p = ff.physics { curves["baseline_divergence"] = p.divergence }
        }
        if let d = dataPhysics { curves["data_divergence"] = d.divergence }
        var section: [String: Any] = [
            "states": N, "contexts": C, "samples_per_context": L, "sampler": setup.sampler.kind.rawValue, "steps": setup.sampler.steps(for: setup.model), "seconds": ebmSeconds,
            "range_margin": rangeMargin, "range_lower": ranges.lower, "range_upper": ranges.upper,
            "frechet_reference": "squared Fréchet distance between Gaussian fits of standardised states (data mean/std per dimension) at each generated step t and of the reference split's states at time index k + t (its final states once k + t passes the episode's end)",
            "ebm": ebm.dictionary(horizon: N), "curves": curves,
        ]
        if let ff { section["baseline"] = ff.dictionary(horizon: N) }
        var dataRow: [String: Any] = ["episodes": dataEpisodes, "states": dataLength, "within_range": dataWithin]
        if let d = dataPhysics { (dataRow["one_step_defect"], dataRow["divergence_final"]) = (d.oneStepDefect, d.divergence.last ?? .nan) }
        section["data"] = dataRow
        return (section, files)
    }
}
