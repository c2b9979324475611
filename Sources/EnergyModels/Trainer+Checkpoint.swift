// Trainer+Checkpoint: saving and resuming runs; loading trained models.

import Foundation
import NeuralCore
import Trajectories

/// Which data a run was trained on: the dataset's robot and the SHA-256 of its MJCF (`meta.json`'s
/// `robot` and `model_sha256`), stored in checkpoints as `dataset_robot` / `dataset_model_sha256`.
public struct DatasetIdentity: Equatable, Sendable {
    public var robot: String
    public var modelHash: String

    public init(robot: String, modelHash: String) { (self.robot, self.modelHash) = (robot, modelHash) }

    /// The identity in `directory/meta.json`, nil when it has none (a folder made by hand).
    public init?(datasetFolder directory: URL) {
        guard let meta = try? DatasetFolder.meta(of: directory), case .string(let robot)? = meta["robot"],
              case .string(let hash)? = meta["model_sha256"] else { return nil }
        self.init(robot: robot, modelHash: hash)
    }
}

extension CheckpointMetadata {
    /// Throws unless the model was trained on data of the robot `dataDirectory`'s `meta.json` names
    /// (either side unknown passes: hand-made datasets, older checkpoints). Physics variants of one
    /// robot (`ebm evaluate --ood`) share the name and pass.
    /// The same MJCF under another name or path (equal `model_sha256`) passes too.
    public func requireRobot(ofDataset dataDirectory: URL, file: String) throws {
        guard let dataset, let data = DatasetIdentity(datasetFolder: dataDirectory),
              dataset.robot != data.robot, dataset.modelHash != data.modelHash else { return }
        throw mismatch(data.robot, what: "the dataset \(dataDirectory.path)", file: file)
    }

    /// Throws unless the model was trained on data of `robot` (a built-in name or MJCF path): the same
    /// name, or the same MJCF text (SHA-256) under another name or path. Returns a warning when the name
    /// matches but the MJCF text differs from the training data's (a physics variant, an edited file).
    @discardableResult
    public func requireRobot(_ robot: String, file: String) throws -> String? {
        guard let dataset else { return nil }
        let hash = (try? DatasetGenerator.modelText(robot)).map(SHA256.hex)
        if dataset.robot != robot {
            guard let hash, hash == dataset.modelHash else { throw mismatch(robot, what: "the robot", file: file) }
            return nil
        }
        guard let hash, hash != dataset.modelHash else { return nil }
        return "\(file): the model was trained on data of another MJCF of \(robot) (sha256 \(dataset.modelHash.prefix(12))…, "
            + "this one \(hash.prefix(12))…): a physics variant or an edited file"
    }

    private func mismatch(_ robot: String, what: String, file: String) -> TrainingError {
        TrainingError.file(FileError(.mismatched, path: file, "the model was trained on \(dataset?.robot ?? "?") data; \(what) is \(robot) (models of one robot do not apply to another)"))
    }
}

/// The metadata keys of a trained model's checkpoint, besides NeuralCore's own.
public struct CheckpointMetadata: Sendable {
    /// The value of `trajectory_format`.
    public static let format = "energydynamics.energymodels/1"
    public var kind: ModelKind
    public var configuration: TrainingConfiguration
    public var encoding: WindowEncoding
    public var step: Int
    /// The future basis of a denoising model (`future_basis`); nil for every other model.
    public var basis: FutureBasis? = nil
    /// The training data's identity; nil for checkpoints of older versions and hand-made datasets.
    public var dataset: DatasetIdentity? = nil

