// RolloutFile: the .npz files of `ebm simulate` — initial states and controls read with their
// shapes checked, and a batched rollout written as qpos, qvel, sites, ctrl and time.

import Foundation
import Simulation

/// Reading the inputs and writing the output of a batched rollout (`ebm simulate`).
public enum RolloutFile {
    /// Initial states of a batch: qpos [B, nq] and optional qvel [B, nv] (zeros when absent), finite.
    public static func initialStates(contentsOf path: String, nq: Int, nv: Int) throws -> (qpos: [Double], qvel: [Double], batch: Int) {
        let archive = try NumPyArchive(contentsOf: URL(fileURLWithPath: path))
        var dims: [String: Int] = [:]
        let qpos = try archive.array(named: "qpos", shape: ["B", .exactly(nq)], requireFinite: true, bindings: &dims).asDoubles()
        let batch = dims["B"]!
        let qvel = archive.names.contains("qvel")
            ? try archive.array(named: "qvel", shape: ["B", .exactly(nv)], requireFinite: true, bindings: &dims).asDoubles()
            : [Double](repeating: 0, count: batch * nv)
        return (qpos, qvel, batch)
    }

    /// The initial states of `ebm simulate`: those of `file` (`initialStates(contentsOf:nq:nv:)`),
    /// else `model`'s keyframe named `keyframe`, else its reference pose at rest (batch 1).
    public static func initialStates(model: RobotModel, keyframe: String?, file: String?) throws -> (qpos: [Double], qvel: [Double], batch: Int) {
        if let file { return try initialStates(contentsOf: file, nq: model.nq, nv: model.nv) }
        if let keyframe {
            let key = try model.keyframe(named: keyframe)
            return (key.qpos, key.qvel, 1)
        }
        return (model.joints.qpos0, [Double](repeating: 0, count: model.nv), 1)
    }

    /// Controls ctrl [B, N, nu] of a .npy file, finite.
    public static func controls(contentsOf path: String, batch: Int, steps: Int, nu: Int) throws -> [Double] {
        let array = try NumPyArray(contentsOf: URL(fileURLWithPath: path))
        do {
            _ = try array.requireShape([.exactly(batch), .exactly(steps), .exactly(nu)])
            try array.requireFinite()
        } catch {
            throw DatasetError.file(FileError(.malformed, path: path, "controls must be [B, N, nu] = [\(batch), \(steps), \(nu)] and finite: \(error)"))
        }
        return try array.asDoubles()
    }

    /// Writes qpos [B, N+1, nq], qvel [B, N+1, nv], sites [B, N+1, nsite, 3], ctrl [B, N, nu] (as
    /// applied) and time [N+1] (s) of `rollout`, and failed [B] (1 for a trajectory that went
    /// non-finite) when `failed` lists any.
    public static func write(_ rollout: Rollout, model: RobotModel, batch: Int, steps: Int, failed: [Int], to url: URL) throws {
        let time = (0...steps).map { Double($0) * model.options.timestep }
        var arrays = [
            ("qpos", try NumPyArray(doubles: rollout.qpos, shape: [batch, steps + 1, model.nq])),
            ("qvel", try NumPyArray(doubles: rollout.qvel, shape: [batch, steps + 1, model.nv])),
            ("sites", try NumPyArray(doubles: rollout.sites, shape: [batch, steps + 1, model.nsite, 3])),
            ("ctrl", try NumPyArray(doubles: rollout.ctrl, shape: [batch, steps, model.nu])),
            ("time", try NumPyArray(doubles: time, shape: [steps + 1])),
        ]
        if !failed.isEmpty { arrays.append(("failed", try NumPyArray(int64s: (0..<batch).map { failed.contains($0) ? 1 : 0 }, shape: [batch]))) }
        try NumPyArchive(arrays).write(to: url)
    }
}
