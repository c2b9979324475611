// Checkpoint: a Sequential model (tensors, architecture, input normalisation) as a
// safetensors file.

import Foundation

/// Per-feature affine normalisation of a model's input, x̃ = (x − mean) / standardDeviation.
public struct InputNormalization: Codable, Equatable, Sendable {
    /// Mean of each input feature. Count inputWidth.
    public var mean: [Float]
    /// Standard deviation of each input feature (positive). Count inputWidth.
    public var standardDeviation: [Float]

    /// Creates a normalisation; the two arrays must have the same length.
    public init(mean: [Float], standardDeviation: [Float]) {
        precondition(mean.count == standardDeviation.count, "InputNormalization: \(mean.count) means, \(standardDeviation.count) deviations")
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// Normalises `input` (batch, mean.count) in place.
    public func apply(to input: inout Tensor) {
        precondition(input.rank == 2 && input.shape[1] == mean.count, "InputNormalization.apply: shape \(input.shape)")
        let width = mean.count
        for i in 0..<input.count { input.scalars[i] = (input.scalars[i] - mean[i % width]) / standardDeviation[i % width] }
    }
}

/// What a checkpoint carries besides the tensors.
public struct CheckpointContents: Equatable {
    /// Each layer's configuration, input first.
    public var architecture: [LayerArchitecture]
    /// The model's input normalisation, when one was saved.
    public var normalization: InputNormalization?
    /// Further caller-defined metadata (keys other than the reserved ones).
    public var metadata: [String: String]
}

/// Saving and loading `Sequential` models as safetensors files.
///
/// Tensors are stored under their parameter names (`layers.0.weight` …) as F32; the
/// `__metadata__` entry holds `format` (`Checkpoint.format`), `architecture` (JSON array of
/// `LayerArchitecture`), optionally `normalization` (JSON `{"mean": [...],
/// "standardDeviation": [...]}`), and any caller keys.
public enum Checkpoint {
    /// The value of the `format` metadata key.
    public static let format = "energydynamics.neuralcore/1"
    static let reservedKeys: Set<String> = ["format", "architecture", "normalization"]

    // MARK: - Saving

    /// Writes `model`'s tensors and configuration to `url` atomically (temporary file + rename).
    public static func save(_ model: Sequential, to url: URL, normalization: InputNormalization? = nil,
                            metadata: [String: String] = [:]) throws {
        var entries = metadata.filter { !reservedKeys.contains($0.key) }
        entries["format"] = format
        // sorted keys: the same model gives the same bytes in every process (dictionary order is per-process)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        entries["architecture"] = String(decoding: try encoder.encode(model.architecture), as: UTF8.self)
        if let normalization {
            entries["normalization"] = String(decoding: try encoder.encode(normalization), as: UTF8.self)
        }
        let tensors = model.parameterLayout.views.map { (name: $0.name, tensor: model.parameters[$0.name]) }
        try SafetensorsFile(tensors: tensors, metadata: entries).write(to: url)
    }

    // MARK: - Loading

    /// Loads the tensors at `url` into `model`, after checking that names, shapes and
    /// architecture match and every value is finite; on any error the model is unchanged.
    @discardableResult
    public static func load(from url: URL, into model: Sequential) throws -> CheckpointContents {
        let file = try SafetensorsFile.read(from: url)
        let contents = try decodeContents(file, path: url.path)
        let path = url.path
        // Every model tensor present, with the model's shape and finite values …
        for view in model.parameterLayout.views {
            guard let tensor = file[view.name] else { throw CheckpointError.missingTensor(file: path, tensor: view.name) }
            guard tensor.shape == view.shape else {
                throw CheckpointError.shapeMismatch(file: path, tensor: view.name, found: tensor.shape, expected: view.shape)
            }
            if let index = tensor.scalars.firstIndex(where: { !$0.isFinite }) {
                throw CheckpointError.nonFiniteValue(file: path, tensor: view.name, index: index, value: tensor.scalars[index])
            }
        }
        // … no tensor the model lacks, and the same layer configuration.
        for (name, _) in file.tensors where model.parameterLayout.view(named: name) == nil {
            throw CheckpointError.unexpectedTensor(file: path, tensor: name)
        }
        guard contents.architecture == model.architecture else {
            throw CheckpointError.badMetadata(file: path, reason: "architecture \(contents.architecture) differs from the model's \(model.architecture)")
        }
        if let normalization = contents.normalization, normalization.mean.count != model.inputWidth {
            throw CheckpointError.badMetadata(file: path, reason: "normalization has \(normalization.mean.count) features, the model takes \(model.inputWidth)")
        }
        for view in model.parameterLayout.views { model.parameters[view.name] = file[view.name]! }
        return contents
    }

    /// Builds a model from the architecture stored at `url` and loads its tensors.
    public static func loadModel(from url: URL) throws -> (model: Sequential, contents: CheckpointContents) {
        let contents = try decodeContents(try SafetensorsFile.read(from: url), path: url.path)
        guard !contents.architecture.isEmpty else {
            throw CheckpointError.badMetadata(file: url.path, reason: "architecture lists no layers")
        }
        let model = Sequential(architecture: contents.architecture)
        for (previous, next) in zip(model.layers, model.layers.dropFirst()) where previous.outputWidth != next.inputWidth {
            throw CheckpointError.badMetadata(file: url.path, reason: "architecture widths do not chain")
        }
        try load(from: url, into: model)
        return (model, contents)
    }

    private static func decodeContents(_ file: SafetensorsFile, path: String) throws -> CheckpointContents {
        guard file.metadata["format"] == format else {
            throw CheckpointError.badMetadata(file: path, reason: "format is \(file.metadata["format"].map { "'\($0)'" } ?? "missing"), expected '\(format)'")
        }
        guard let architectureJSON = file.metadata["architecture"],
              let architecture = try? JSONDecoder().decode([LayerArchitecture].self, from: Data(architectureJSON.utf8)) else {
            throw CheckpointError.badMetadata(file: path, reason: "'architecture' is missing or not a list of layers")
        }
        var normalization: InputNormalization?
        if let normalizationJSON = file.metadata["normalization"] {
            guard let decoded = try? JSONDecoder().decode(InputNormalization.self, from: Data(normalizationJSON.utf8)),
                  decoded.mean.count == decoded.standardDeviation.count,
                  (decoded.mean + decoded.standardDeviation).allSatisfy(\.isFinite),
                  decoded.standardDeviation.allSatisfy({ $0 > 0 }) else {
                throw CheckpointError.badMetadata(file: path, reason: "'normalization' is not {mean, standardDeviation} of equal length, finite, positive deviations")
            }
            normalization = decoded
        }
        return CheckpointContents(architecture: architecture, normalization: normalization,
                                  metadata: file.metadata.filter { !reservedKeys.contains($0.key) })
    }
}