    func entries() throws -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var entries = ["trajectory_format": Self.format, "model_kind": kind.rawValue, "step": String(step),
                       "configuration": configuration.encodedJSON(),
                       "window_encoding": String(decoding: try encoder.encode(encoding), as: UTF8.self)]
        if let basis { entries["future_basis"] = String(decoding: try encoder.encode(basis), as: UTF8.self) }
        if let dataset { (entries["dataset_robot"], entries["dataset_model_sha256"]) = (dataset.robot, dataset.modelHash) }
        return entries
    }

    /// A denoising-score-matching energy model (needs `DenoisingEnergyModel.load`).
    public var isDenoising: Bool { kind == .ebm && configuration.optimization.objective == .dsm }

    /// Reads the metadata of the checkpoint at `url` (no tensors are checked here).
    public static func read(_ url: URL) throws -> CheckpointMetadata {
        let file: SafetensorsFile
        do { file = try SafetensorsFile.read(from: url) } catch let error as CheckpointError {
            throw TrainingError.file(FileError(.malformed, path: url.path, "corrupted checkpoint: \(error)"))
        }
        let metadata = try decode(file.metadata, file: url.path)
        // a network the stored tensors cannot fill is refused before it is allocated
        let stored = file.tensors.reduce(0) { $0 + $1.tensor.count }
        if let needed = metadata.configuration.model.minimumParameterCount, needed > stored {
            throw TrainingError.file(FileError(.malformed, path: url.path, "metadata configuration describes a network of at least \(needed) parameters; the file stores \(stored)"))
        }
        return metadata
    }

    static func decode(_ m: [String: String], file: String) throws -> CheckpointMetadata {
        guard m["trajectory_format"] == format else {
            throw TrainingError.file(FileError(.malformed, path: file, "not a trajectory-model checkpoint (metadata trajectory_format is \(m["trajectory_format"] ?? "missing"), expected \(format))"))
        }
        guard let kindText = m["model_kind"], let kind = ModelKind(rawValue: kindText) else {
            throw TrainingError.file(FileError(.malformed, path: file, "metadata model_kind is missing or unknown"))
        }
        guard let stepText = m["step"], let step = Int(stepText) else { throw TrainingError.file(FileError(.malformed, path: file, "metadata step is missing")) }
        guard let configurationText = m["configuration"] else { throw TrainingError.file(FileError(.malformed, path: file, "metadata configuration is missing")) }
        let configuration = try TrainingConfiguration.decode(Data(configurationText.utf8), file: file + " (metadata configuration)")
        guard let encodingText = m["window_encoding"],
              let encoding = try? JSONDecoder().decode(WindowEncoding.self, from: Data(encodingText.utf8)),
              // bounded before `width` multiplies them
              (1...1 << 20).contains(encoding.stateSize), (1...ModelConfiguration.Limits.window).contains(encoding.contextLength),
              (1...ModelConfiguration.Limits.window).contains(encoding.horizon), (0...WindowEncoding.maximumGoalCount).contains(encoding.goalCount),
              (0...1 << 20).contains(encoding.controlWidth),
              encoding.mean.count == encoding.width, encoding.standardDeviation.count == encoding.width,
              encoding.standardDeviation.allSatisfy({ $0 > 0 && $0.isFinite }), encoding.mean.allSatisfy(\.isFinite) else {
            throw TrainingError.file(FileError(.malformed, path: file, "metadata window_encoding is missing or inconsistent"))
        }
        // the window the encoding describes must be the configuration's (models are built from both)
        let window = configuration.model
        guard encoding.contextLength == window.contextLength, encoding.horizon == window.horizon else {
            throw TrainingError.file(FileError(.malformed, path: file, "metadata window_encoding (context \(encoding.contextLength), horizon \(encoding.horizon), state size \(encoding.stateSize)) "
                                + "does not match the configuration (context \(window.contextLength), horizon \(window.horizon))"))
        }
        var basis: FutureBasis?
        if kind == .ebm && configuration.optimization.objective == .dsm {
            let model = configuration.model
            guard let text = m["future_basis"], let decoded = try? JSONDecoder().decode(FutureBasis.self, from: Data(text.utf8)),
                  decoded.horizon == model.horizon, decoded.stateSize == encoding.stateSize, decoded.coordinateScale.count == decoded.stateSize,
                  decoded.mean.count == decoded.futureWidth, decoded.dimension >= 1,
                  decoded.components.count == (decoded.kind == .pca ? decoded.dimension * decoded.futureWidth : 0),
                  decoded.kind == .pca || decoded.dimension == decoded.futureWidth,
                  (decoded.coordinateScale + decoded.mean + decoded.components + decoded.variances + [decoded.unit]).allSatisfy(\.isFinite),
                  decoded.coordinateScale.allSatisfy({ $0 > 0 }), decoded.unit > 0, decoded.variances.allSatisfy({ $0 >= 0 }) else {
                throw TrainingError.file(FileError(.malformed, path: file, "metadata future_basis is missing or inconsistent"))
            }
            basis = decoded
        }
        var dataset: DatasetIdentity?
        if let robot = m["dataset_robot"], let hash = m["dataset_model_sha256"] { dataset = DatasetIdentity(robot: robot, modelHash: hash) }
        return CheckpointMetadata(kind: kind, configuration: configuration, encoding: encoding, step: step, basis: basis, dataset: dataset)
    }
}

