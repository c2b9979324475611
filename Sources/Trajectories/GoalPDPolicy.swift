import Foundation
import Simulation

/// `goal-pd`: each episode picks one of K goals uniformly, holds its start pose for a reaction
/// delay, then tracks a minimum-jerk joint trajectory to the goal's joint configuration with PD
/// (+ gravity compensation through RNEA) and Gaussian control noise; it ends settled on the goal.
///
/// The futures are multimodal: until the delay has passed, the states say nothing about the goal.
///
/// Speed: the goals' joint configurations come from inverse kinematics once (damped least
/// squares, batched over goals); the per-step targets and the noise are laid out in Swift; then
/// the whole batch runs in one simulator call, the PD law evaluated inside the C step loop
/// (`FeedbackLaw`).
///
/// Parameters:
/// - `goals`: `{"site": S, "circle": {"radius": r, "count": K, "center": [x, y, z], "phase": φ}}`
///   (K points on a horizontal circle, at angles φ + 2πk/K; the centre defaults to the origin at
///   the site's height in the IK seed pose), `{"site": S, "points": [[x, y, z], …]}`, or
///   `{"joints": [[q…], …]}` (joint targets, no IK).
/// - `kp` (force per rad or m), `kd` (force per rad/s or m/s): a number or one per actuator; or
///   `natural_frequency` ω (rad/s) and `damping_ratio` ζ (default 1): scheduled gains
///   kp(t) = M_jj(q̄(t)) ω² and kd(t) = 2ζ M_jj(q̄(t)) ω from the diagonal of the mass matrix along
///   each goal's nominal path q̄(t) (the reference pose, then the minimum-jerk move to the goal's
///   IK pose). A joint's inertia can change tenfold between poses (arm7's base joint: upright vs.
///   reaching), so gains from one pose are either too soft at the goal or unstable at the start.
///   The batch then runs goal by goal, one simulator call per run of steps with equal gains.
/// - `feedforward` (default false): adds the inverse-dynamics torque of the target path,
///   M(q*) q̈* + c(q*, q̇*) − passive(q*, q̇*) (RNEA; less g(q*) when the feedback law adds g(q)),
///   so the PD only corrects errors and the arm tracks the move instead of lagging behind it.
/// - `reaction_delay` (steps, default 0), `move_steps` (steps of the minimum-jerk move, default 40).
/// - `move_steps_range`: `[shortest, longest]` — each episode draws its move's steps uniformly from
///   this range (after its goal; fixed gains only), so the speed varies along each path.
/// - `move_steps_choices`: `[n₁, n₂, …]` — the same from a list (speed classes); `label:
///   "move_steps"` stores the choice's index as the episode's label (the dataset's `goal` array)
///   instead of the goal's; `exclude: [[goal, choice], …]` holds those combinations out.
/// - `control_noise`: standard deviation of Gaussian noise added to each control, in control units.
/// - `gravity_compensation` (default true).
///
/// With scheduled gains (`natural_frequency`) the rollouts are chained per goal group; episodes stay
/// independent of batch composition and thread count, so datasets stay byte-reproducible.
/// - `ik`: `{"seed": [q…], "iterations": N, "damping": λ (m), "tolerance": (m)}`; the seed
///   defaults to the model's reference pose; goals not reached within `tolerance` (default 1 mm)
///   are an error.
public struct GoalPDPolicy: DataCollectionPolicy {
    public static let typeName = "goal-pd"
    /// Joint configurations of the goals [K, nq].
    public let goalQpos: [[Double]]
    public let goals: (kind: String, targets: [[Double]])?
    public var kp: [Double], kd: [Double]
    /// Steps the start pose is held before moving.
    public var reactionDelay: Int
    /// Steps of the minimum-jerk move to the goal.
    public var moveSteps: Int
    /// When set, each episode draws its move's steps uniformly from this range (after its goal), so
    /// speed varies along each path; nil keeps `moveSteps` (and the draw order of older recipes).
    public var moveStepsRange: ClosedRange<Int>?
    /// When set, each episode draws its move's steps uniformly from these (after its goal).
    public var moveStepsChoices: [Int]?
    /// The dataset's per-episode label (its `goal` array) is the index into `moveStepsChoices`
    /// instead of the goal index (`label: "move_steps"`): speed classes for conditioned models.
    public var labelsMoveSteps = false
    /// (goal, choice) pairs never drawn (`exclude`): combinations held out of a dataset.
    public var excluded: Set<[Int]> = []
    /// Control noise standard deviation, in control units.
    public var controlNoise: Double
    public var gravityCompensation: Bool
    /// Inverse-dynamics feedforward along the target path.
    public var feedforward: Bool
    /// (ω, ζ) when the gains are scheduled from the mass matrix along each goal's path; nil for fixed `kp`, `kd`.
    public var gainSchedule: (naturalFrequency: Double, dampingRatio: Double)?
    let dt: Double

