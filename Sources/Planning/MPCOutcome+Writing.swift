// MPCOutcome+Writing: the run folder of `ebm plan` — plan.npz in `PlanFile`'s format (its reader and
// array writer are in Scene) and summary.json — written from an outcome by any program.

import Foundation
import Scene
import Simulation
import Trajectories

extension MPCOutcome {
    /// Writes `dir` (created if missing): `plan.npz` (`PlanFile.write`: qpos, qvel, ctrl, sites,
    /// the first replan's alternatives [K, H, S] and their energies, replan_ms, goal, sphere obstacles
    /// [O, 4]) and `summary.json` (`summary`, one line). Each file is written atomically.
    /// - Parameters:
    ///   - model: The robot that executed the run (its forward kinematics gives `sites`).
    ///   - goal: The goal point (m); `obstacles`: the run's obstacles (spheres are written).
    ///   - layout: The replanner's layout (horizon H, state size S of the alternatives).
    public func write(toFolder dir: URL, model: RobotModel, goal: SIMD3<Double>, obstacles: [Obstacle], layout: PlanLayout) throws {
        try AtomicFile.createDirectory(dir)
        try PlanFile.write(model: model, qpos: qpos, qvel: qvel, ctrl: ctrl, alternatives: alternatives, alternativeEnergies: alternativeEnergies,
                           horizon: layout.horizon, stateSize: layout.stateSize, replanMilliseconds: replanSeconds.map { $0 * 1000 },
                           goal: goal, obstacles: obstacles.compactMap(\.sphere), to: dir.appendingPathComponent("plan.npz"))
        try AtomicFile.write(Array((summary.serialized() + "\n").utf8), to: dir.appendingPathComponent("summary.json"))
    }
}
