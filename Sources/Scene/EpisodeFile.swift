import Foundation
import Simulation
import Trajectories

/// Episodes of joint positions read from a file for playback: `qpos [B, T+1, nq]` as written by
/// `ebm simulate`, or `states [E, T+1, nq+nv]` as datasets hold them (a dataset directory reads
/// its `train.npz`, else `test.npz`).
public struct EpisodeFile: Sendable {
    /// The .npz file read.
    public let path: String
    /// Episodes E and states per episode T+1.
    public let count: Int, length: Int, nq: Int
    /// Positions [count, length, nq].
    public let qpos: [Double]

    /// Episodes from memory: `qpos` [count, length, nq]; `path` names them in messages.
    public init(qpos: [Double], count: Int, length: Int, nq: Int, path: String = "<memory>") throws {
        guard count > 0, length > 0, qpos.count == count * length * nq else {
            throw SceneError("\(path): qpos has \(qpos.count) values, not [\(count), \(length), \(nq)]")
        }
        (self.path, self.count, self.length, self.nq, self.qpos) = (path, count, length, nq, qpos)
    }

    /// Reads `path` for a model with `nq` positions and `nv` velocities.
    public init(contentsOf path: String, nq: Int, nv: Int) throws {
        let file = try Self.resolve(path)
        let archive: NumPyArchive
        do {
            archive = try NumPyArchive(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw SceneError("\(file): not a readable .npz archive (\(error))")
        }
        var dims: [String: Int] = [:]
        let values: [Double]
        if archive.names.contains("qpos") {
            let a = try archive.array(named: "qpos", shape: ["E", "T", .exactly(nq)], requireFinite: true, bindings: &dims)
            values = try a.dtype == .float32 ? a.floats.map(Double.init) : a.doubles
        } else if archive.names.contains("states") {
            let a = try archive.array(named: "states", shape: ["E", "T", .exactly(nq + nv)], requireFinite: true, bindings: &dims)
            let all = try a.dtype == .float32 ? a.floats.map(Double.init) : a.doubles
            // keep the first nq of each nq+nv row
            let rows = all.count / (nq + nv)
            var q = [Double](); q.reserveCapacity(rows * nq)
            for r in 0..<rows { q.append(contentsOf: all[r * (nq + nv)..<r * (nq + nv) + nq]) }
            values = q
        } else {
            throw SceneError("\(file): holds neither 'qpos' [B, T+1, nq] nor 'states' [E, T+1, nq+nv] (arrays: \(archive.names.joined(separator: ", ")))")
        }
        guard let e = dims["E"], let t = dims["T"], e > 0, t > 0 else {
            throw SceneError("\(file): no episodes or no states to show")
        }
        self.path = file
        (count, length, self.nq, qpos) = (e, t, nq, values)
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

    /// The .npz file a path names: itself, or a dataset directory's train.npz / test.npz.
    static func resolve(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SceneError("\(path): no such file or directory")
        }
        guard isDirectory.boolValue else { return path }
        for name in ["train.npz", "test.npz"] where FileManager.default.fileExists(atPath: path + "/" + name) {
            return path + "/" + name
        }
        throw SceneError("\(path): a directory without train.npz or test.npz")
    }
}
