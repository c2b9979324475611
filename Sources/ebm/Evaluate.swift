import ArgumentParser
import EnergyModels
import Foundation
import Sampling
import Scene
import Simulation
import Trajectories

/// `ebm evaluate`: errors and mode coverage of K sampled futures per test context, EBM beside a feedforward baseline.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate sampled futures: ADE/FDE (best-of-K and mean) and, for goal datasets, mode coverage.",
        discussion: """
        For the first --episodes episodes of the split, takes the model's k first states as the context \
        and samples K futures to the end of the episode (chained H-state blocks, as `ebm predict`). \
        Errors are ‖Δstate‖ in original units. For goal datasets (goal ≥ 0) each future's final site \
        position (forward kinematics of its last qpos) is assigned to the nearest goal; goal positions are \
        the mean final site position of the dataset's episodes with that goal index. A sample is valid \
        within --radius of a goal; a goal is covered by a context when a valid sample lands on it; \
        mean_collapse is the share of samples farther than --radius from every goal. \
        Writes OUT/metrics.json and OUT/error_vs_horizon.svg.
        """)

    @Option(help: "Run folder of `ebm train --model ebm` (or its .safetensors).") var model: String
    @Option(help: "Run folder of a feedforward model to evaluate alongside.") var baseline: String?
    @Option(help: "Dataset folder.") var data: String
    @Option(help: "Split to evaluate: test or train.") var split: String = "test"
    @Option(help: "Episodes to evaluate (the split's first N).") var episodes: Int = 20
    @Option(help: "Futures K per context.") var samples: Int = 32
    @Option(help: "Sampler steps per H-state block.") var steps: Int = 60
    @Option(help: "langevin, mala or hmc (defaults as `ebm predict`).") var sampler: String = "mala"
    @Option(help: "Validity radius around a goal, in metres.") var radius: Double = 0.02
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Output folder.") var out: String
    @Flag(help: "Out-of-distribution benchmark: energies of test data vs shifted trajectories (AUROC, FPR at 95% TPR).")
    var ood = false

    func validate() throws {
        guard episodes >= 1 else { throw ValidationError("--episodes must be at least 1") }
        guard samples >= 1 else { throw ValidationError("--samples must be at least 1") }
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1") }
        guard FutureSampling.Kind(rawValue: sampler) != nil else { throw ValidationError("--sampler must be langevin, mala or hmc") }
        guard ["test", "train"].contains(split) else { throw ValidationError("--split must be test or train") }
    }

    struct Scores {
        var adeBest = 0.0, adeMean = 0.0, fdeBest = 0.0, fdeMean = 0.0
        var perStepMean: [Double], perStepBest: [Double]
        var goalsCovered = 0.0, valid = 0, samples = 0
        init(steps: Int) { (perStepMean, perStepBest) = ([Double](repeating: 0, count: steps), [Double](repeating: 0, count: steps)) }
    }

    func run() throws {
        if ood { return try OODEvaluation.run(self) }
        let (energyModel, meta): (TrajectoryEnergyModel, CheckpointMetadata)
        do { (energyModel, meta) = try TrajectoryEnergyModel.load(from: Predict.checkpoint(model)) } catch let e as TrainingError { throw CLIError(e.description) }
        let enc = energyModel.encoding
        let (k, S) = (enc.contextLength, enc.stateSize)
        let file = URL(fileURLWithPath: data).appendingPathComponent("\(split).npz")
        let dataset: TrajectoryDataset
        do { dataset = try TrajectoryDataset(contentsOf: file) } catch { throw CLIError("\(file.path): \(error)") }
        guard dataset.stateSize == S else { throw CLIError("\(file.path): states have \(dataset.stateSize) numbers, the model reads \(S)") }
        let length = dataset.steps + 1, total = length - k, N = min(episodes, dataset.episodes), K = samples
        guard total >= 1 else { throw CLIError("\(file.path): episodes hold \(length) states, the model needs \(k) context states and one more") }

        var ff: FeedforwardPredictor?
        if let baseline {
            let loaded: (FeedforwardPredictor, CheckpointMetadata)
            do { loaded = try FeedforwardPredictor.load(from: Predict.checkpoint(baseline)) } catch let e as TrainingError { throw CLIError(e.description) }
            guard loaded.0.encoding.stateSize == S, loaded.0.encoding.contextLength <= k else {
                throw CLIError("--baseline \(baseline): reads \(loaded.0.encoding.contextLength) states of \(loaded.0.encoding.stateSize), the context offers \(k) of \(S)")
            }
            ff = loaded.0
        }

        func states(_ e: Int, _ range: Range<Int>) -> [Double] { range.flatMap { Array(dataset.state(episode: e, step: $0)) } }
        // all N × K chains sampled together
        let kind = FutureSampling.Kind(rawValue: sampler)!, lang = meta.configuration.langevin
        let contexts = (0..<N).flatMap { states($0, 0..<k) }
        let result = try FutureSampling.sample(model: energyModel, context: contexts, chains: K, total: total, steps: steps,
                                               sampler: FutureSampling.sampler(kind, langevin: lang),
                                               temperature: FutureSampling.defaultTemperature(kind, langevin: lang),
                                               initialScale: Double(lang.initialScale), tolerance: nil, seed: seed)
        let futures = result.futures   // (N·K, total, S)
        let baselineFutures = ff.map { f in (0..<N).flatMap { FutureSampling.feedforward(f, context: states($0, 0..<k), total: total) } }   // (N, total, S)

        // goals: positions from the dataset's final sites, robot from meta.json
        let goals = try goalSetup(dataset: dataset, file: file)

        func score(_ paths: [Double], perContext: Int) throws -> Scores {
            var s = Scores(steps: total)
            var finals: [Double] = []
            for e in 0..<N {
                let truth = states(e, k..<length)
                var perStep = [[Double]]()
                for c in 0..<perContext {
                    let base = (e * perContext + c) * total * S
                    perStep.append((0..<total).map { t in
                        var q = 0.0
                        for d in 0..<S { let x = paths[base + t * S + d] - truth[t * S + d]; q += x * x }
                        return q.squareRoot()
                    })
                    if let goals { finals += paths[(base + (total - 1) * S)..<(base + (total - 1) * S + goals.robot.nq)] }
                }
                let ade = perStep.map { $0.reduce(0, +) / Double(total) }, fde = perStep.map { $0[total - 1] }
                s.adeBest += ade.min()! / Double(N); s.adeMean += ade.reduce(0, +) / Double(perContext * N)
                s.fdeBest += fde.min()! / Double(N); s.fdeMean += fde.reduce(0, +) / Double(perContext * N)
                for t in 0..<total {
                    let column = perStep.map { $0[t] }
                    s.perStepMean[t] += column.reduce(0, +) / Double(perContext * N)
                    s.perStepBest[t] += column.min()! / Double(N)
                }
            }
            if let goals {
                let sites = try goals.robot.kinematics(qpos: finals, batch: N * perContext).sites
                for e in 0..<N {
                    var covered = Set<Int>()
                    for c in 0..<perContext {
                        let i = (e * perContext + c) * goals.robot.nsite * 3 + goals.site * 3
                        let (g, d) = goals.nearest(Array(sites[i..<i + 3]))
                        if d <= radius { covered.insert(g); s.valid += 1 }
                        s.samples += 1
                    }
                    s.goalsCovered += Double(covered.count) / Double(N)
                }
            }
            return s
        }
        let ebm = try score(futures, perContext: K)
        let ffScores = try baselineFutures.map { try score($0, perContext: 1) }

        // truth validity: how often the data's own final site lies within the radius (sanity check of the goals)
        var truthValidity: Double?
        if let goals {
            let finals = (0..<N).flatMap { states($0, length - 1..<length).prefix(goals.robot.nq) }
            let sites = try goals.robot.kinematics(qpos: Array(finals), batch: N).sites
            truthValidity = Double((0..<N).filter { e in
                let i = e * goals.robot.nsite * 3 + goals.site * 3
                return goals.nearest(Array(sites[i..<i + 3])).distance <= radius
            }.count) / Double(N)
        }

        func summary(_ s: Scores, k: Int) -> [String: Any] {
            var d: [String: Any] = ["samples_per_context": k, "ade_best_of_k": s.adeBest, "ade_mean": s.adeMean,
                                    "fde_best_of_k": s.fdeBest, "fde_mean": s.fdeMean]
            if goals != nil {
                let validity = Double(s.valid) / Double(max(s.samples, 1))
                d["goals_covered"] = s.goalsCovered
                d["validity"] = validity
                d["mean_collapse"] = 1 - validity
            }
            return d
        }
        var metrics: [String: Any] = [
            "model": model, "data": data, "split": split, "episodes": N, "samples": K, "sampler": sampler, "steps": steps,
            "seed": Int(seed), "context_states": k, "future_states": total, "sampling_seconds": result.seconds,
            "ebm": summary(ebm, k: K),
        ]
        var curves: [String: Any] = ["step": Array(1...total), "ebm_mean": ebm.perStepMean, "ebm_best_of_k": ebm.perStepBest]
        if let baseline, let f = ffScores {
            metrics["baseline_model"] = baseline
            metrics["baseline"] = summary(f, k: 1)
            curves["baseline"] = f.perStepMean
        }
        metrics["error_vs_horizon"] = curves
        if let goals {
            metrics["goals"] = ["count": goals.positions.count, "positions": goals.positions, "site": goals.siteName,
                                "radius": radius, "truth_validity": truthValidity ?? 0] as [String: Any]
        }

        let outDir = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        let json = try JSONSerialization.data(withJSONObject: metrics, options: [.prettyPrinted, .sortedKeys])
        try json.write(to: outDir.appendingPathComponent("metrics.json"))
        try svg(ebm: ebm, baseline: ffScores).write(to: outDir.appendingPathComponent("error_vs_horizon.svg"), atomically: true, encoding: .utf8)

        // table
        print("evaluate: \(N) episodes × \(K) futures of \(total) states (\(sampler), \(steps) steps per block) in "
              + String(format: "%.1f s", result.seconds))
        let header = ["", "ADE best", "ADE mean", "FDE best", "FDE mean"] + (goals != nil ? ["goals", "valid", "collapse"] : [])
        func row(_ name: String, _ s: Scores) -> [String] {
            var r = [name] + [s.adeBest, s.adeMean, s.fdeBest, s.fdeMean].map { String(format: "%.4f", $0) }
            if goals != nil {
                let v = Double(s.valid) / Double(max(s.samples, 1))
                r += [String(format: "%.2f", s.goalsCovered), String(format: "%.3f", v), String(format: "%.3f", 1 - v)]
            }
            return r
        }
        var rows = [header, row("EBM", ebm)]
        if let f = ffScores { rows.append(row("feedforward", f)) }
        for r in rows { print(r.enumerated().map { $0.offset == 0 ? $0.element.padding(toLength: 12, withPad: " ", startingAt: 0) : String(repeating: " ", count: max(0, 10 - $0.element.count)) + $0.element }.joined()) }
        if let goals, let truthValidity {
            print(String(format: "goals: %d (site %@, radius %.3g m); the data's own final states are valid in %.3f", goals.positions.count, goals.siteName, radius, truthValidity))
        }
        print("wrote \(outDir.appendingPathComponent("metrics.json").path), \(outDir.appendingPathComponent("error_vs_horizon.svg").path)")
    }

    struct Goals {
        var robot: RobotModel, site: Int, siteName: String, positions: [[Double]]
        func nearest(_ p: [Double]) -> (goal: Int, distance: Double) {
            var best = (goal: 0, distance: Double.infinity)
            for (g, q) in positions.enumerated() {
                let d = zip(p, q).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
                if d < best.distance { best = (g, d) }
            }
            return best
        }
    }

    /// Goal positions (mean final site of the episodes with each goal index, over the train split when present
    /// and the evaluated split), the robot and the goal site; nil when the dataset has no goals.
    func goalSetup(dataset: TrajectoryDataset, file: URL) throws -> Goals? {
        guard dataset.goal.contains(where: { $0 >= 0 }), dataset.siteCount > 0 else { return nil }
        guard let robotName = EpisodeFile.robotName(near: file.path) else { throw CLIError("\(data)/meta.json: no robot named; goal metrics need it") }
        let robot: RobotModel
        do { robot = try RobotModel.load(robotName) } catch { throw CLIError("robot \(robotName): \(error)") }
        // the goal site: meta.json's goals.kind "site:NAME" among site_names, else the first
        var site = 0, siteName = "0"
        if let d = FileManager.default.contents(atPath: URL(fileURLWithPath: data).appendingPathComponent("meta.json").path),
           let json = try? JSONSerialization.jsonObject(with: d) as? [String: Any] {
            let names = json["site_names"] as? [String] ?? []
            siteName = names.first ?? siteName
            if let kind = (json["goals"] as? [String: Any])?["kind"] as? String, kind.hasPrefix("site:"),
               let i = names.firstIndex(of: String(kind.dropFirst(5))) { (site, siteName) = (i, names[i]) }
        }
        guard site < dataset.siteCount, site < robot.nsite else { throw CLIError("goal site \(site): the dataset holds \(dataset.siteCount) sites, the robot \(robot.nsite)") }
        var sources = [dataset]
        let train = URL(fileURLWithPath: data).appendingPathComponent("train.npz")
        if split != "train", FileManager.default.fileExists(atPath: train.path), let t = try? TrajectoryDataset(contentsOf: train) { sources.append(t) }
        var sums: [Int: ([Double], Int)] = [:]
        for d in sources where d.siteCount == dataset.siteCount {
            for e in 0..<d.episodes where d.goal[e] >= 0 {
                let i = ((e * (d.steps + 1) + d.steps) * d.siteCount + site) * 3
                let p = Array(d.sites[i..<i + 3])
                let (s, n) = sums[Int(d.goal[e])] ?? ([0, 0, 0], 0)
                sums[Int(d.goal[e])] = (zip(s, p).map(+), n + 1)
            }
        }
        let positions = sums.keys.sorted().map { g in sums[g]!.0.map { $0 / Double(sums[g]!.1) } }
        return Goals(robot: robot, site: site, siteName: siteName, positions: positions)
    }

    /// A hand-written line plot: error vs step, EBM mean and best-of-K, feedforward.
    func svg(ebm: Scores, baseline: Scores?) -> String {
        let (w, h, left, right, top, bottom) = (640.0, 400.0, 60.0, 20.0, 30.0, 45.0)
        let n = ebm.perStepMean.count
        var series: [(String, String, [Double])] = [("EBM mean of K", "#1f77b4", ebm.perStepMean), ("EBM best of K", "#2ca02c", ebm.perStepBest)]
        if let b = baseline { series.append(("feedforward", "#d62728", b.perStepMean)) }
        let ymax = max(series.flatMap(\.2).filter(\.isFinite).max() ?? 1, 1e-12) * 1.05
        func x(_ t: Int) -> Double { left + (w - left - right) * (n > 1 ? Double(t) / Double(n - 1) : 0.5) }
        func y(_ v: Double) -> Double { h - bottom - (h - top - bottom) * min(max(v, 0), ymax) / ymax }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(w / 2)\" y=\"18\" text-anchor=\"middle\">error vs horizon (mean ‖Δstate‖)</text>\n"
        s += "<line x1=\"\(left)\" y1=\"\(h - bottom)\" x2=\"\(w - right)\" y2=\"\(h - bottom)\" stroke=\"black\"/>\n"
        s += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(h - bottom)\" stroke=\"black\"/>\n"
        for i in 0...4 {
            let v = ymax * Double(i) / 4
            s += "<text x=\"\(left - 5)\" y=\"\(y(v) + 4)\" text-anchor=\"end\">\(String(format: "%.3g", v))</text>\n"
            let t = (n - 1) * i / 4
            s += "<text x=\"\(x(t))\" y=\"\(h - bottom + 16)\" text-anchor=\"middle\">\(t + 1)</text>\n"
        }
        s += "<text x=\"\((left + w - right) / 2)\" y=\"\(h - 8)\" text-anchor=\"middle\">future step</text>\n"
        for (i, (name, color, values)) in series.enumerated() {
            let points = values.enumerated().map { String(format: "%.1f,%.1f", x($0.offset), y($0.element.isFinite ? $0.element : ymax)) }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points)\"/>\n"
            let ly = top + 10 + 16 * Double(i)
            s += "<line x1=\"\(left + 10)\" y1=\"\(ly)\" x2=\"\(left + 30)\" y2=\"\(ly)\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            s += "<text x=\"\(left + 35)\" y=\"\(ly + 4)\">\(name)</text>\n"
        }
        return s + "</svg>\n"
    }
}
