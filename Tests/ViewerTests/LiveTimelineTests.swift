// LiveTimelineTests: the live timelines show what their background task published — the refined
// chains of a `LiveRefinement` and the newest plan of a planning worker — and rebuild their
// scenes only from a newer snapshot (no window or GL needed).

import EnergyModels
import Foundation
import Planning
import Sampling
import Scene
import Simulation
import XCTest
@testable import Viewer

final class LiveTimelineTests: XCTestCase {
    func testLivePlanningShowsTheNewestPlan() throws {
        var setup = try PlanningSetup(preset: .pointmass2d)
        (setup.chains, setup.maxSteps, setup.threads) = (8, 10, 1)
        let (m, q0, planning) = (setup.model, setup.model.joints.qpos0, setup)
        let worker = SnapshotWorker<PlanRequest, PlanPreview>(name: "test") { planning.preview($0, kind: .mppiSim, learned: nil, seed: 1, start: q0) }
        let first = PlanRequest(goal: try setup.goal(x: 0.1, y: 0.05, qpos: q0), obstacles: [.sphere(center: SIMD3(0.2, -0.2, 0), radius: 0.02)])
        let planned = worker.runSynchronously(first)
        let timeline = try Timeline.livePlanning(setup: setup, kind: .mppiSim, start: q0, request: first, worker: worker)
        XCTAssertEqual(timeline.title, "\(m.source), live planning (mppi-sim)")
        XCTAssertEqual(timeline.length, 11)
        XCTAssertEqual(timeline.status()[0], planned.summary)
        // the scene is the plan file of the published plan, with the request's goal and obstacle
        func expected(_ p: PlanPreview) throws -> Scene {
            try PlanScene(model: m, plan: PlanFile(executed: p.qpos, nq: m.nq, nv: m.nv, alternatives: p.alternatives, alternativeCount: p.alternativeCount,
                                                   horizon: setup.horizon, goals: [first.goal], obstacles: [(SIMD3(0.2, -0.2, 0), 0.02)], path: "live plan")).scene(step: 2)
        }
        XCTAssertEqual(try timeline.scene(0, 2, nil, []), try expected(planned))
        // a newer plan is shown after the next frame's check, not before
        var moved = first
        moved.goal.x = 0.12
        let next = worker.runSynchronously(moved)
        XCTAssertNotEqual(next.qpos, planned.qpos)
        XCTAssertEqual(try timeline.scene(0, 2, nil, []), try expected(planned))
        try timeline.beforeFrame()
        XCTAssertEqual(try timeline.scene(0, 2, nil, []), try expected(next))
    }

    func testLiveRefinementShowsThePublishedChains() throws {
        let robot = try RobotModel.load("pointmass2d")
        let (k, H, S) = (2, 3, robot.nq + robot.nv)
        var c = ModelConfiguration()
        (c.contextLength, c.horizon, c.hiddenWidth, c.depth) = (k, H, 8, 2)
        let width = (k + H) * S
        let model = TrajectoryEnergyModel(configuration: c, encoding: WindowEncoding(stateSize: S, contextLength: k, horizon: H, futureAsDelta: true,
                                                                                   mean: [Float](repeating: 0, count: width), standardDeviation: [Float](repeating: 1, count: width)),
                                          seed: 2)
        let context: [Double] = [0, 0, 0, 0, 0.01, 0.02, 0.1, 0.1]
        let energy = try FutureEnergy(model: model, contexts: context.map(Float.init), chains: 4)
        let live = LiveRefinement(energy: energy, sampler: try FutureSampler(kind: .langevin, steps: 2).chainSampler(langevin: LangevinConfiguration()),
                                  chains: 4, steps: 2, temperature: 1, initialScale: 1, seed: 3)
        let first = live.snapshot()
        let timeline = try Timeline.liveRefinement(live, context: context, truth: [], feedforward: nil, model: robot, title: "t", path: "p")
        XCTAssertEqual(timeline.length, H)
        XCTAssertEqual(timeline.status(), [String(format: "refinement 1: step 0/2, mean E %.4g", live.snapshot().energies.reduce(0, +) / 4)])
        let before = try timeline.scene(0, 1, nil, [])
        XCTAssertEqual(before, try PredictionScene(model: robot, prediction: PredictionFile(context: context, futures: first.futures, count: 4, horizon: H,
                                                                                          nq: robot.nq, nv: robot.nv, energies: first.energies, path: "p")).scene(step: 1))
        try live.runSynchronously()
        try timeline.beforeFrame()
        let after = live.snapshot()
        XCTAssertEqual(timeline.status(), [String(format: "refinement 1: step 2/2, mean E %.4g", after.energies.reduce(0, +) / 4)])
        // the first snapshot's scene (and framing) with the newest chains set into it
        let expected = try PredictionScene(model: robot, prediction: PredictionFile(context: context, futures: first.futures, count: 4, horizon: H,
                                                                                   nq: robot.nq, nv: robot.nv, energies: first.energies, truth: nil,
                                                                                   feedforward: nil, path: "p"))
        _ = try expected.scene(step: 1)   // the camera is framed once, on the first chains
        try expected.setFutures(after.futures, energies: after.energies)
        XCTAssertEqual(try timeline.scene(0, 1, nil, []), try expected.scene(step: 1))
        XCTAssertNotEqual(try timeline.scene(0, 1, nil, []), before)
        XCTAssertFalse(timeline.onKey(65, false), "only l re-samples")
    }
}
