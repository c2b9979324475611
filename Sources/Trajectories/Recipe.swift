import Foundation
import Simulation

/// A seeded description of a dataset: robot, physics options, episode counts, initial-state
/// distribution, data-collection policy, noise and master seed. A recipe and its seed determine
/// the generated files byte for byte.
///
/// ```json
/// { "name": "reacher2-goals4", "robot": "reacher2", "timestep": 0.01, "substeps": 1,
///   "steps": 100, "episodes": {"train": 2000, "test": 200}, "seed": 1,
///   "initial": {"qpos_std": 0.02, "qvel_std": 0},
///   "policy": {"type": "goal-pd", …}, "process_noise": 0 }
/// ```
public struct Recipe: Sendable {
    /// Dataset name; output goes to `trajectories/generated/NAME/` by default.
    public var name: String
    public var description: String
    /// A built-in robot name or an MJCF path (relative paths resolve against the recipe's folder).
    public var robot: String
    /// Seconds per step; nil keeps the model's.
    public var timestep: Double?
    /// Integration substeps per step.
    public var substeps: Int
    /// `euler` or `rk4`; nil keeps the model's.
    public var integrator: Integrator?
    /// Steps per episode T (states have T + 1 rows).
    public var steps: Int
    public var trainEpisodes: Int, testEpisodes: Int
    /// The master seed; episode seeds derive from it (`EpisodeGenerator.episodeSeed`).
    public var seed: UInt64
    /// Initial qpos mean [nq] (nil: the model's reference qpos0) and per-coordinate standard
    /// deviations of Gaussian noise on qpos (rad or m) and qvel (rad/s or m/s); scalars broadcast.
    public var initialQposMean: [Double]?
    public var initialQposStd: JSONValue?, initialQvelStd: JSONValue?
    /// The `policy` object: `type` plus the policy's own parameters.
    public var policy: RecipeObject
    /// Standard deviation of Gaussian noise added to every control at every step, in control
    /// units (before clamping); 0 for none.
    public var processNoise: Double
    /// Scale factors applied to the robot's MJCF before compiling (`physics`); nil keeps the model.
    public var physics: PhysicsModification?
    /// The recipe as parsed, copied into `meta.json`.
    public var json: JSONValue
    /// The file it came from, named in errors.
    public var file: String?

    /// Total episodes (train + test).
    public var episodes: Int { trainEpisodes + testEpisodes }

    // MARK: - Reading

    static let fields = ["name", "description", "robot", "timestep", "substeps", "integrator", "steps",
                         "episodes", "seed", "initial", "policy", "process_noise", "physics"]

    /// Reads a recipe file. `nameOrPath` is a path to a `.json` file or the name of a recipe in
    /// `searchDirectory` (default `trajectories/`).
    public static func load(_ nameOrPath: String, searchDirectory: String = "trajectories") throws -> Recipe {
        var path = nameOrPath
        if !path.hasSuffix(".json") && !path.contains("/") { path = searchDirectory + "/" + nameOrPath + ".json" }
        guard FileManager.default.fileExists(atPath: path) else {
            let known = (try? FileManager.default.contentsOfDirectory(atPath: searchDirectory))?
                .filter { $0.hasSuffix(".json") && !$0.hasSuffix(".train.json") }.map { String($0.dropLast(5)) }.sorted() ?? []
            throw DatasetError.file(FileError(.notFound, path: path, "no such recipe file" + (known.isEmpty ? "" : " (recipes in \(searchDirectory)/: \(known.joined(separator: ", ")))")))
        }
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw DatasetError.file(FileError(.unreadable, path: path, "cannot read the recipe file"))
        }
        return try Recipe(json: [UInt8](bytes), file: path)
    }

    /// Parses and checks recipe JSON (structure, types, counts). Model-dependent checks (vector
    /// lengths, site names) happen when the dataset generator loads the robot.
    public init(json bytes: [UInt8], file: String? = nil) throws {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch let error as JSONValue.ParseError {
            throw DatasetError.invalid("malformed JSON at \(error)", file: file)
        }
        let top = try RecipeObject(value, path: "", file: file)
        try top.rejectUnknownKeys(Recipe.fields)
        self.json = value
        self.file = file
        name = try top.string("name")
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }), !name.hasPrefix(".") else {
            throw top.error("name", "'\(name)' must be non-empty letters, digits, '-', '_' or '.' (it names a folder)")
        }
        description = try top.string("description", default: "") ?? ""
        robot = try top.string("robot")
        if let dt = top["timestep"] {
            guard case .number(let x, _) = dt, x > 0 else { throw top.error("timestep", "must be a positive number of seconds") }
            timestep = x
        }
        substeps = try top.int("substeps", default: 1, minimum: 1, maximum: Limits.substeps)
        if let name = try top.string("integrator", default: nil) {
            guard let integrator = Integrator(rawValue: name) else {
                throw top.error("integrator", "unknown integrator '\(name)' (\(Integrator.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            self.integrator = integrator
        }
        steps = try top.int("steps", minimum: 1, maximum: Limits.steps)
        guard let episodes = try top.object("episodes") else { throw top.error("episodes", "missing ({\"train\": N, \"test\": M})") }
        try episodes.rejectUnknownKeys(["train", "test"])
        trainEpisodes = try episodes.int("train", minimum: 0, maximum: Limits.episodes)
        testEpisodes = try episodes.int("test", default: 0, minimum: 0, maximum: Limits.episodes)
        guard trainEpisodes + testEpisodes > 0 else { throw top.error("episodes", "train + test must be at least 1") }
        let seed = try top.int("seed", minimum: 0)
        self.seed = UInt64(seed)
        if let initial = try top.object("initial") {
            try initial.rejectUnknownKeys(["qpos_mean", "qpos_std", "qvel_std"])
            initialQposMean = initial["qpos_mean"] == nil ? nil : try initial.doubles("qpos_mean")
            initialQposStd = initial["qpos_std"]
            initialQvelStd = initial["qvel_std"]
        }
        guard let policy = try top.object("policy") else { throw top.error("policy", "missing (an object with a \"type\")") }
        self.policy = policy
        _ = try policy.string("type")
        processNoise = try top.double("process_noise", default: 0, in: 0...1e6)
        if let physics = try top.object("physics") { self.physics = try PhysicsModification(physics) }
    }

    /// Upper bounds of a recipe's counts (the memory a dataset needs is checked by `DatasetGenerator`).
    public enum Limits {
        public static let substeps = 10_000, steps = 1_000_000, episodes = 100_000_000
    }

    /// The policy's `type`.
    public var policyType: String { (try? policy.string("type")) ?? "" }
}