    /// PD gains: fixed, or scheduled from the mass matrix along each goal's path.
    public enum Gains: Sendable {
        /// kp (force per rad or m) and kd (force per rad/s or m/s), one per actuator.
        case fixed(kp: [Double], kd: [Double])
        /// Natural frequency ω (rad/s) and damping ratio ζ: kp = M_jj ω², kd = 2ζ M_jj ω, from the
        /// joint-space inertia at the reference pose, re-scheduled along each goal's nominal path.
        case scheduled(naturalFrequency: Double, dampingRatio: Double)
    }

    /// A policy toward joint-space goals from typed parameters (`init(parameters:model:)` reads the
    /// same from a recipe, and site goals through inverse kinematics).
    /// - Parameters:
    ///   - goalQpos: The goals' joint configurations (K, nq).
    ///   - reactionDelay: Steps the start pose is held; `moveSteps`: steps of the minimum-jerk move.
    ///   - controlNoise: Standard deviation of the Gaussian noise on each control, in control units.
    public init(model: RobotModel, goalQpos: [[Double]], gains: Gains, reactionDelay: Int = 0, moveSteps: Int = 40,
                controlNoise: Double = 0, gravityCompensation: Bool = true, feedforward: Bool = false) throws {
        try Self.requireSupported(model)
        guard !goalQpos.isEmpty, goalQpos.allSatisfy({ $0.count == model.nq }) else {
            throw DatasetError.invalidRequest("goal-pd: goals must be a non-empty list of configurations of nq = \(model.nq) numbers")
        }
        guard reactionDelay >= 0, moveSteps >= 1, controlNoise >= 0 else {
            throw DatasetError.invalidRequest("goal-pd: reaction delay must be >= 0, move steps >= 1 and control noise >= 0")
        }
        (kp, kd, gainSchedule) = try Self.resolved(gains, model: model)
        (self.goalQpos, goals) = (goalQpos, ("joints", goalQpos))
        (self.reactionDelay, self.moveSteps, self.controlNoise) = (reactionDelay, moveSteps, controlNoise)
        (self.gravityCompensation, self.feedforward, dt) = (gravityCompensation, feedforward, model.options.timestep)
    }

    /// Hinge and slide joints only (nq == nv), and at least one actuator.
    static func requireSupported(_ model: RobotModel) throws {
        guard model.nq == model.nv else {
            throw DatasetError.invalidRequest("goal-pd needs nq == nv (hinge and slide joints); \(model.source) has nq \(model.nq), nv \(model.nv)")
        }
        guard model.nu > 0 else { throw DatasetError.invalidRequest("goal-pd needs actuators; \(model.source) has none") }
    }

    /// kp, kd (nu) and the schedule of `gains` for `model`.
    static func resolved(_ gains: Gains, model: RobotModel) throws -> (kp: [Double], kd: [Double], schedule: (naturalFrequency: Double, dampingRatio: Double)?) {
        switch gains {
        case .fixed(let kp, let kd):
            guard kp.count == model.nu, kd.count == model.nu else { throw DatasetError.invalidRequest("goal-pd: kp and kd need one gain per actuator (\(model.nu))") }
            return (kp, kd, nil)
        case .scheduled(let omega, let zeta):
            // gains from the joint-space inertia at the reference pose: kp = M_jj ω², kd = 2 ζ M_jj ω
            let M = try RobotState(model: model).massMatrix()
            let joint = try model.actuatedDofs()
            return (joint.map { M[$0 * model.nv + $0] * omega * omega }, joint.map { 2 * zeta * M[$0 * model.nv + $0] * omega }, (omega, zeta))
        }
    }

