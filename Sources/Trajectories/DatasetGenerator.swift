import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Simulation

/// Which split of a dataset.
public enum Split: String, CaseIterable, Sendable {
    case train, test
}

/// One of n equal parts of a dataset, for cluster array jobs (Slurm, Kubernetes indexed Jobs).
/// Shard i holds episodes [i·E/n, (i+1)·E/n) of each split; indices count from 0.
public struct Shard: Equatable, Sendable, CustomStringConvertible {
    public let index: Int, count: Int

    /// - Throws: `DatasetError` unless 0 <= index < count.
    public init(index: Int, count: Int) throws {
        guard count >= 1 else { throw DatasetError.invalidRequest("shard count \(count) must be at least 1") }
        guard (0..<count).contains(index) else {
            throw DatasetError.invalidRequest("shard index \(index) is out of range 0..<\(count) (shards count from 0)")
        }
        (self.index, self.count) = (index, count)
    }

    /// Parses `i/n`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw DatasetError.invalidRequest("shard '\(text)' is not of the form i/n (e.g. 0/8)")
        }
        try self.init(index: i, count: n)
    }

    /// The episodes of a split of `episodes` episodes in this shard.
    public func range(of episodes: Int) -> Range<Int> {
        (index * episodes / count)..<((index + 1) * episodes / count)
    }

    public var description: String { "\(index)/\(count)" }
}

/// Generates a recipe's dataset: loads the robot with the recipe's options, builds the policy,
/// draws initial states and rolls out episodes in batches through the simulator.
public struct DatasetGenerator {
    public let recipe: Recipe
    public let model: RobotModel
    public let policy: DataCollectionPolicy
    /// SHA-256 of the model's MJCF text (the built-in text, or the file's bytes).
    public let modelHash: String
    /// Initial qpos mean [nq] and noise standard deviations [nq], [nv].
    let qposMean: [Double], qposStd: [Double], qvelStd: [Double]
    /// The robot as the policy's controller models it (`physics.controller_model: nominal`), and its
    /// gravity relative to the simulated robot's; nil: the simulated model.
    let controllerModel: RobotModel?
    let controllerGravityRatio: Double

    /// - Parameter policies: The policy types a recipe may name (`BuiltinPolicies.all` plus yours).
    /// - Throws: `DatasetError` naming the recipe file: unknown robot or policy, bad parameters.
    public init(recipe: Recipe, policies: [DataCollectionPolicy.Type] = BuiltinPolicies.all) throws {
        self.recipe = recipe
        let file = recipe.file
        // the robot: built-in name, or an MJCF path relative to the recipe's folder
        var robotPath = recipe.robot
        if robotPath.hasSuffix(".xml"), !robotPath.hasPrefix("/"), let file {
            robotPath = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(robotPath).path
        }
        var loaded: RobotModel
        var text: [UInt8]
        do {
            loaded = try RobotModel.load(robotPath)
            text = try Self.modelText(robotPath)
        } catch let error as SimulationError {
            throw DatasetError.invalid("robot: \(error.message)", file: file)
        }
        let nominal = loaded
        if let physics = recipe.physics, !physics.isIdentity {
            // the changed MJCF is compiled and hashed, so meta.json's model_sha256 tells the datasets apart
            text = Array(try physics.apply(toMJCF: String(decoding: text, as: UTF8.self), file: robotPath).utf8)
            do { loaded = try RobotModel(xml: String(decoding: text, as: UTF8.self), sourceName: loaded.source) } catch let error as SimulationError {
                throw DatasetError.invalid("robot with physics \(physics): \(error.message)", file: file)
            }
        }
        var options = loaded.options
        if let dt = recipe.timestep { options.timestep = dt }
        if let integrator = recipe.integrator { options.integrator = integrator }
        options.substeps = recipe.substeps
        model = try loaded.with(options: options)
        modelHash = SHA256.hex(text)

        let type = recipe.policyType
        guard let policyType = policies.first(where: { $0.typeName == type }) else {
            throw recipe.policy.error("type", "unknown policy '\(type)' (known: \(policies.map { $0.typeName }.joined(separator: ", ")))")
        }
        // a controller tuned before a physics change reads the nominal robot (same options)
        if let physics = recipe.physics, physics.nominalController, !physics.isIdentity {
            (controllerModel, controllerGravityRatio) = (try nominal.with(options: options), 1 / physics.massScale)
        } else {
            (controllerModel, controllerGravityRatio) = (nil, 1)
        }
        policy = try policyType.init(parameters: recipe.policy, model: controllerModel ?? model)

        let initial = try RecipeObject(recipe.json["initial"] ?? .object([]), path: "initial", file: file)
        let nq = model.nq, source = model.source
        if let mean = recipe.initialQposMean {
            guard mean.count == nq else { throw initial.error("qpos_mean", "expected \(nq) numbers (nq of \(source)), found \(mean.count)") }
            qposMean = mean
        } else {
            qposMean = model.joints.qpos0
        }
        qposStd = try initial.vector("qpos_std", count: model.nq, countName: "nq of \(model.source)", default: 0)
        qvelStd = try initial.vector("qvel_std", count: model.nv, countName: "nv of \(model.source)", default: 0)
        for (key, values) in [("qpos_std", qposStd), ("qvel_std", qvelStd)] where values.contains(where: { !($0 >= 0) }) {
            throw initial.error(key, "standard deviations must be >= 0")
        }
    }

