import Simulation

/// The episodes a policy is asked to roll out: their initial states, their random generators
/// (already advanced past the initial-state draws) and the physics to use.
public struct EpisodeBatch {
    public let model: RobotModel
    /// Episodes in this batch B.
    public let count: Int
    /// Steps per episode T.
    public let steps: Int
    /// Initial positions [B, nq] and velocities [B, nv].
    public var qpos0: [Double], qvel0: [Double]
    /// One generator per episode; a policy draws from `generators[b]` for episode b only, so that
    /// every episode is independent of the batch it is in.
    public var generators: [EpisodeGenerator]
    /// Standard deviation of the recipe's process noise, in control units (0 for none).
    public let processNoise: Double
    /// Worker threads for the simulator (0 = every core).
    public let threads: Int
    /// The robot as the policy's controller models it, when that differs from the simulated one (a
    /// controller tuned before a physics change; nil: the simulated model). Model-based parts of a
    /// policy (feedforward, gain schedules, gravity compensation, gears) read it.
    public var controllerModel: RobotModel?
    /// g_controller(q) / g_simulated(q) for the gravity compensation of `controllerModel` (exact for
    /// the uniform mass scaling of `PhysicsModification`: 1 / mass_scale).
    public var controllerGravityRatio: Double = 1

    public init(model: RobotModel, count: Int, steps: Int, qpos0: [Double], qvel0: [Double],
                generators: [EpisodeGenerator], processNoise: Double, threads: Int) {
        self.model = model
        self.count = count
        self.steps = steps
        self.qpos0 = qpos0
        self.qvel0 = qvel0
        self.generators = generators
        self.processNoise = processNoise
        self.threads = threads
    }

    /// Process noise [B, T, nu] (zeros when the recipe has none), drawn per episode after the
    /// policy's own draws.
    public mutating func processNoiseOffsets() -> [Double] {
        let nu = model.nu
        var out = [Double](repeating: 0, count: count * steps * nu)
        guard processNoise > 0 else { return out }
        for b in 0..<count {
            for i in 0..<(steps * nu) { out[b * steps * nu + i] = processNoise * generators[b].gaussian() }
        }
        return out
    }

    /// Rolls out open-loop controls [B, T, nu] (plus process noise) in one simulator call.
    public mutating func rollout(controls: [Double]) throws -> Rollout {
        var controls = controls
        if processNoise > 0 {
            let noise = processNoiseOffsets()
            for i in controls.indices { controls[i] += noise[i] }
        }
        return try model.rollout(qpos: qpos0, qvel: qvel0, batch: count, steps: steps, controls: controls,
                                 sites: true, recordControls: true, threads: threads)
    }
}

/// What a policy returns: the rolled-out episodes (with sites and applied controls) and the goal
/// index of each episode (-1 when the policy has no goals).
public struct CollectedEpisodes {
    /// Positions [B, T+1, nq] and velocities [B, T+1, nv].
    public var qpos: [Double], qvel: [Double]
    /// Site positions [B, T+1, nsite, 3].
    public var sites: [Double]
    /// Applied (clamped) controls [B, T, nu].
    public var ctrl: [Double]
    /// Goal index per episode [B].
    public var goal: [Int]

    public init(qpos: [Double], qvel: [Double], sites: [Double], ctrl: [Double], goal: [Int]) {
        (self.qpos, self.qvel, self.sites, self.ctrl, self.goal) = (qpos, qvel, sites, ctrl, goal)
    }

    /// A simulator rollout made with `sites: true, recordControls: true`.
    public init(rollout: Rollout, goal: [Int]) {
        self.init(qpos: rollout.qpos, qvel: rollout.qvel, sites: rollout.sites, ctrl: rollout.ctrl, goal: goal)
    }
}