    /// Minimum-jerk profile s(τ) = 10τ³ − 15τ⁴ + 6τ⁵ and its first and second derivatives in τ,
    /// for τ in [0, 1] (held at the ends outside).
    static func minimumJerk(_ tau: Double) -> (s: Double, ds: Double, dds: Double) {
        let t = min(max(tau, 0), 1)
        return (t * t * t * (10 - 15 * t + 6 * t * t), 30 * t * t * (1 - t) * (1 - t), 60 * t * (1 - t) * (1 - 2 * t))
    }

    /// The target path from `start` to `end`: positions, velocities and accelerations [T, nq].
    func targetPath(start: [Double], end: [Double], steps T: Int, moveSteps episodeMove: Int? = nil) -> (qpos: [Double], qvel: [Double], qacc: [Double]) {
        let nq = start.count
        let moveSteps = episodeMove ?? self.moveSteps
        let duration = Double(moveSteps) * dt
        var path = ([Double](repeating: 0, count: T * nq), [Double](repeating: 0, count: T * nq), [Double](repeating: 0, count: T * nq))
        for t in 0..<T {
            // hold the start pose for the reaction delay, then move along a minimum-jerk path
            let (s, ds, dds) = GoalPDPolicy.minimumJerk(Double(t - reactionDelay) / Double(moveSteps))
            let moving = t >= reactionDelay
            for i in 0..<nq {
                path.0[t * nq + i] = start[i] + (moving ? s : 0) * (end[i] - start[i])
                path.1[t * nq + i] = moving ? ds / duration * (end[i] - start[i]) : 0
                path.2[t * nq + i] = moving ? dds / (duration * duration) * (end[i] - start[i]) : 0
            }
        }
        return path
    }

    public func collect(_ batch: inout EpisodeBatch) throws -> CollectedEpisodes {
        let (model, controller) = (batch.model, batch.controllerModel ?? batch.model)
        let (B, T, nq, nu) = (batch.count, batch.steps, model.nq, model.nu)
        let K = goalQpos.count
        if let choices = moveStepsChoices, excluded.filter({ $0[0] < K }).count >= K * choices.count {
            throw DatasetError.invalidRequest("goal-pd: exclude removes every (goal, move_steps_choices) pair")
        }
        var goal = [Int](repeating: 0, count: B)
        var label = [Int](repeating: 0, count: B)
        var qposTarget = [Double](repeating: 0, count: B * T * nq)  // [B, T, nq]
        var qvelTarget = [Double](repeating: 0, count: B * T * nq)  // [B, T, nv]
        var qaccTarget = [Double](repeating: 0, count: B * T * nq)  // [B, T, nv]
        var offset = [Double](repeating: 0, count: B * T * nu)      // [B, T, nu]
        for b in 0..<B {
            // draw order per episode: goal, move steps (range or choices; (goal, choice) drawn again
            // while excluded), then control noise [T, nu]
            goal[b] = batch.generators[b].index(below: K)
            var move = moveStepsRange.map { $0.lowerBound + batch.generators[b].index(below: $0.count) }
            if let choices = moveStepsChoices {
                var choice = batch.generators[b].index(below: choices.count)
                while excluded.contains([goal[b], choice]) {
                    goal[b] = batch.generators[b].index(below: K)
                    choice = batch.generators[b].index(below: choices.count)
                }
                move = choices[choice]
                if labelsMoveSteps { label[b] = choice }
            }
            let start = Array(batch.qpos0[(b * nq)..<((b + 1) * nq)])
            let path = targetPath(start: start, end: goalQpos[goal[b]], steps: T, moveSteps: move)
            qposTarget.replaceSubrange((b * T * nq)..<((b + 1) * T * nq), with: path.qpos)
            qvelTarget.replaceSubrange((b * T * nq)..<((b + 1) * T * nq), with: path.qvel)
            qaccTarget.replaceSubrange((b * T * nq)..<((b + 1) * T * nq), with: path.qacc)
            if controlNoise > 0 {
                for i in 0..<(T * nu) { offset[b * T * nu + i] = controlNoise * batch.generators[b].gaussian() }
            }
        }
        if batch.processNoise > 0 {
            let noise = batch.processNoiseOffsets()
            for i in offset.indices { offset[i] += noise[i] }
        }
        if feedforward && B * T > 0 {
            // τ_ff = M q̈* + c(q*, q̇*) − passive(q*, q̇*), less g(q*) when the law adds g(q):
            // RNEA at the target acceleration minus RNEA at the passive acceleration (forward
            // dynamics without actuation, whose RNEA is the passive force)
            let rows = B * T
            let passiveQacc = try controller.forwardDynamics(qpos: qposTarget, qvel: qvelTarget, qfrc: nil, batch: rows, threads: batch.threads)
            let total = try controller.inverseDynamics(qpos: qposTarget, qvel: qvelTarget, qacc: qaccTarget, batch: rows, threads: batch.threads)
            let passive = try controller.inverseDynamics(qpos: qposTarget, qvel: qvelTarget, qacc: passiveQacc, batch: rows, threads: batch.threads)
            let gravity = gravityCompensation
                ? try controller.inverseDynamics(qpos: qposTarget, qvel: nil, qacc: [Double](repeating: 0, count: rows * nq), batch: rows, threads: batch.threads)
                : [Double](repeating: 0, count: rows * nq)
            let (joint, gear) = (try controller.actuatedDofs(), controller.actuators.gear)
            for r in 0..<rows {
                for a in 0..<nu {
                    let j = r * nq + joint[a]
                    offset[r * nu + a] += (total[j] - passive[j] - gravity[j]) / gear[a]
                }
            }
        }
        guard let schedule = gainSchedule else {
            let law = feedbackLaw(batch, kp: kp, kd: kd, qposTarget: qposTarget, qvelTarget: qvelTarget, offset: offset)
            let rollout = try model.rollout(qpos: batch.qpos0, qvel: batch.qvel0, batch: B, steps: T, feedback: law,
                                            sites: true, recordControls: true, threads: batch.threads)
            return CollectedEpisodes(rollout: rollout, goal: labelsMoveSteps ? label : goal)
        }
        return try scheduledRollout(batch, goal: goal, schedule: schedule, qposTarget: qposTarget, qvelTarget: qvelTarget, offset: offset)
    }