extension TrajectoryEnergyModel {
    /// Loads a trained energy model (`model.safetensors` or a step checkpoint of `ebm train --model ebm`).
    public static func load(from url: URL) throws -> (model: TrajectoryEnergyModel, metadata: CheckpointMetadata) {
        let meta = try CheckpointMetadata.read(url)
        guard meta.kind == .ebm else { throw TrainingError.file(FileError(.mismatched, path: url.path, "holds a \(meta.kind.rawValue) model, not an energy model")) }
        guard !meta.isDenoising else { throw TrainingError.file(FileError(.mismatched, path: url.path, "holds a denoising-score-matching model (objective dsm), which `ebm predict` samples (DenoisingEnergyModel.load in Swift); this reader takes contrastive-divergence models only")) }
        let model = TrajectoryEnergyModel(configuration: meta.configuration.model, encoding: meta.encoding, seed: 0)
        do { try Checkpoint.load(from: url, into: model.network) } catch let error as CheckpointError { throw TrainingError.file(error.asFileError) }
        return (model, meta)
    }
}

extension DenoisingEnergyModel {
    /// Loads a trained denoising energy model (`ebm train` with `optimization.objective` "dsm").
    public static func load(from url: URL) throws -> (model: DenoisingEnergyModel, metadata: CheckpointMetadata) {
        let meta = try CheckpointMetadata.read(url)
        guard meta.isDenoising, let basis = meta.basis else {
            throw TrainingError.file(FileError(.mismatched, path: url.path, "holds a \(meta.kind.rawValue) model trained by \(meta.configuration.optimization.objective.rawValue), not a denoising energy model"))
        }
        let model = DenoisingEnergyModel(configuration: meta.configuration.model, denoising: meta.configuration.denoising,
                                         encoding: meta.encoding, basis: basis, seed: 0)
        do { try Checkpoint.load(from: url, into: model.network) } catch let error as CheckpointError { throw TrainingError.file(error.asFileError) }
        return (model, meta)
    }
}

extension FeedforwardPredictor {
    /// Loads a trained baseline (`ebm train --model feedforward`).
    public static func load(from url: URL) throws -> (model: FeedforwardPredictor, metadata: CheckpointMetadata) {
        let meta = try CheckpointMetadata.read(url)
        guard meta.kind == .feedforward else { throw TrainingError.file(FileError(.mismatched, path: url.path, "holds a \(meta.kind.rawValue) model, not a feedforward one")) }
        let model = FeedforwardPredictor(configuration: meta.configuration.model, encoding: meta.encoding, seed: 0)
        do { try Checkpoint.load(from: url, into: model.network) } catch let error as CheckpointError { throw TrainingError.file(error.asFileError) }
        return (model, meta)
    }
}

