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

    public init(parameters p: RecipeObject, model: RobotModel) throws {
        try p.rejectUnknownKeys(["type", "goals", "kp", "kd", "natural_frequency", "damping_ratio", "reaction_delay", "move_steps", "move_steps_range", "control_noise",
                                 "gravity_compensation", "feedforward", "ik", "move_steps_choices", "label", "exclude"])
        let (nq, nu) = (model.nq, model.nu)
        guard model.nq == model.nv else {
            throw p.error("type", "goal-pd needs nq == nv (hinge and slide joints); \(model.source) has nq \(nq), nv \(model.nv)")
        }
        guard nu > 0 else { throw p.error("type", "goal-pd needs actuators; \(model.source) has none") }
        if p["natural_frequency"] != nil {
            // gains from the joint-space inertia at the reference pose: kp = M_jj ω², kd = 2 ζ M_jj ω
            guard p["kp"] == nil, p["kd"] == nil else { throw p.error("natural_frequency", "give kp and kd, or natural_frequency, not both") }
            let omega = try p.double("natural_frequency", in: 1e-9...1e6)
            let zeta = try p.double("damping_ratio", default: 1, in: 0...1e6)
            let state = try RobotState(model: model)
            let M = state.massMatrix()
            let joint = model.actuators.joint
            kp = joint.map { M[$0 * model.nv + $0] * omega * omega }
            kd = joint.map { 2 * zeta * M[$0 * model.nv + $0] * omega }
            gainSchedule = (omega, zeta)
        } else {
            gainSchedule = nil
            kp = try p.vector("kp", count: nu, countName: "one per actuator", default: .nan)
            kd = try p.vector("kd", count: nu, countName: "one per actuator", default: .nan)
            guard !kp.contains(where: { $0.isNaN }) else { throw p.error("kp", "missing (PD gains kp and kd, or natural_frequency, are required)") }
            guard !kd.contains(where: { $0.isNaN }) else { throw p.error("kd", "missing (PD gains kp and kd, or natural_frequency, are required)") }
        }
        reactionDelay = try p.int("reaction_delay", default: 0, minimum: 0)
        moveSteps = try p.int("move_steps", default: 40, minimum: 1)
        if p["move_steps_range"] != nil {
            let range = try p.doubles("move_steps_range", count: 2, countName: "shortest and longest move, in steps")
            guard range.allSatisfy({ $0 >= 1 && $0 == $0.rounded() }), range[0] <= range[1] else {
                throw p.error("move_steps_range", "expected two whole numbers 1 <= shortest <= longest, found \(range)")
            }
            guard p["natural_frequency"] == nil else { throw p.error("move_steps_range", "scheduled gains (natural_frequency) follow one nominal move; give kp and kd") }
            moveStepsRange = Int(range[0])...Int(range[1])
        }
        if p["move_steps_choices"] != nil {
            let choices = try p.doubles("move_steps_choices", countName: "move durations, in steps")
            guard !choices.isEmpty, choices.allSatisfy({ $0 >= 1 && $0 == $0.rounded() }) else {
                throw p.error("move_steps_choices", "expected whole numbers >= 1, found \(choices)")
            }
            guard p["move_steps_range"] == nil, p["natural_frequency"] == nil else {
                throw p.error("move_steps_choices", "give move_steps_choices without move_steps_range and natural_frequency (fixed kp and kd)")
            }
            moveStepsChoices = choices.map { Int($0) }
        }
        switch p["label"] {
        case nil, .string("goal")?: labelsMoveSteps = false
        case .string("move_steps")?:
            guard moveStepsChoices != nil else { throw p.error("label", "label move_steps needs move_steps_choices") }
            labelsMoveSteps = true
        case let other?: throw p.error("label", "expected \"goal\" or \"move_steps\", found \(other)")
        }
        if let pairs = p["exclude"] {
            guard let choices = moveStepsChoices, case .array(let items) = pairs else {
                throw p.error("exclude", "expected an array of [goal, choice] pairs, with move_steps_choices")
            }
            for (k, item) in items.enumerated() {
                let pair = try RecipeObject.doubles(item, path: p.fieldPath("exclude") + "[\(k)]", count: 2, countName: "goal index, choice index", file: p.file)
                guard pair.allSatisfy({ $0 >= 0 && $0 == $0.rounded() }), Int(pair[1]) < choices.count else {
                    throw p.error("exclude", "pair \(k) \(pair): expected a goal index and a move_steps_choices index")
                }
                excluded.insert(pair.map { Int($0) })
            }
        }
        controlNoise = try p.double("control_noise", default: 0, in: 0...1e6)
        if let g = p["gravity_compensation"] {
            guard case .bool(let flag) = g else { throw p.error("gravity_compensation", "expected true or false, found \(g.kindName)") }
            gravityCompensation = flag
        } else {
            gravityCompensation = true
        }
        if let f = p["feedforward"] {
            guard case .bool(let flag) = f else { throw p.error("feedforward", "expected true or false, found \(f.kindName)") }
            feedforward = flag
        } else {
            feedforward = false
        }
        dt = model.options.timestep

        // goals → joint configurations
        guard let spec = try p.object("goals") else { throw p.error("goals", "missing (site goals or joint goals)") }
        try spec.rejectUnknownKeys(["site", "circle", "points", "joints"])
        if spec["joints"] != nil {
            guard case .array(let items) = spec["joints"]! , !items.isEmpty else {
                throw spec.error("joints", "expected a non-empty array of joint configurations")
            }
            goalQpos = try items.enumerated().map { k, item in
                try RecipeObject.doubles(item, path: spec.fieldPath("joints") + "[\(k)]", count: nq,
                                         countName: "nq of \(model.source)", file: p.file)
            }
            goals = ("joints", goalQpos)
            return
        }
        let siteName = try spec.string("site")
        guard let site = model.index(of: .site, named: siteName) else {
            let known = model.names(.site).filter { !$0.isEmpty }
            throw spec.error("site", "\(model.source) has no site '\(siteName)' (sites: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
        }
        var ik = InverseKinematics(model: model, site: site)
        var seed = model.joints.qpos0
        var tolerance = 1e-3
        if let options = try p.object("ik") {
            try options.rejectUnknownKeys(["seed", "iterations", "damping", "tolerance"])
            if options["seed"] != nil { seed = try options.doubles("seed", count: nq, countName: "nq of \(model.source)") }
            ik.iterations = try options.int("iterations", default: ik.iterations, minimum: 1)
            ik.damping = try options.double("damping", default: ik.damping, in: 0...1e6)
            tolerance = try options.double("tolerance", default: tolerance, in: 0...1e6)
        }
        var targets: [[Double]]
        if let circle = try spec.object("circle") {
            try circle.rejectUnknownKeys(["radius", "count", "center", "phase"])
            let radius = try circle.double("radius", in: 0...1e6)
            let count = try circle.int("count", minimum: 1)
            let phase = try circle.double("phase", default: 0)
            var centre: [Double]
            if circle["center"] != nil {
                centre = try circle.doubles("center", count: 3, countName: "x, y, z")
            } else {
                let z = try model.kinematics(qpos: seed, batch: 1).sites[site * 3 + 2]
                centre = [0, 0, z]
            }
            targets = (0..<count).map { k in
                let angle = phase + 2 * Double.pi * Double(k) / Double(count)
                return [centre[0] + radius * cos(angle), centre[1] + radius * sin(angle), centre[2]]
            }
        } else if let points = spec["points"] {
            guard case .array(let items) = points, !items.isEmpty else {
                throw spec.error("points", "expected a non-empty array of [x, y, z] points")
            }
            targets = try items.enumerated().map { k, item in
                try RecipeObject.doubles(item, path: spec.fieldPath("points") + "[\(k)]", count: 3, countName: "x, y, z", file: p.file)
            }
        } else {
            throw spec.error("site", "site goals need \"circle\" or \"points\"")
        }
        let solution = try ik.solve(targets: targets, seed: seed)
        for (k, residual) in solution.residual.enumerated() where !(residual <= tolerance) {
            throw spec.error("site", String(format: "goal %d %@ is not reachable: inverse kinematics ends %.4g m away (tolerance %.4g m); move the goal or change ik.seed",
                                            k, "\(targets[k])", residual, tolerance))
        }
        goalQpos = (0..<targets.count).map { Array(solution.qpos[($0 * nq)..<(($0 + 1) * nq)]) }
        goals = ("site:" + siteName, targets)
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
        let model = batch.model
        let (B, T, nq, nu) = (batch.count, batch.steps, model.nq, model.nu)
        let K = goalQpos.count
        if let choices = moveStepsChoices, excluded.filter({ $0[0] < K }).count >= K * choices.count {
            throw DatasetError("goal-pd: exclude removes every (goal, move_steps_choices) pair")
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
            let passiveQacc = try model.forwardDynamics(qpos: qposTarget, qvel: qvelTarget, qfrc: nil, batch: rows, threads: batch.threads)
            let total = try model.inverseDynamics(qpos: qposTarget, qvel: qvelTarget, qacc: qaccTarget, batch: rows, threads: batch.threads)
            let passive = try model.inverseDynamics(qpos: qposTarget, qvel: qvelTarget, qacc: passiveQacc, batch: rows, threads: batch.threads)
            let gravity = gravityCompensation
                ? try model.inverseDynamics(qpos: qposTarget, qvel: nil, qacc: [Double](repeating: 0, count: rows * nq), batch: rows, threads: batch.threads)
                : [Double](repeating: 0, count: rows * nq)
            let (joint, gear) = (model.actuators.joint, model.actuators.gear)
            for r in 0..<rows {
                for a in 0..<nu {
                    let j = r * nq + joint[a]
                    offset[r * nu + a] += (total[j] - passive[j] - gravity[j]) / gear[a]
                }
            }
        }
        guard let schedule = gainSchedule else {
            let law = FeedbackLaw(kp: kp, kd: kd, qposTarget: qposTarget, qvelTarget: qvelTarget, targetPerStep: true,
                                  ctrlOffset: offset, gravityCompensation: gravityCompensation)
            let rollout = try model.rollout(qpos: batch.qpos0, qvel: batch.qvel0, batch: B, steps: T, feedback: law,
                                            sites: true, recordControls: true, threads: batch.threads)
            return CollectedEpisodes(rollout: rollout, goal: labelsMoveSteps ? label : goal)
        }
        return try scheduledRollout(batch, goal: goal, schedule: schedule, qposTarget: qposTarget, qvelTarget: qvelTarget, offset: offset)
    }

    /// Rolls out goal group by goal group with gains from the mass matrix along the group's nominal
    /// path (reference pose → goal), one simulator call per run of steps whose gains are equal.
    func scheduledRollout(_ batch: EpisodeBatch, goal: [Int], schedule: (naturalFrequency: Double, dampingRatio: Double),
                          qposTarget: [Double], qvelTarget: [Double], offset: [Double]) throws -> CollectedEpisodes {
        let model = batch.model
        let (B, T, nq, nv, nu, ns) = (batch.count, batch.steps, model.nq, model.nv, model.nu, model.nsite)
        let (omega, zeta) = schedule
        let joint = model.actuators.joint
        let state = try RobotState(model: model)
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
                let law = FeedbackLaw(kp: m.map { $0 * omega * omega }, kd: m.map { 2 * zeta * $0 * omega },
                                      qposTarget: rows(qposTarget, nq), qvelTarget: rows(qvelTarget, nv), targetPerStep: true,
                                      ctrlOffset: rows(offset, nu), gravityCompensation: gravityCompensation)
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