    /// Rolls out goal group by goal group with gains from the mass matrix along the group's nominal
    /// path (reference pose → goal), one simulator call per run of steps whose gains are equal.
    /// The PD law with gravity compensation as the simulator runs it, for a controller that models the
    /// robot as `batch.controllerModel`: the simulator divides forces by its own gears, so the gains
    /// are rescaled by gear_sim / gear_ctrl and the gravity term by g_ctrl / g_sim · gear_sim / gear_ctrl.
    func feedbackLaw(_ batch: EpisodeBatch, kp: [Double], kd: [Double], qposTarget: [Double], qvelTarget: [Double], offset: [Double]) -> FeedbackLaw {
        guard let controller = batch.controllerModel else {
            return FeedbackLaw(kp: kp, kd: kd, qposTarget: qposTarget, qvelTarget: qvelTarget, targetPerStep: true,
                               ctrlOffset: offset, gravityCompensation: gravityCompensation)
        }
        let ratio = zip(batch.model.actuators.gear, controller.actuators.gear).map { $0 / $1 }
        return FeedbackLaw(kp: zip(kp, ratio).map(*), kd: zip(kd, ratio).map(*), qposTarget: qposTarget, qvelTarget: qvelTarget,
                           targetPerStep: true, ctrlOffset: offset, gravityCompensation: gravityCompensation,
                           gravityScale: ratio.map { $0 * batch.controllerGravityRatio })
    }