/// A data-collection policy: reads its parameters from the recipe's `policy` object and rolls
/// out batches of episodes. Library users add their own by conforming and passing the type to
/// `DatasetGenerator(recipe:policies:)`.
///
/// Rules for determinism: draw randomness only from `batch.generators[b]` for episode b, in an
/// order that does not depend on the batch size; use the simulator's batched calls, which are
/// bit-identical for any thread count.
public protocol DataCollectionPolicy {
    /// The recipe's `policy.type` that selects this policy, e.g. `goal-pd`.
    static var typeName: String { get }
    /// Builds the policy for `model`; throws `DatasetError` naming the field for bad parameters.
    init(parameters: RecipeObject, model: RobotModel) throws
    /// Goals as targets [K, D] (site positions or joint positions) with what they are, for
    /// `meta.json`; nil when the policy has no goals.
    var goals: (kind: String, targets: [[Double]])? { get }
    /// Rolls out every episode of `batch`.
    func collect(_ batch: inout EpisodeBatch) throws -> CollectedEpisodes
}

extension DataCollectionPolicy {
    public var goals: (kind: String, targets: [[Double]])? { nil }
}

/// A policy evaluated in Swift between simulator steps: it maps the current states of the batch
/// to controls. `collect` steps the whole batch with `model.step` (one bridge call per step) and
/// records states, controls and sites.
public protocol ClosedLoopPolicy: DataCollectionPolicy {
    /// Per-episode set-up before the first step (e.g. drawing a goal); returns goal indices [B].
    func begin(_ batch: inout EpisodeBatch) throws -> [Int]
    /// Controls [B, nu] at step `step` from qpos [B, nq], qvel [B, nv].
    func controls(qpos: [Double], qvel: [Double], step: Int, goal: [Int], batch: inout EpisodeBatch) throws -> [Double]
}

extension ClosedLoopPolicy {
    public func begin(_ batch: inout EpisodeBatch) throws -> [Int] { [Int](repeating: -1, count: batch.count) }

    public func collect(_ batch: inout EpisodeBatch) throws -> CollectedEpisodes {
        let model = batch.model
        let (B, T, nq, nv, nu, ns) = (batch.count, batch.steps, model.nq, model.nv, model.nu, model.nsite)
        let goal = try begin(&batch)
        var out = CollectedEpisodes(qpos: [Double](repeating: 0, count: B * (T + 1) * nq),
                                    qvel: [Double](repeating: 0, count: B * (T + 1) * nv),
                                    sites: [Double](repeating: 0, count: B * (T + 1) * ns * 3),
                                    ctrl: [Double](repeating: 0, count: B * T * nu), goal: goal)
        let ranges = model.actuators.ctrlRange
        var qpos = batch.qpos0, qvel = batch.qvel0
        for t in 0...T {
            // record state t, then act
            for b in 0..<B {
                for i in 0..<nq { out.qpos[(b * (T + 1) + t) * nq + i] = qpos[b * nq + i] }
                for i in 0..<nv { out.qvel[(b * (T + 1) + t) * nv + i] = qvel[b * nv + i] }
            }
            if ns > 0 {
                let sites = try model.kinematics(qpos: qpos, batch: B, threads: batch.threads).sites
                for b in 0..<B {
                    for i in 0..<(ns * 3) { out.sites[(b * (T + 1) + t) * ns * 3 + i] = sites[b * ns * 3 + i] }
                }
            }
            guard t < T else { break }
            var u = try controls(qpos: qpos, qvel: qvel, step: t, goal: goal, batch: &batch)
            for b in 0..<B {
                for a in 0..<nu {
                    var value = u[b * nu + a]
                    if batch.processNoise > 0 { value += batch.processNoise * batch.generators[b].gaussian() }
                    if let range = ranges[a] { value = Swift.min(Swift.max(value, range.0), range.1) }
                    u[b * nu + a] = value
                    out.ctrl[(b * T + t) * nu + a] = value
                }
            }
            try model.step(qpos: &qpos, qvel: &qvel, controls: u, batch: B, steps: 1, threads: batch.threads)
        }
        return out
    }
}

/// The policies of this module, selectable by `policy.type` in recipes.
public enum BuiltinPolicies {
    public static let all: [DataCollectionPolicy.Type] = [RandomPolicy.self, SinusoidPolicy.self, GoalPDPolicy.self]
}
