import Foundation
import Planning
import Viewer

extension View {
    /// `--plan-live`: plans from the robot's reference pose toward --goal among --obstacle spheres;
    /// in the window, dragging the goal or an obstacle replans in the background.
    func livePlanTimeline() throws -> Timeline {
        let name = robot!
        let setup: PlanningSetup
        do { setup = try PlanningSetup.defaults(robot: name) } catch { throw CLIError.failed("--robot \(name): \(error)") }
        let kind = planner ?? (model != nil ? .langevin : .mppiSim)
        let learned = try setup.learnedModel(model)
        if learned != nil && kind.plansControls { print("note: --model is not used by \(kind.rawValue) (it plans controls)") }
        guard !kind.needsDynamics else { throw CLIError.failed("--planner \(kind.rawValue): live planning uses the state planners or mppi-sim / cem-sim") }
        let q0 = setup.model.joints.qpos0
        let goalPoint = try goal.map { try setup.goal($0, qpos: q0) }
            ?? setup.sitePosition(qpos: PlanningSetup.exampleGoalPose(robot: name) ?? q0)
        let request = PlanRequest(goal: goalPoint, obstacles: try obstacle.map { try $0.sphere() })
        let worker = SnapshotWorker<PlanRequest, PlanPreview>(name: "ebm view: live planning") { [seed] in
            setup.preview($0, kind: kind, learned: learned, seed: seed, start: q0)
        }
        if self.request.headless {
            let s = worker.runSynchronously(request)
            if let error = s.error { throw CLIError.failed("planning failed: \(error)") }
            print("planned with " + s.summary)
        } else {
            worker.start(first: request)
        }
        return try .livePlanning(setup: setup, kind: kind, start: q0, request: request, worker: worker)
    }
}
