import Foundation
import Simulation
import Trajectories

/// Episodes of joint positions read from a file for playback: `qpos [B, T+1, nq]` as written by
/// `ebm simulate`, or `states [E, T+1, nq+nv]` as datasets hold them (a dataset directory reads
/// its `train.npz`, else `test.npz`). Velocities (`qvel` [B, T+1, nv] or the states' last nv) and
/// controls (`ctrl` [B, T, nu] or a dataset's `controls`) are kept when the file has them: with
/// them the viewer draws contact forces.
public struct EpisodeFile: Sendable {
    /// The .npz file read.
    public let path: String
    /// Episodes E and states per episode T+1.
    public let count: Int, length: Int, nq: Int
    /// Positions [count, length, nq].
    public let qpos: [Double]
    /// Velocities [count, length, nv], when the file has them.
    public let qvel: [Double]?
    /// Controls [count, length − 1, nu] (the control applied from each state to the next), when the file has them.
    public let ctrl: [Double]?
    /// Velocities and controls per state as read (0 when the file's were not read).
    public let nv: Int, nu: Int

    /// Episodes from memory: `qpos` [count, length, nq]; `path` names them in messages.
    public init(qpos: [Double], count: Int, length: Int, nq: Int, path: String = "<memory>") throws {
        guard count > 0, length > 0, qpos.count == count * length * nq else {
            throw SceneError.invalidArgument("\(path): qpos has \(qpos.count) values, not [\(count), \(length), \(nq)]")
        }
        (self.path, self.count, self.length, self.nq, self.qpos) = (path, count, length, nq, qpos)
        (qvel, ctrl, nv, nu) = (nil, nil, 0, 0)
    }

    /// Reads `path` for a model with `nq` positions and `nv` velocities; with `dynamics`, also the
    /// file's velocities and its controls for `nu` actuators (what contact forces need), else only
    /// the positions (a file whose velocities or controls are unusable still plays).
    public init(contentsOf path: String, nq: Int, nv: Int, nu: Int = 0, dynamics: Bool = false) throws {
        let file = try Self.resolve(path)
        let archive: NumPyArchive
        do {
            archive = try NumPyArchive(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw SceneError.file(FileError(wrapping: error, path: file, "not a readable .npz archive (\(error))"))
        }
        var dims: [String: Int] = [:]
        let values: [Double]
        var velocities: [Double]?
        func doubles(_ name: String, _ shape: [ShapeDimension]) throws -> [Double] {
            try archive.array(named: name, shape: shape, requireFinite: true, bindings: &dims).asDoubles()
        }
        if archive.names.contains("qpos") {
            values = try doubles("qpos", ["E", "T", .exactly(nq)])
            if dynamics && archive.names.contains("qvel") { velocities = try doubles("qvel", ["E", "T", .exactly(nv)]) }
        } else if archive.names.contains("states") {
            let all = try doubles("states", ["E", "T", .exactly(nq + nv)])
            // split each nq+nv row into its positions and velocities
            let rows = all.count / (nq + nv)
            var q = [Double](), v = [Double]()
            q.reserveCapacity(rows * nq)
            v.reserveCapacity(rows * nv)
            for r in 0..<rows {
                q.append(contentsOf: all[r * (nq + nv)..<r * (nq + nv) + nq])
                v.append(contentsOf: all[r * (nq + nv) + nq..<(r + 1) * (nq + nv)])
            }
            values = q
            velocities = dynamics ? v : nil
        } else {
            throw SceneError.file(FileError(.malformed, path: file, "holds neither 'qpos' [B, T+1, nq] nor 'states' [E, T+1, nq+nv] (arrays: \(archive.names.joined(separator: ", ")))"))
        }
        guard let e = dims["E"], let t = dims["T"], e > 0, t > 0 else {
            throw SceneError.file(FileError(.malformed, path: file, "no episodes or no states to show"))
        }
        let controlName = dynamics && nu > 0 ? ["ctrl", "controls"].first { archive.names.contains($0) } : nil
        let controls = try controlName.map { try doubles($0, ["E", .exactly(t - 1), .exactly(nu)]) }
        self.path = file
        (count, length, self.nq, qpos) = (e, t, nq, values)
        (qvel, ctrl, self.nv, self.nu) = (velocities, controls, velocities == nil ? 0 : nv, controls == nil ? 0 : nu)
    }

    /// Positions [length, nq] of episode `i`.
    public func episode(_ i: Int) -> [Double] {
        Array(qpos[i * length * nq..<(i + 1) * length * nq])
    }

    /// Positions [nq] of episode `i` at state `t`.
    public func state(episode i: Int, step t: Int) -> [Double] {
        let o = (i * length + t) * nq
        return Array(qpos[o..<o + nq])
    }

    /// Velocities [nv] of episode `i` at state `t`, when the file has them.
    public func velocity(episode i: Int, step t: Int) -> [Double]? {
        qvel.map { v in Array(v[(i * length + t) * nv..<(i * length + t + 1) * nv]) }
    }

    /// The control [nu] applied from state `t` of episode `i` (the last one at the final state), when the file has controls.
    public func control(episode i: Int, step t: Int) -> [Double]? {
        guard let ctrl, length > 1 else { return nil }
        let o = (i * (length - 1) + min(t, length - 2)) * nu
        return Array(ctrl[o..<o + nu])
    }

    /// The .npz file a path names: itself, or a dataset directory's train.npz / test.npz.
    static func resolve(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SceneError.file(FileError(.notFound, path: path, "no such file or directory"))
        }
        guard isDirectory.boolValue else { return path }
        for name in ["train.npz", "test.npz"] where FileManager.default.fileExists(atPath: path + "/" + name) {
            return path + "/" + name
        }
        throw SceneError.file(FileError(.notFound, path: path, "a directory without train.npz or test.npz"))
    }
}
