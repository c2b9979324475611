// Timeline+Files: timelines of what the package writes — episodes (with ghost futures), sampled
// futures (predict.npz) and executed plans (plan.npz) — as `ebm view` shows them.

import Foundation
import Scene
import Simulation

extension Timeline {
    /// Help line of the prediction layers' keys.
    public static let predictionHelp = ["2 context  3 real future (green)  4 ghosts  5 feedforward (orange)  6 trails"]

    /// The episodes of `file` on `model`, with the episodes of `futures` as ghosts; the title names
    /// episode `shown` (0-based).
    public static func episodes(_ file: EpisodeFile, futures: EpisodeFile? = nil, model: RobotModel, shown: Int = 0) throws -> Timeline {
        let scenes = try EpisodeScene(model: model, episodes: file)
        if let f = futures { try scenes.setFutures(qpos: f.qpos, count: f.count, steps: f.length) }
        var title = "\(model.source), episode \(shown + 1)/\(file.count)"
        if scenes.futureCount > 0 { title += ", \(scenes.futureCount) ghost futures" }
        return Timeline(title: title, episodes: file.count, length: file.length,
                        scene: { try scenes.scene(episode: $0, step: $1, camera: $2, hidden: $3) }, rate: 1 / model.options.timestep)
    }

    /// The sampled futures of `file` (read from `path`) on `model`: context, real future, ghosts, feedforward.
    public static func prediction(_ file: PredictionFile, path: String, model: RobotModel) throws -> Timeline {
        let scenes = try PredictionScene(model: model, prediction: file)
        var parts = ["\(file.count) futures x \(file.horizon) states"]
        if let e = file.energies { parts.append(String(format: "E %.3g..%.3g", e.min()!, e.max()!)) }
        if file.truth != nil { parts.append("real future") }
        if file.feedforward != nil { parts.append("feedforward") }
        return Timeline(title: "\(model.source), \((path as NSString).lastPathComponent): " + parts.joined(separator: ", "),
                        episodes: 1, length: file.horizon, scene: { try scenes.scene(step: $1, camera: $2, hidden: $3) },
                        extraHelp: predictionHelp, rate: 1 / model.options.timestep)
    }

    /// `prediction(_:path:model:)` of the .npz at `path` (`ebm predict`'s output), read for `model`.
    public static func prediction(contentsOf path: String, model: RobotModel) throws -> Timeline {
        try prediction(PredictionFile(contentsOf: path, nq: model.nq, nv: model.nv, nsite: model.nsite, robot: model.source), path: path, model: model)
    }

    /// `plan(_:path:model:)` of the .npz (or `ebm plan`'s folder) at `path`, read for `model`.
    public static func plan(contentsOf path: String, model: RobotModel) throws -> Timeline {
        try plan(PlanFile(contentsOf: path, nq: model.nq, nv: model.nv, robot: model.source), path: path, model: model)
    }

    /// The executed plan of `file` (read from `path`) on `model`, with its alternatives, goals and obstacles.
    public static func plan(_ file: PlanFile, path: String, model: RobotModel) throws -> Timeline {
        let scenes = try PlanScene(model: model, plan: file)
        let title = "\(model.source), plan \((path as NSString).lastPathComponent): \(file.steps) states, "
            + "\(file.alternativeCount) alternatives, \(file.goals.count) goals, \(file.obstacles.count) obstacles"
        return Timeline(title: title, episodes: 1, length: file.steps, scene: { try scenes.scene(step: $1, camera: $2, hidden: $3) },
                        extraHelp: ["4 alternatives  6 executed path  7 goals and obstacles"], rate: 1 / model.options.timestep)
    }
}
