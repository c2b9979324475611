// ReferenceSimulator: a dataset's recipe as a simulator of fresh episodes from given start states —
// the ground truth that sampled futures are scored against.

import Foundation
import Simulation

/// The dataset's recipe and policy, replayed from chosen start states with fresh random draws.
public struct ReferenceSimulator {
    public let generator: DatasetGenerator
    /// The recipe's robot.
    public var model: RobotModel { generator.model }
    /// Steps per episode T (states T + 1).
    public var steps: Int { generator.recipe.steps }

    /// The simulator of a recipe.
    public init(recipe: Recipe) throws {
        generator = try DatasetGenerator(recipe: recipe)
    }

    /// Reads `folder/meta.json`'s copy of the recipe and builds its robot and policy.
    public init(dataFolder folder: String) throws {
        let metaURL = URL(fileURLWithPath: folder).appendingPathComponent("meta.json")
        let meta: JSONValue
        do { meta = try DatasetFolder.meta(of: URL(fileURLWithPath: folder)) } catch {
            throw DatasetError.file(FileError(.malformed, path: metaURL.path, "missing or not JSON (re-simulation needs the dataset's recipe)"))
        }
        guard let recipe = meta["recipe"], case .object = recipe else { throw DatasetError.file(FileError(.malformed, path: metaURL.path, "no \"recipe\" object")) }
        try self.init(recipe: try Recipe(json: Array(recipe.serialized().utf8), file: metaURL.path))
    }

    /// `count` episodes of the recipe's policy from one start state (qpos [nq], qvel [nv]), each with
    /// its own generator seeded from (`seed`, episode index): fresh goal draws and fresh noise, the
    /// same draw order as generation after the initial-state draws.
    /// Returns states [count, T + 1, nq + nv] (row 0 is the start state) and goal indices [count].
    public func simulate(qpos: [Double], qvel: [Double], count: Int, seed: UInt64) throws -> (states: [Double], goal: [Int]) {
        let (nq, nv, T) = (model.nq, model.nv, steps)
        let generators = (0..<count).map { EpisodeGenerator(seed: EpisodeGenerator.episodeSeed(master: seed, index: $0)) }
        var batch = EpisodeBatch(model: model, count: count, steps: T,
                                 qpos0: Array((0..<count).map { _ in qpos }.joined()), qvel0: Array((0..<count).map { _ in qvel }.joined()),
                                 generators: generators, processNoise: generator.recipe.processNoise, threads: 0)
        let collected: CollectedEpisodes
        do { collected = try generator.policy.collect(&batch) } catch { throw DatasetError.invalidRequest("re-simulating \(count) episodes: \(error)") }
        var states = [Double](repeating: 0, count: count * (T + 1) * (nq + nv))
        for row in 0..<(count * (T + 1)) {
            for i in 0..<nq { states[row * (nq + nv) + i] = collected.qpos[row * nq + i] }
            for i in 0..<nv { states[row * (nq + nv) + nq + i] = collected.qvel[row * nv + i] }
        }
        return (states, collected.goal)
    }
}