    func scheduledRollout(_ batch: EpisodeBatch, goal: [Int], schedule: (naturalFrequency: Double, dampingRatio: Double),
                          qposTarget: [Double], qvelTarget: [Double], offset: [Double]) throws -> CollectedEpisodes {
        let model = batch.model
        let (B, T, nq, nv, nu, ns) = (batch.count, batch.steps, model.nq, model.nv, model.nu, model.nsite)
        let (omega, zeta) = schedule
        let joint = try model.actuatedDofs()
        // the gains follow the controller's model of the inertia
        let state = try RobotState(model: batch.controllerModel ?? model)
        var out = CollectedEpisodes(qpos: [Double](repeating: 0, count: B * (T + 1) * nq),
                                    qvel: [Double](repeating: 0, count: B * (T + 1) * nv),
                                    sites: [Double](repeating: 0, count: B * (T + 1) * ns * 3),
                                    ctrl: [Double](repeating: 0, count: B * T * nu), goal: goal)
        for k in 0..<goalQpos.count {
            let members = (0..<B).filter { goal[$0] == k }
            guard !members.isEmpty else { continue }
            let n = members.count
            // M_jj along the nominal path: inertia diagonal [T, nu]
            let nominal = targetPath(start: model.joints.qpos0, end: goalQpos[k], steps: T).qpos
            var inertia = [Double](repeating: 0, count: T * nu)
            for t in 0..<T {
                try state.set(qpos: Array(nominal[(t * nq)..<((t + 1) * nq)]), qvel: [Double](repeating: 0, count: nv))
                let M = state.massMatrix()
                for a in 0..<nu { inertia[t * nu + a] = M[joint[a] * nv + joint[a]] }
            }
            var qpos = members.flatMap { batch.qpos0[($0 * nq)..<(($0 + 1) * nq)] }  // [n, nq]
            var qvel = members.flatMap { batch.qvel0[($0 * nv)..<(($0 + 1) * nv)] }  // [n, nv]
            for (i, b) in members.enumerated() {
                for j in 0..<nq { out.qpos[b * (T + 1) * nq + j] = qpos[i * nq + j] }
                for j in 0..<nv { out.qvel[b * (T + 1) * nv + j] = qvel[i * nv + j] }
            }
            if ns > 0 {
                let sites = try model.kinematics(qpos: qpos, batch: n, threads: batch.threads).sites
                for (i, b) in members.enumerated() {
                    for j in 0..<(ns * 3) { out.sites[b * (T + 1) * ns * 3 + j] = sites[i * ns * 3 + j] }
                }
            }
            var t0 = 0
            while t0 < T {
                // a run [t0, t1) of steps with equal gains
                var t1 = t0 + 1
                while t1 < T && inertia[(t1 * nu)..<((t1 + 1) * nu)] == inertia[(t0 * nu)..<((t0 + 1) * nu)] { t1 += 1 }
                let m = inertia[(t0 * nu)..<((t0 + 1) * nu)]
                let steps = t1 - t0
                func rows(_ x: [Double], _ width: Int) -> [Double] {  // [n, steps, width] from [B, T, width]
                    members.flatMap { b in x[((b * T + t0) * width)..<((b * T + t1) * width)] }
                }
                let law = feedbackLaw(batch, kp: m.map { $0 * omega * omega }, kd: m.map { 2 * zeta * $0 * omega },
                                      qposTarget: rows(qposTarget, nq), qvelTarget: rows(qvelTarget, nv), offset: rows(offset, nu))
                let r = try model.rollout(qpos: qpos, qvel: qvel, batch: n, steps: steps, feedback: law,
                                          sites: true, recordControls: true, threads: batch.threads)
                for (i, b) in members.enumerated() {
                    // rows 1...steps of the run are steps t0+1...t1 of the episode
                    func copy(_ src: [Double], _ dst: inout [Double], _ width: Int) {
                        for s in 1...steps {
                            for j in 0..<width { dst[(b * (T + 1) + t0 + s) * width + j] = src[(i * (steps + 1) + s) * width + j] }
                        }
                    }
                    copy(r.qpos, &out.qpos, nq)
                    copy(r.qvel, &out.qvel, nv)
                    if ns > 0 { copy(r.sites, &out.sites, ns * 3) }
                    for j in 0..<(steps * nu) { out.ctrl[(b * T + t0) * nu + j] = r.ctrl[i * steps * nu + j] }
                    for j in 0..<nq { qpos[i * nq + j] = r.qpos[(i * (steps + 1) + steps) * nq + j] }
                    for j in 0..<nv { qvel[i * nv + j] = r.qvel[(i * (steps + 1) + steps) * nv + j] }
                }
                t0 = t1
            }
        }
        return out
    }
}
