// PlanFile+Writing: the plan.npz that `ebm plan` writes and `PlanFile` reads, written beside its reader.

import Foundation
import Simulation
import Trajectories

extension PlanFile {
    /// Writes an executed plan as a float64 .npz (atomically): `qpos [T+1, nq]`, `qvel [T+1, nv]`,
    /// `ctrl [T, nu]`, `sites [T+1, nsite, 3]` (forward kinematics of qpos), `alternatives [K, H, S]`
    /// and `alternative_energies [K]` of the first replan, `replan_ms [R]`, `goal [3]` and
    /// `obstacles [O, 4]` (centre and radius of spheres, in m).
    /// - Parameters:
    ///   - qpos: Executed positions (T + 1, nq); `qvel` (T + 1, nv); `ctrl` (T, nu).
    ///   - alternatives: (K, horizon, stateSize), best first, with `alternativeEnergies` (K).
    ///   - replanMilliseconds: Milliseconds of each replan (R).
    public static func write(model m: RobotModel, qpos: [Double], qvel: [Double], ctrl: [Double], alternatives: [Double],
                             alternativeEnergies: [Double], horizon: Int, stateSize: Int, replanMilliseconds: [Double],
                             goal: SIMD3<Double>, obstacles: [(centre: SIMD3<Double>, radius: Double)], to url: URL) throws {
        let T = qpos.count / m.nq - 1
        let sites = try m.kinematics(qpos: qpos, batch: T + 1).sites
        let K = alternativeEnergies.count
        var archive = NumPyArchive()
        try archive.append(NumPyArray(doubles: qpos, shape: [T + 1, m.nq]), named: "qpos")
        try archive.append(NumPyArray(doubles: qvel, shape: [T + 1, m.nv]), named: "qvel")
        try archive.append(NumPyArray(doubles: ctrl, shape: [T, m.nu]), named: "ctrl")
        try archive.append(NumPyArray(doubles: sites, shape: [T + 1, m.nsite, 3]), named: "sites")
        try archive.append(NumPyArray(doubles: alternatives, shape: [K, K == 0 ? 0 : horizon, stateSize]), named: "alternatives")
        try archive.append(NumPyArray(doubles: alternativeEnergies, shape: [K]), named: "alternative_energies")
        try archive.append(NumPyArray(doubles: replanMilliseconds, shape: [replanMilliseconds.count]), named: "replan_ms")
        try archive.append(NumPyArray(doubles: [goal.x, goal.y, goal.z], shape: [3]), named: "goal")
        try archive.append(NumPyArray(doubles: obstacles.flatMap { [$0.centre.x, $0.centre.y, $0.centre.z, $0.radius] }, shape: [obstacles.count, 4]),
                           named: "obstacles")
        try archive.write(to: url)
    }
}