    /// The bytes of a dataset's arrays: states, sites (float64) per state, controls per step, two int64 per episode.
    public static func datasetBytes(episodes: Int, steps: Int, model: RobotModel) -> Double {
        Double(episodes) * (Double(steps + 1) * Double(model.nq + model.nv + 3 * model.nsite) + Double(steps * model.nu) + 2) * 8
    }

    /// Bytes of arrays simulated and written at a time by `write(to:)` (one batch), at most.
    public static let batchBytes = 1 << 28

    /// Episodes simulated at a time by `write(to:)`: 32 per thread (at least 64), fewer when their
    /// arrays would pass `batchBytes` (the data never depends on it).
    public func batchSize(threads: Int) -> Int {
        let episode = Self.datasetBytes(episodes: 1, steps: recipe.steps, model: model)
        return max(1, min(max(64, 32 * max(threads, RobotModel.hardwareThreads)), Int(Double(Self.batchBytes) / episode)))
    }

    /// Refuses up front a recipe that this machine could not write into `directory`, naming the
    /// sizes: one batch (about 5 copies while it is simulated and written) beyond its memory, or
    /// the whole dataset beyond the free space of the folder's disk.
    public func checkResources(episodes: Int, directory: URL, threads: Int = 0) throws {
        try Self.requireMemory(episodes: min(episodes, batchSize(threads: threads)), steps: recipe.steps, model: model, copies: 5,
                               advice: "lower steps", file: recipe.file)
        var folder = directory.standardizedFileURL
        while !FileManager.default.fileExists(atPath: folder.path), folder.path != "/" { folder.deleteLastPathComponent() }
        var info = statvfs()
        guard statvfs(folder.path, &info) == 0 else { return }
        let bytes = Self.datasetBytes(episodes: episodes, steps: recipe.steps, model: model)
        let free = Double(info.f_bavail) * Double(info.f_frsize)
        guard bytes <= free else {
            throw DatasetError.invalid("\(episodes) episodes × \(recipe.steps) steps of \(model.source) make \(Self.gigabytes(bytes)) of arrays, "
                               + "more than the \(Self.gigabytes(free)) free on the disk of \(folder.path) (lower steps or episodes, or generate shards with --shard)", file: recipe.file, kind: .tooLarge)
        }
    }

    static func gigabytes(_ x: Double) -> String { String(format: "%.3g GB", x / 1e9) }

    /// Throws `DatasetError` naming the sizes when `copies` copies of the arrays of `episodes`
    /// rollouts of `steps` steps would not fit in this machine's memory.
    public static func requireMemory(episodes: Int, steps: Int, model: RobotModel, copies: Int, advice: String, file: String? = nil) throws {
        let bytes = datasetBytes(episodes: episodes, steps: steps, model: model)
        let available = Double(ProcessInfo.processInfo.physicalMemory)
        guard Double(copies) * bytes <= available else {
            throw DatasetError.invalid("\(episodes) episodes × \(steps) steps of \(model.source) make \(gigabytes(bytes)) of arrays; writing them needs about "
                               + "\(gigabytes(Double(copies) * bytes)), more than this machine's \(gigabytes(available)) (\(advice))", file: file, kind: .tooLarge)
        }
    }