extension Trainer {
    /// A complete checkpoint pair in a run directory.
    struct CheckpointPair { var step: Int; var model: URL; var state: URL }

    static func checkpointURLs(_ directory: URL, step: Int) -> CheckpointPair {
        let base = directory.appendingPathComponent("checkpoints").appendingPathComponent(String(format: "step-%08d", step))
        return CheckpointPair(step: step, model: base.appendingPathExtension("safetensors"),
                              state: base.appendingPathExtension("state.safetensors"))
    }

    /// Every step with both files present, ascending.
    static func completeCheckpoints(in directory: URL) -> [CheckpointPair] {
        let folder = directory.appendingPathComponent("checkpoints")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let steps = names.compactMap { name -> Int? in
            guard name.hasPrefix("step-"), name.hasSuffix(".state.safetensors") else { return nil }
            return Int(name.dropFirst(5).prefix(8))
        }
        return steps.sorted().map { checkpointURLs(directory, step: $0) }
            .filter { FileManager.default.fileExists(atPath: $0.model.path) }
    }

    static func latestCheckpoint(in directory: URL) throws -> CheckpointPair? { completeCheckpoints(in: directory).last }

    /// The network's input normalisation as NeuralCore's checkpoint stores it.
    var networkNormalization: InputNormalization? {
        if denoisingModel != nil { return nil }   // rows are built by DenoisingEnergyModel.rows
        return encoding.inputNormalization(features: 0..<(kind == .ebm ? encoding.width : encoding.contextWidth))
    }

    func metadata() throws -> [String: String] {
        try CheckpointMetadata(kind: kind, configuration: configuration, encoding: encoding, step: step, basis: denoisingModel?.basis,
                               dataset: datasetIdentity).entries()
    }

    /// Writes the state file, then the model file (a pair counts once both exist), each
    /// atomically; keeps the two latest pairs.
    func saveCheckpoint() throws {
        let pair = Self.checkpointURLs(outputDirectory, step: step)
        var tensors: [(name: String, tensor: Tensor)] = [
            ("adam.second_moment", Tensor(shape: [optimizer.secondMoment.count], scalars: optimizer.secondMoment)),
            ("adam.first_moment", Tensor(shape: [optimizer.firstMoment.count], scalars: optimizer.firstMoment)),
            ("replay.rows", Tensor(shape: [replay.count, replay.width], scalars: replay.rows)),
        ]
        // denoising: model files keep the averaged weights, the state the trained ones
        if denoisingModel != nil {
            let count = network.parameterLayout.count
            tensors.append(("training.parameters", Tensor(shape: [count], scalars: Array(UnsafeBufferPointer(start: network.parameters.baseAddress, count: count)))))
        }
        // Steps as two exact Float halves would be fragile; they go to metadata as text.
        tensors = tensors.filter { $0.tensor.count > 0 }
        let state: [String: String] = [
            "step": String(step), "generator_state": String(generator.state), "adam_steps": String(optimizer.stepCount),
            "replay_next": String(replay.nextSlot), "replay_steps": replay.stepStored.map(String.init).joined(separator: ","),
            "interval": Self.encodeInterval(interval),
        ]
        try SafetensorsFile(tensors: tensors, metadata: state).write(to: pair.state)
        try withAveragedParameters { try Checkpoint.save(network, to: pair.model, normalization: networkNormalization, metadata: try metadata()) }
        for old in Self.completeCheckpoints(in: outputDirectory).dropLast(2) {
            try? FileManager.default.removeItem(at: old.state)
            try? FileManager.default.removeItem(at: old.model)
        }
    }

    /// The interval's metrics as hexadecimal bit patterns (exact), eight numbers per step.
    static func encodeInterval(_ list: [TrainingMetrics]) -> String {
        list.flatMap { m in [Double(m.step), m.loss, m.energyData, m.energySamples, m.langevinGradientNorm, m.replayAge, m.gradientNorm, m.learningRate] }
            .map { String($0.bitPattern, radix: 16) }.joined(separator: ",")
    }

