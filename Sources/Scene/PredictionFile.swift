import Foundation
import Trajectories

/// What `ebm predict` writes, read for the viewer: the context, K sampled futures, their energies,
/// the real future and the feedforward prediction, all as full states (nq + nv numbers).
///
/// Arrays (float64 or float32): `context [k, S]`; `futures [K, H, S]` (or `samples`);
/// optional `energies [K]`, `truth [H', S]` (H' ≤ H), `baseline [H, S]` (or `feedforward`),
/// `sites [K, H, nsite, 3]` (site positions of the futures; trails are computed by forward
/// kinematics when absent) and `qpos [K, 1+H, nq]` (only its nq is checked). S must be the
/// model's nq + nv.
public struct PredictionFile: Sendable {
    public let path: String
    /// Context states k, futures K, horizon H, state size S = nq + nv, positions nq.
    public let contextLength: Int, count: Int, horizon: Int, stateSize: Int, nq: Int
    /// [k, S], oldest first.
    public let context: [Double]
    /// [K, H, S].
    public var futures: [Double]
    /// [K], or nil.
    public var energies: [Double]?
    /// [H', S], or nil.
    public let truth: [Double]?
    /// [H, S], or nil.
    public let feedforward: [Double]?
    /// [K, H, nsite, 3], or nil.
    public var sites: [Double]?

    /// A prediction in memory (the live view's chains), same shapes as the file's.
    public init(context: [Double], futures: [Double], count: Int, horizon: Int, nq: Int, nv: Int,
                energies: [Double]? = nil, truth: [Double]? = nil, feedforward: [Double]? = nil,
                path: String = "<memory>") throws {
        let S = nq + nv
        if let problem = Self.shapeProblem(context: context, futures: futures, count: count, horizon: horizon, S: S,
                                           energies: energies, truth: truth, feedforward: feedforward) {
            throw SceneError.invalidArgument("\(path): \(problem)")
        }
        (self.path, contextLength, self.count, self.horizon, stateSize, self.nq) = (path, context.count / S, count, horizon, S, nq)
        (self.context, self.futures, self.energies, self.truth, self.feedforward, sites) = (context, futures, energies, truth, feedforward, nil)
    }

    /// What is wrong with these arrays' sizes for `count` futures of `horizon` states of `S` numbers, or nil.
    static func shapeProblem(context: [Double], futures: [Double], count: Int, horizon: Int, S: Int,
                             energies: [Double]?, truth: [Double]?, feedforward: [Double]?) -> String? {
        guard count > 0, horizon > 0, !context.isEmpty, context.count % S == 0, futures.count == count * horizon * S else {
            return "context has \(context.count) values and futures \(futures.count); need [k, \(S)] and [\(count), \(horizon), \(S)]"
        }
        if let t = truth, t.count % S != 0 || t.count > horizon * S { return "truth must be [H' ≤ \(horizon), \(S)]" }
        if let f = feedforward, f.count != horizon * S { return "feedforward must be [\(horizon), \(S)]" }
        if let e = energies, e.count != count { return "energies must be [\(count)]" }
        return nil
    }

    /// Reads `path` for a model with `nq` positions, `nv` velocities and `nsite` sites.
    public init(contentsOf path: String, nq: Int, nv: Int, nsite: Int, robot: String) throws {
        let archive = try openArchive(path)
        let S = nq + nv
        func values(_ name: String, _ shape: [ShapeDimension], _ dims: inout [String: Int]) throws -> [Double] {
            do {
                let a = try archive.array(named: name, shape: shape, requireFinite: true, bindings: &dims)
                return try a.dtype == .float32 ? a.floats.map(Double.init) : a.doubles
            } catch let e as NumPyError {
                throw e.fileError.map(SceneError.file) ?? SceneError.invalidArgument("\(e)")  // names the file and the array
            }
        }
        let names = Set(archive.names)
        guard let futureName = ["futures", "samples"].first(where: names.contains), names.contains("context") else {
            throw SceneError.file(FileError(.malformed, path: path, "not an `ebm predict` file: needs 'context' [k, S] and 'futures' [K, H, S] (arrays: \(archive.names.joined(separator: ", ")))"))
        }
        // the state size first, so that a file of another robot is named as such
        if let a = try? archive.array(named: "context"), let last = a.shape.last, a.shape.count == 2, last != S {
            throw SceneError.file(FileError(.mismatched, path: path, "states have \(last) numbers, but \(robot) has nq + nv = \(nq) + \(nv) = \(S): a prediction for another robot?"))
        }
        if let a = try? archive.array(named: "qpos"), let last = a.shape.last, last != nq {
            throw SceneError.file(FileError(.mismatched, path: path, "qpos has \(last) positions, but \(robot) has nq = \(nq): a prediction for another robot?"))
        }
        var dims: [String: Int] = [:]
        let context = try values("context", ["k", .exactly(S)], &dims)
        let futures = try values(futureName, ["K", "H", .exactly(S)], &dims)
        let energies = names.contains("energies") ? try values("energies", ["K"], &dims) : nil
        var truthDims: [String: Int] = [:]
        let truth = names.contains("truth") ? try values("truth", ["T", .exactly(S)], &truthDims) : nil
        let ffName = ["baseline", "feedforward"].first(where: names.contains)
        let feedforward = try ffName.map { try values($0, ["H", .exactly(S)], &dims) }
        let truthRows = truth.flatMap { $0.isEmpty ? nil : $0 }
        if let problem = Self.shapeProblem(context: context, futures: futures, count: dims["K"]!, horizon: dims["H"]!, S: S,
                                           energies: energies, truth: truthRows, feedforward: feedforward) {
            throw SceneError.file(FileError(.malformed, path: path, problem))
        }
        try self.init(context: context, futures: futures, count: dims["K"]!, horizon: dims["H"]!, nq: nq, nv: nv,
                      energies: energies, truth: truthRows, feedforward: feedforward, path: path)
        if names.contains("sites") {
            sites = try values("sites", ["K", "H", .exactly(nsite), 3], &dims)
        }
    }

    /// Positions [rows, nq] of states [rows, S].
    public func positions(_ states: ArraySlice<Double>) -> [Double] {
        let rows = states.count / stateSize
        var q = [Double](); q.reserveCapacity(rows * nq)
        for r in 0..<rows { q += states[(states.startIndex + r * stateSize)..<(states.startIndex + r * stateSize + nq)] }
        return q
    }

    /// Positions [H, nq] of future `k`.
    public func future(_ k: Int) -> [Double] { positions(futures[(k * horizon * stateSize)..<((k + 1) * horizon * stateSize)]) }
}

/// The archive at `path`, or a message naming the file and what is wrong with it.
func openArchive(_ path: String) throws -> NumPyArchive {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
        throw SceneError.file(FileError(.notFound, path: path, "no such file"))
    }
    do {
        return try NumPyArchive(contentsOf: URL(fileURLWithPath: path))
    } catch {
        throw SceneError.file(FileError(wrapping: error, path: path, "not a readable .npz archive (\(error))"))
    }
}