    /// Global index of the first episode of a split (training episodes come first).
    public func firstEpisode(of split: Split) -> Int { split == .train ? 0 : recipe.trainEpisodes }

    /// Episodes in a split.
    public func episodes(of split: Split) -> Int { split == .train ? recipe.trainEpisodes : recipe.testEpisodes }

    /// Generates episodes `range` (within the split) of `split`, in batches of `batchSize`
    /// episodes, calling `progress(done)` after each batch. Independent of `batchSize` and
    /// `threads`: each episode draws only from its own generator.
    public func generate(_ split: Split, range: Range<Int>? = nil, threads: Int = 0, batchSize: Int = 256,
                         progress: ((Int) -> Void)? = nil) throws -> TrajectoryDataset {
        var result = TrajectoryDataset.empty(steps: recipe.steps, stateSize: model.nq + model.nv, controlSize: model.nu, siteCount: model.nsite)
        try generate(split, range: range, threads: threads, batchSize: batchSize, progress: progress) { try result.append($0) }
        return result
    }

    /// Generates episodes `range` of `split` as `generate(_:range:threads:batchSize:progress:)`,
    /// handing each batch to `body` as it is simulated instead of gathering them.
    public func generate(_ split: Split, range: Range<Int>? = nil, threads: Int = 0, batchSize: Int = 256,
                         progress: ((Int) -> Void)? = nil, each body: (TrajectoryDataset) throws -> Void) throws {
        let range = range ?? 0..<episodes(of: split)
        let (nq, nv, T) = (model.nq, model.nv, recipe.steps)
        let limits = model.joints
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min(start + max(1, batchSize), range.upperBound)
            let B = end - start
            var qpos0 = [Double](repeating: 0, count: B * nq), qvel0 = [Double](repeating: 0, count: B * nv)
            var generators: [EpisodeGenerator] = []
            var seeds: [Int64] = []
            for b in 0..<B {
                let seed = EpisodeGenerator.episodeSeed(master: recipe.seed, index: firstEpisode(of: split) + start + b)
                var g = EpisodeGenerator(seed: seed)
                // draw order: qpos noise [nq], then qvel noise [nv] (a zero std still draws)
                for i in 0..<nq {
                    var q = qposMean[i] + qposStd[i] * g.gaussian()
                    if i < nv, limits.limited[i] { q = min(max(q, limits.range[i].0), limits.range[i].1) }
                    qpos0[b * nq + i] = q
                }
                for i in 0..<nv { qvel0[b * nv + i] = qvelStd[i] * g.gaussian() }
                generators.append(g)
                seeds.append(Int64(seed))
            }
            var batch = EpisodeBatch(model: model, count: B, steps: T, qpos0: qpos0, qvel0: qvel0, generators: generators,
                                     processNoise: recipe.processNoise, threads: threads)
            (batch.controllerModel, batch.controllerGravityRatio) = (controllerModel, controllerGravityRatio)
            let collected: CollectedEpisodes
            do {
                collected = try policy.collect(&batch)
            } catch let error as SimulationError {
                throw DatasetError.invalid("\(split.rawValue) episodes \(start)..<\(end): simulation failed: \(error.message)", file: recipe.file)
            }
            let r = collected
            // states: qpos and qvel side by side per step
            var states = [Double](repeating: 0, count: B * (T + 1) * (nq + nv))
            for row in 0..<(B * (T + 1)) {
                for i in 0..<nq { states[row * (nq + nv) + i] = r.qpos[row * nq + i] }
                for i in 0..<nv { states[row * (nq + nv) + nq + i] = r.qvel[row * nv + i] }
            }
            try body(TrajectoryDataset(episodes: B, steps: T, stateSize: nq + nv, controlSize: model.nu, siteCount: model.nsite,
                                       states: states, controls: r.ctrl.isEmpty ? [Double](repeating: 0, count: B * T * model.nu) : r.ctrl,
                                       sites: r.sites, goal: collected.goal.map(Int64.init), episodeSeed: seeds))
            start = end
            progress?(start - range.lowerBound)
        }
    }

    // MARK: - meta.json

    /// Names of the state coordinates: `qpos.JOINT` then `qvel.JOINT`.
    public var stateNames: [String] {
        let joints = model.names(.joint)
        let q = model.nq == model.nv ? joints.enumerated().map { "qpos." + ($0.element.isEmpty ? "\($0.offset)" : $0.element) }
                                     : (0..<model.nq).map { "qpos[\($0)]" }
        return q + joints.enumerated().map { "qvel." + ($0.element.isEmpty ? "\($0.offset)" : $0.element) }
    }

    /// The contents of `meta.json`: format, recipe copy, model hash, names, physics, counts,
    /// goals, project version, and the shard when writing one.
    public func meta(projectVersion: String, shard: Shard? = nil) -> JSONValue {
        let options = model.options
        func strings(_ list: [String]) -> JSONValue { .array(list.map { .string($0) }) }
        func int(_ n: Int) -> JSONValue { .number(Double(n), isInteger: true) }
        var entries: [(String, JSONValue)] = [
            ("format", .string("energydynamics-trajectories/1")),
            ("name", .string(recipe.name)),
            ("recipe", recipe.json),
            ("robot", .string(recipe.robot)),
            ("model_sha256", .string(modelHash)),
            ("state_names", strings(stateNames)),
            ("control_names", strings(model.names(.actuator))),
            ("site_names", strings(model.names(.site))),
            ("dt", .number(options.timestep, isInteger: false)),
            ("substeps", int(options.substeps)),
            ("integrator", .string(options.integrator.rawValue)),
            ("steps", int(recipe.steps)),
            ("episodes", .object([("train", int(recipe.trainEpisodes)), ("test", int(recipe.testEpisodes))])),
            ("project_version", .string(projectVersion)),
        ]
        if let goals = policy.goals {
            entries.append(("goals", .object([("kind", .string(goals.kind)),
                                              ("targets", .array(goals.targets.map { .array($0.map { .number($0, isInteger: false) }) }))])))
        }
        if let shard {
            let ranges = Split.allCases.map { split -> (String, JSONValue) in
                let r = shard.range(of: episodes(of: split))
                return (split.rawValue, .array([int(r.lowerBound), int(r.upperBound)]))
            }
            entries.append(("shard", .object([("index", int(shard.index)), ("count", int(shard.count))] + ranges)))
        }
        return .object(entries)
    }

    // MARK: - Writing a dataset folder

    /// Generates the dataset (or one shard of it) and writes `train.npz`, `test.npz` and
    /// `meta.json` into `directory`, which appears complete or not at all (`DatasetFolder.publish`),
    /// and only after every episode succeeded. Episodes are written as they are simulated, a batch
    /// at a time (`TrajectoryDatasetWriter`): memory does not grow with the dataset.
    /// - Parameter progress: called with (episodes done, episodes total).
    public func write(to directory: URL, shard: Shard? = nil, projectVersion: String, threads: Int = 0,
                      progress: ((Int, Int) -> Void)? = nil) throws {
        try OutputPath.check(directory.path, kind: .folder, inputs: [recipe.file])
        let ranges = Split.allCases.map { split in shard?.range(of: episodes(of: split)) ?? 0..<episodes(of: split) }
        let total = ranges.reduce(0) { $0 + $1.count }
        try checkResources(episodes: total, directory: directory, threads: threads)
        try DatasetFolder.publish(directory) { folder in
            var done = 0
            for (split, range) in zip(Split.allCases, ranges) {
                let writer = try TrajectoryDatasetWriter(to: folder.appendingPathComponent(split.rawValue + ".npz"), episodes: range.count,
                                                         steps: recipe.steps, stateSize: model.nq + model.nv, controlSize: model.nu, siteCount: model.nsite)
                let before = done
                try generate(split, range: range, threads: threads, batchSize: batchSize(threads: threads),
                             progress: { progress?(before + $0, total) }, each: writer.append)
                try writer.finish()
                done += range.count
            }
            try AtomicFile.write(Array(meta(projectVersion: projectVersion, shard: shard).serialized().utf8),
                                 to: folder.appendingPathComponent("meta.json"))
        }
    }
}

extension DatasetGenerator {
    /// The MJCF text a robot name or path stands for — a built-in robot's XML, or the file's bytes —
    /// whose SHA-256 is a dataset's `model_sha256` (before any `physics` change).
    public static func modelText(_ robot: String) throws -> [UInt8] {
        if !robot.hasSuffix(".xml"), let xml = try? RobotModel.builtinXML(robot) { return Array(xml.utf8) }
        return try AtomicFile.read(URL(fileURLWithPath: robot))
    }
}