    /// The inverse of `encodeInterval`; nil when malformed.
    static func decodeInterval(_ text: String) -> [TrainingMetrics]? {
        guard !text.isEmpty else { return [] }
        let numbers = text.split(separator: ",").compactMap { UInt64($0, radix: 16).map(Double.init(bitPattern:)) }
        guard numbers.count == text.split(separator: ",").count, numbers.count % 8 == 0,
              stride(from: 0, to: numbers.count, by: 8).allSatisfy({ (0...1e15).contains(numbers[$0]) }) else { return nil }
        return stride(from: 0, to: numbers.count, by: 8).map { i in
            let v = Array(numbers[i..<i + 8])
            return TrainingMetrics(step: Int(v[0]), loss: v[1], energyData: v[2], energySamples: v[3], langevinGradientNorm: v[4],
                                   replayAge: v[5], gradientNorm: v[6], learningRate: v[7])
        }
    }

    /// Restores optimiser, replay buffer and generator from a state file.
    func restoreState(from url: URL, step expected: Int) throws {
        let file: SafetensorsFile
        do { file = try SafetensorsFile.read(from: url) } catch let error as CheckpointError {
            throw TrainingError.file(FileError(.malformed, path: url.path, "corrupted training state: \(error)"))
        }
        let m = file.metadata
        guard m["step"] == String(expected), let generatorState = m["generator_state"].flatMap(UInt64.init),
              let adamSteps = m["adam_steps"].flatMap(Int.init), let next = m["replay_next"].flatMap(Int.init),
              let stepsText = m["replay_steps"] else {
            throw TrainingError.file(FileError(.malformed, path: url.path, "training state metadata is missing or is not for step \(expected)"))
        }
        let replaySteps = stepsText.isEmpty ? [] : stepsText.split(separator: ",").compactMap { Int($0) }
        let rows = file["replay.rows"]?.scalars ?? []
        guard rows.count == replaySteps.count * replay.width, replaySteps.count <= replay.capacity, next < replay.capacity else {
            throw TrainingError.file(FileError(.malformed, path: url.path, "replay buffer of \(replaySteps.count) rows does not fit width \(replay.width) and capacity \(replay.capacity)"))
        }
        let paramCount = network.parameterLayout.count
        let second = file["adam.second_moment"]?.scalars ?? [], first = file["adam.first_moment"]?.scalars ?? []
        guard (adamSteps == 0 && second.isEmpty) || second.count == paramCount,
              first.isEmpty || first.count == paramCount else {
            throw TrainingError.file(FileError(.malformed, path: url.path, "optimiser moments do not match the model's \(paramCount) parameters"))
        }
        guard let pending = Self.decodeInterval(m["interval"] ?? ""), pending.count < configuration.logEvery else {
            throw TrainingError.file(FileError(.malformed, path: url.path, "training state metadata interval is malformed"))
        }
        interval = pending
        generator = SeededGenerator(seed: generatorState)
        optimizer.stepCount = adamSteps
        optimizer.secondMoment = second
        optimizer.firstMoment = first
        replay = ReplayBuffer(width: replay.width, capacity: replay.capacity, rows: rows, stepStored: replaySteps, nextSlot: next)
        if denoisingModel != nil {
            // the model file loaded into the network holds the averaged weights
            guard let trained = file["training.parameters"]?.scalars, trained.count == paramCount, trained.allSatisfy(\.isFinite) else {
                throw TrainingError.file(FileError(.malformed, path: url.path, "training.parameters is missing or does not match the model's \(paramCount) parameters"))
            }
            let theta = network.parameters.baseAddress
            averagedParameters = Array(UnsafeBufferPointer(start: theta, count: paramCount))
            trained.withUnsafeBufferPointer { theta.update(from: $0.baseAddress!, count: paramCount) }
        }
    }
}
