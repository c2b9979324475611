import Foundation
import Trajectories

/// A planner's output read for the viewer: the executed trajectory, the alternatives it weighed,
/// goals and obstacles.
///
/// Arrays (float64 or float32; rows may hold nq positions or full nq + nv states), as `ebm plan`
/// writes them: `qpos [T+1, nq]` (or `executed [T, nq|nq+nv]`, or `states [T, nq+nv]`); optional
/// `alternatives [K, H, nq|nq+nv]`, `goal [3]` or `goals [G, 3]` (world points, metres) and
/// `obstacles [M, 4]` (centre x, y, z and radius of spheres, metres).
public struct PlanFile: Sendable {
    public let path: String
    public let nq: Int
    /// Executed positions [steps, nq].
    public let executed: [Double]
    public let steps: Int
    /// Alternative plans' positions [alternativeCount, horizon, nq] (empty when absent).
    public let alternatives: [Double]
    public let alternativeCount: Int, horizon: Int
    public let goals: [SIMD3<Double>]
    public let obstacles: [(centre: SIMD3<Double>, radius: Double)]

    /// Reads `path` (a .npz, or the folder `ebm plan --out` wrote, holding plan.npz) for a model
    /// with `nq` positions and `nv` velocities.
    public init(contentsOf given: String, nq: Int, nv: Int, robot: String) throws {
        var isDirectory: ObjCBool = false
        let path = FileManager.default.fileExists(atPath: given, isDirectory: &isDirectory) && isDirectory.boolValue
            ? (given as NSString).appendingPathComponent("plan.npz") : given
        let archive = try openArchive(path)
        let names = Set(archive.names)
        func read(_ name: String) throws -> (values: [Double], shape: [Int]) {
            do {
                let a = try archive.array(named: name)
                try a.requireFinite()
                return (try a.dtype == .float32 ? a.floats.map(Double.init) : a.doubles, a.shape)
            } catch let e as NumPyError {
                throw SceneError.file(FileError(e.fileError?.kind ?? .malformed, path: path, "array '\(name)': \(e)"))
            }
        }
        /// Positions of rows of nq or nq + nv numbers, or an error naming the robot's sizes.
        func positions(_ name: String, _ v: [Double], _ shape: [Int], rank: Int) throws -> [Double] {
            guard shape.count == rank, let last = shape.last else {
                throw SceneError.file(FileError(.malformed, path: path, "'\(name)' has shape \(shape); expected \(rank) dimensions ending in nq = \(nq) or nq + nv = \(nq + nv)"))
            }
            if last == nq { return v }
            guard last == nq + nv else {
                throw SceneError.file(FileError(.mismatched, path: path, "'\(name)' rows have \(last) numbers, but \(robot) has nq = \(nq) and nq + nv = \(nq + nv): a plan for another robot?"))
            }
            let rows = v.count / last
            return (0..<rows).flatMap { v[($0 * last)..<($0 * last + nq)] }
        }
        guard let executedName = ["executed", "qpos", "states"].first(where: names.contains) else {
            throw SceneError.file(FileError(.malformed, path: path, "not a plan file: needs 'executed' [T, nq or nq+nv] (arrays: \(archive.names.joined(separator: ", ")))"))
        }
        let e = try read(executedName)
        executed = try positions(executedName, e.values, e.shape, rank: 2)
        steps = e.shape[0]
        guard steps > 0 else { throw SceneError.file(FileError(.malformed, path: path, "'\(executedName)' holds no states")) }
        if names.contains("alternatives") {
            let a = try read("alternatives")
            alternatives = try positions("alternatives", a.values, a.shape, rank: 3)
            (alternativeCount, horizon) = (a.shape[0], a.shape[1])
        } else {
            (alternatives, alternativeCount, horizon) = ([], 0, 0)
        }
        var goals: [SIMD3<Double>] = []
        for name in ["goal", "goals"] where names.contains(name) {
            let g = try read(name)
            guard g.shape.last == 3, g.shape.count <= 2 else { throw SceneError.file(FileError(.malformed, path: path, "'\(name)' has shape \(g.shape); expected [3] or [G, 3]")) }
            goals += stride(from: 0, to: g.values.count, by: 3).map { SIMD3(g.values[$0], g.values[$0 + 1], g.values[$0 + 2]) }
        }
        self.goals = goals
        if names.contains("obstacles") {
            let o = try read("obstacles")
            guard o.shape.count == 2, o.shape[1] == 4 else { throw SceneError.file(FileError(.malformed, path: path, "'obstacles' has shape \(o.shape); expected [M, 4] (x, y, z, radius)")) }
            obstacles = stride(from: 0, to: o.values.count, by: 4).map { (SIMD3(o.values[$0], o.values[$0 + 1], o.values[$0 + 2]), o.values[$0 + 3]) }
        } else {
            obstacles = []
        }
        (self.path, self.nq) = (path, nq)
    }

    /// A plan made in memory (live planning): `executed` [steps, nq], `alternatives`
    /// [alternativeCount, horizon, nq or nq + nv] (empty for none), goals and obstacles in metres.
    public init(executed: [Double], nq: Int, nv: Int, alternatives: [Double] = [], alternativeCount: Int = 0, horizon: Int = 0,
                goals: [SIMD3<Double>] = [], obstacles: [(centre: SIMD3<Double>, radius: Double)] = [], path: String) throws {
        guard nq > 0, !executed.isEmpty, executed.count % nq == 0 else {
            throw SceneError.invalidArgument("\(path): executed states hold \(executed.count) numbers, not a positive multiple of nq = \(nq)")
        }
        let rows = alternativeCount * horizon
        let width = rows > 0 ? alternatives.count / rows : nq
        guard alternatives.count == rows * width, width == nq || width == nq + nv else {
            throw SceneError.invalidArgument("\(path): alternatives hold \(alternatives.count) numbers, not [\(alternativeCount), \(horizon), nq = \(nq) or nq + nv = \(nq + nv)]")
        }
        self.alternatives = width == nq ? alternatives : (0..<rows).flatMap { alternatives[($0 * width)..<($0 * width + nq)] }
        (self.executed, steps, self.alternativeCount, self.horizon) = (executed, executed.count / nq, alternativeCount, horizon)
        (self.goals, self.obstacles, self.path, self.nq) = (goals, obstacles, path, nq)
    }

    /// Positions [nq] of the executed trajectory at state `t`.
    public func state(_ t: Int) -> [Double] { Array(executed[(t * nq)..<((t + 1) * nq)]) }

    /// Positions [horizon, nq] of alternative `k`.
    public func alternative(_ k: Int) -> [Double] { Array(alternatives[(k * horizon * nq)..<((k + 1) * horizon * nq)]) }
}
