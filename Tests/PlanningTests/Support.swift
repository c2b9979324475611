import EnergyModels
import Foundation
import NeuralCore
import Sampling
import Simulation
import Trajectories
@testable import Planning

/// Fixtures and the finite-difference oracle of the planning tests.
enum PlanFixtures {
    /// pointmass2d with 0.05 s steps (5 substeps), as in the pointmass2d-plan recipe.
    static func pointmass() throws -> RobotModel {
        let m = try RobotModel.builtin("pointmass2d")
        var o = m.options
        (o.timestep, o.substeps) = (0.05, 5)
        return try m.with(options: o)
    }

    /// Trains `configuration` (`kind`) on E pointmass2d episodes of a rollout (states [q, v],
    /// its controls) written to a temporary dataset folder, removed afterwards.
    static func trained(_ kind: ModelKind, _ configuration: TrainingConfiguration, on r: Rollout, episodes E: Int, steps T: Int,
                        controls: [Double]) throws -> Trainer {
        var states: [Double] = []
        for row in 0..<(E * (T + 1)) { states += r.qpos[(row * 2)..<(row * 2 + 2)]; states += r.qvel[(row * 2)..<(row * 2 + 2)] }
        let data = TrajectoryDataset(episodes: E, steps: T, stateSize: 4, controlSize: 2, siteCount: 1, states: states, controls: controls,
                                     sites: r.sites, goal: [Int64](repeating: -1, count: E), episodeSeed: (0..<E).map(Int64.init))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plan-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try data.write(to: folder.appendingPathComponent("train.npz"))
        let trainer = try Trainer(kind: kind, configuration: configuration, dataDirectory: folder, outputDirectory: folder.appendingPathComponent("run"))
        _ = try trainer.run()
        return trainer
    }

    /// A random plan batch (count, H, S) around `centre` (S) with spread `spread`.
    static func plans(count: Int, layout: PlanLayout, centre: [Double], spread: Double, seed: UInt64) -> [Double] {
        var g = SeededGenerator(seed: seed)
        return (0..<(count * layout.dimension)).map { centre[$0 % layout.stateSize] + spread * Double(g.nextGaussian()) }
    }

    /// Largest |analytic − central difference| over all coordinates, relative to max(1, |gradient|∞).
    static func gradientError(_ term: any PlanEnergy, plans: [Double], count: Int, start: PlanStart, step: Double = 1e-5) throws -> (error: Double, norm: Double) {
        let g = try term.evaluate(plans, count: count, start: start, gradient: true).gradients
        var worst = 0.0
        let norm = g.map(abs).max() ?? 0
        for i in plans.indices {
            var p = plans, m = plans
            p[i] += step; m[i] -= step
            let ep = try term.evaluate(p, count: count, start: start, gradient: false).energies
            let em = try term.evaluate(m, count: count, start: start, gradient: false).energies
            let fd = (ep[i / term.layout.dimension] - em[i / term.layout.dimension]) / (2 * step)
            worst = max(worst, abs(fd - g[i]))
        }
        return (worst / max(1, norm), norm)
    }
}
