// Timeline+Live: timelines fed by a background task — Langevin refinement of sampled futures
// (Sampling's `LiveRefinement`) and live planning toward a goal the user drags (Planning's
// `PlanningSetup.preview` on a `SnapshotWorker`). The frame loop only reads their newest snapshot.

import EnergyModels
import Foundation
import Planning
import Sampling
import Scene
import Simulation

extension Timeline {
    /// The chains of `live` for one context on `model`, redrawn whenever it publishes a step; `l`
    /// re-samples from fresh noise. `context` [k, S], `truth` [H', S] (empty: none) and
    /// `feedforward` [H, S] are raw states; `path` names the prediction in its scene.
    public static func liveRefinement(_ live: LiveRefinement, context: [Double], truth: [Double], feedforward: [Double]?,
                                      model: RobotModel, title: String, path: String) throws -> Timeline {
        let H = live.energy.model.encoding.horizon
        let first = live.snapshot()
        let prediction = try PredictionFile(context: context, futures: first.futures, count: live.chains, horizon: H, nq: model.nq, nv: model.nv,
                                            energies: first.energies, truth: truth.isEmpty ? nil : truth, feedforward: feedforward, path: path)
        let scenes = try PredictionScene(model: model, prediction: prediction)
        var shown = first
        return Timeline(
            title: title, episodes: 1, length: H,
            scene: { try scenes.scene(step: $1, camera: $2, hidden: $3) },
            status: {
                let mean = shown.energies.reduce(0, +) / Double(max(shown.energies.count, 1))
                return [String(format: "refinement %d: step %d/%d, mean E %.4g", shown.generation + 1, shown.step, live.steps, mean)]
            },
            extraHelp: predictionHelp + ["l  re-sample: fresh noise, refined live step by step"],
            onKey: { key, _ in
                guard key == 76 /* GLFW_KEY_L */ else { return false }
                live.restart()
                return true
            },
            beforeFrame: {
                // the latest published chains; rebuilding trails only when they changed
                let now = live.snapshot()
                guard now.version != shown.version else { return }
                try scenes.setFutures(now.futures, energies: now.energies)
                shown = now
            },
            rate: 1 / model.options.timestep)
    }

    /// Live planning of `kind` on `setup`'s robot from `start` (nq, at rest) toward `request`: the
    /// newest plan of `worker` (which runs `setup.preview`), with the goal and the obstacles where
    /// the user has dragged them (they move at once; the replan follows in the background).
    public static func livePlanning(setup: PlanningSetup, kind: PlannerKind, start q0: [Double], request first: PlanRequest,
                                    worker: SnapshotWorker<PlanRequest, PlanPreview>) throws -> Timeline {
        let m = setup.model
        var request = first
        func planFile(_ s: PlanPreview?) throws -> PlanFile {
            try PlanFile(executed: s?.qpos ?? q0, nq: m.nq, nv: m.nv, alternatives: s?.alternatives ?? [],
                         alternativeCount: s?.alternativeCount ?? 0, horizon: setup.horizon, goals: [request.goal],
                         obstacles: request.obstacles.compactMap(\.sphere), path: "live plan")
        }
        var shown = worker.snapshot()
        var scenes = try PlanScene(model: m, plan: planFile(shown.latest))
        var moved = false
        // what a press grabbed: 0 the goal, i > 0 obstacle i − 1
        var grabbed: Int?
        let goalRadius = 0.02

        return Timeline(
            title: "\(m.source), live planning (\(kind.rawValue))", episodes: 1, length: setup.maxSteps + 1,
            scene: { _, step, camera, hidden in try scenes.scene(step: step, camera: camera, hidden: hidden) },
            status: {
                var line = shown.latest?.summary ?? "planning…"
                if shown.working && shown.latest != nil { line += "  (replanning…)" }
                return [line, String(format: "goal %.3f, %.3f, %.3f m", request.goal.x, request.goal.y, request.goal.z)]
            },
            extraHelp: ["drag the red goal or a grey obstacle: it moves in its horizontal plane and the robot replans",
                        "4 alternatives  6 executed path  7 goal and obstacles"],
            beforeFrame: {
                let now = worker.snapshot()
                let changed = now.version != shown.version
                shown = now
                guard changed || moved else { return }
                scenes = try PlanScene(model: m, plan: planFile(now.latest))
                moved = false
            },
            onPress: { cursor, size, camera in
                var centres = [request.goal], radii = [goalRadius]
                for (c, r) in request.obstacles.compactMap(\.sphere) { centres.append(c); radii.append(r) }
                grabbed = camera.nearest(toPixel: cursor.x, cursor.y, centres: centres, radii: radii, width: size.x, height: size.y)
                return grabbed != nil
            },
            onDrag: { cursor, size, camera in
                guard let g = grabbed else { return }
                let z = g == 0 ? request.goal.z : request.obstacles[g - 1].centre.z
                guard let p = camera.pick(pixel: cursor.x, cursor.y, width: size.x, height: size.y, planeZ: z) else { return }
                if g == 0 {
                    request.goal = p
                } else if case .sphere(_, let r) = request.obstacles[g - 1] {
                    request.obstacles[g - 1] = .sphere(center: p, radius: r)
                }
                moved = true
                worker.request(request)
            },
            onRelease: { grabbed = nil },
            rate: 1 / m.options.timestep)
    }
}
