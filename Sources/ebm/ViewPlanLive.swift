import EnergyModels
import Foundation
import Planning
import Scene
import Simulation
import Viewer

/// Plans of `ebm plan`'s MPC loop for the newest goal and obstacles the user dragged, made by a
/// `SnapshotWorker` on a background thread.
final class LivePlanner: @unchecked Sendable {
    /// What to plan for: the site's goal and spherical obstacles (m).
    struct Request: Equatable {
        var goal: SIMD3<Double>
        var obstacles: [Obstacle]
    }

    /// A finished plan, or why there is none.
    struct Snapshot {
        var request: Request
        /// Executed positions [steps + 1, nq] from the start.
        var qpos: [Double]
        /// The first replan's alternatives [count, H, nq + nv], best first.
        var alternatives: [Double]
        var alternativeCount: Int
        /// One line: reached or why not, steps, final distance, time.
        var summary: String
        /// The planning error, when planning failed.
        var error: Error?
    }

    let setup: PlanningSetup, kind: PlannerKind, learned: TrajectoryEnergyModel?, seed: UInt64
    /// Start positions [nq] (at rest).
    let start: [Double]
    private(set) var worker: SnapshotWorker<Request, Snapshot>!

    init(setup: PlanningSetup, kind: PlannerKind, learned: TrajectoryEnergyModel?, seed: UInt64, start: [Double]) {
        (self.setup, self.kind, self.learned, self.seed, self.start) = (setup, kind, learned, seed, start)
        worker = SnapshotWorker(name: "ebm view: live planning") { [unowned self] request in
            do { return try plan(request) } catch {
                return Snapshot(request: request, qpos: start, alternatives: [], alternativeCount: 0, summary: "planning failed: \(error)", error: error)
            }
        }
    }

    /// Plans `request` on the calling thread (headless) and publishes it.
    @discardableResult
    func planSynchronously(_ request: Request) throws -> Snapshot {
        let s = worker.runSynchronously(request)
        if let error = s.error { throw error }
        return s
    }

    /// One MPC run from the start at rest, as `ebm plan` makes it.
    private func plan(_ request: Request) throws -> Snapshot {
        let clock = Date()
        var mpc = try setup.controller(kind: kind, goal: request.goal, obstacles: request.obstacles, learned: learned, seed: seed)
        let o = try mpc.run(qpos: start, qvel: [Double](repeating: 0, count: setup.model.nv))
        let status = o.success || o.failure == nil
            ? String(format: "%@ in %d steps, final distance %.4f m", o.success ? "reached the goal" : "failed", o.steps, o.finalDistance)
            : o.failure!.description
        return Snapshot(request: request, qpos: o.qpos, alternatives: o.alternatives, alternativeCount: o.alternativeEnergies.count,
                        summary: String(format: "%@: %@ (%.2f s)", o.planner, status, Date().timeIntervalSince(clock)), error: nil)
    }
}

extension View {
    /// Poses whose site position is the goal of `--plan-live` without `--goal`: reachable by
    /// construction, a few tenths of a metre from the reference pose.
    static let defaultGoalPoses: [String: [Double]] = ["pointmass2d": [0.3, 0.1], "reacher2": [0.6, 0.9],
                                                       "arm7": [0.5, 0.6, 0, 0.6, 0, 0.4, 0]]

    /// `--plan-live`: plans from the robot's reference pose toward --goal among --obstacle spheres;
    /// in the window, dragging the goal or an obstacle replans in the background.
    func livePlanTimeline() throws -> Timeline {
        let name = robot!
        let setup: PlanningSetup
        do { setup = try PlanningSetup.defaults(robot: name) } catch { throw CLIError("--robot \(name): \(error)") }
        let kind = PlannerKind(rawValue: planner ?? (model != nil ? "langevin" : "mppi-sim"))!
        let learned = try Plan.learnedModel(model, setup: setup)
        if learned != nil && kind.plansControls { print("note: --model is not used by \(kind.rawValue) (it plans controls)") }
        guard !kind.needsDynamics else { throw CLIError("--planner \(kind.rawValue): live planning uses the state planners or mppi-sim / cem-sim") }
        let m = setup.model
        let q0 = m.joints.qpos0
        let goalPoint: SIMD3<Double>
        if let goal {
            goalPoint = try Plan.goalPoint(goal, setup: setup, qpos: q0)
        } else {
            goalPoint = try setup.sitePosition(qpos: Self.defaultGoalPoses[name] ?? q0)
        }
        var request = LivePlanner.Request(goal: goalPoint, obstacles: try Plan.obstacles(obstacle))
        let live = LivePlanner(setup: setup, kind: kind, learned: learned, seed: seed, start: q0)
        let headless = screenshot != nil || svg != nil || video != nil || benchFrames != nil
        if headless {
            let s: LivePlanner.Snapshot
            do { s = try live.planSynchronously(request) } catch { throw CLIError("planning failed: \(error)") }
            print("planned with " + s.summary)
        } else {
            live.worker.start(first: request)
        }

        /// The scene's plan: the latest executed path and alternatives with the goal and obstacles
        /// where the user has them now (they move at once while the replan runs).
        func planFile(_ s: LivePlanner.Snapshot?) throws -> PlanFile {
            let obstacles = request.obstacles.compactMap { o -> (centre: SIMD3<Double>, radius: Double)? in
                guard case .sphere(let c, let r) = o else { return nil }
                return (c, r)
            }
            return try PlanFile(executed: s?.qpos ?? q0, nq: m.nq, nv: m.nv, alternatives: s?.alternatives ?? [],
                                alternativeCount: s?.alternativeCount ?? 0, horizon: setup.horizon, goals: [request.goal],
                                obstacles: obstacles, path: "live plan")
        }
        var shown = live.worker.snapshot()
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
                let now = live.worker.snapshot()
                let changed = now.version != shown.version
                shown = now
                guard changed || moved else { return }
                scenes = try PlanScene(model: m, plan: planFile(now.latest))
                moved = false
            },
            onPress: { cursor, size, camera in
                var centres = [request.goal], radii = [goalRadius]
                for case .sphere(let c, let r) in request.obstacles { centres.append(c); radii.append(r) }
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
                live.worker.request(request)
            },
            onRelease: { grabbed = nil },
            rate: 1 / m.options.timestep)
    }
}

private extension Obstacle {
    var centre: SIMD3<Double> {
        switch self {
        case .sphere(let c, _): return c
        case .capsule(let a, let b, _): return (a + b) / 2
        }
    }
}
