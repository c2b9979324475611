// ModelPredictiveController: the receding-horizon loop — check feasibility, replan every n steps,
// execute in the true simulator, stop at the goal or after a bounded number of steps.

import Foundation
import Simulation
import Trajectories

/// Settings of the loop.
public struct MPCSettings: Sendable {
    /// Steps executed between replans n (≤ H).
    public var replanEvery: Int
    /// Simulator steps before giving up.
    public var maxSteps: Int
    /// Success radius: site distance (m) or joint distance.
    public var tolerance: Double
    /// Executed states the planner reads as history (≥ the learned model's k).
    public var historyLength: Int
    public var seed: UInt64

    public init(replanEvery: Int, maxSteps: Int, tolerance: Double, historyLength: Int = 1, seed: UInt64 = 1) {
        (self.replanEvery, self.maxSteps, self.tolerance, self.historyLength, self.seed) = (replanEvery, maxSteps, tolerance, historyLength, seed)
    }
}

/// A finished run.
public struct MPCOutcome: Sendable {
    public var planner: String
    /// Reached the goal within tolerance.
    public var success: Bool
    /// Why not, when it did not.
    public var failure: Failure?
    /// Steps executed (to the goal when successful).
    public var steps: Int
    /// Final site (or joint) distance to the goal.
    public var finalDistance: Double
    /// Executed steps whose state penetrates an obstacle.
    public var collisions: Int
    /// Executed qpos (steps + 1, nq), qvel (steps + 1, nv), controls (steps, nu).
    public var qpos: [Double], qvel: [Double], ctrl: [Double]
    /// Seconds per replan (replans).
    public var replanSeconds: [Double]
    /// The first replan's alternatives (K, H, S), best first, and energies (K).
    public var alternatives: [Double], alternativeEnergies: [Double]
    /// Most distinct routes among one replan's alternatives (see `Routes`).
    public var routes: Int
    /// Per replan: the best plan's weighted energy per term (see `Replan.terms`).
    public var replanTerms: [[(name: String, energy: Double)]] = []
    /// Per replan of a Metropolis-adjusted planner: the share of proposals accepted.
    public var acceptance: [Double] = []
    /// Mean of `acceptance`, nil when there is none.
    public var meanAcceptance: Double? { acceptance.isEmpty ? nil : acceptance.reduce(0, +) / Double(acceptance.count) }
    /// Median milliseconds per replan.
    public var medianReplanMilliseconds: Double {
        guard !replanSeconds.isEmpty else { return 0 }
        let s = replanSeconds.sorted()
        let m = s.count / 2
        return 1000 * (s.count % 2 == 1 ? s[m] : 0.5 * (s[m - 1] + s[m]))
    }
}

extension MPCOutcome {
    /// Why a run did not reach the goal; its description is the sentence `ebm plan` prints.
    public enum Failure: Sendable, Equatable, CustomStringConvertible {
        /// No collision-free configuration reaches the goal (found before the first step).
        case infeasible(reason: String)
        /// The goal was still farther than the tolerance after `steps` steps (final distance in m, or joint units).
        case notReached(steps: Int, finalDistance: Double)

        public var description: String {
            switch self {
            case .infeasible(let reason): return "no feasible plan: " + reason
            case .notReached(let steps, let d): return "not reached within \(steps) steps (final distance \(String(format: "%.4f", d)))"
            }
        }
    }

    /// The run as `summary.json` of `ebm plan` holds it: success, final_distance (m), steps,
    /// collisions, ms_per_replan (median), routes, planner, and acceptance for MALA.
    public var summary: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("success", .bool(success)), ("final_distance", .number(finalDistance, isInteger: false)),
            ("steps", .number(Double(steps), isInteger: true)), ("collisions", .number(Double(collisions), isInteger: true)),
            ("ms_per_replan", .number(medianReplanMilliseconds, isInteger: false)),
            ("routes", .number(Double(routes), isInteger: true)), ("planner", .string(planner))]
        if let a = meanAcceptance { fields.append(("acceptance", .number(a, isInteger: false))) }
        return .object(fields)
    }
}

/// Plans, executes n steps in the simulator, replans with a warm start; K alternatives per replan.
public struct ModelPredictiveController {
    public let model: RobotModel
    public var replanner: any Replanner
    /// The goal (its target and distance).
    public let goal: GoalEnergy
    /// The obstacles (collision counting and feasibility), or nil.
    public let obstacles: ObstacleEnergy?
    public var settings: MPCSettings
    /// The static feasibility check run before the first step; nil skips it.
    public var feasibility: FeasibilityCheck?

    public init(model: RobotModel, replanner: any Replanner, goal: GoalEnergy, obstacles: ObstacleEnergy?, settings: MPCSettings,
                feasibility: FeasibilityCheck?) throws {
        guard settings.replanEvery >= 1, settings.replanEvery <= replanner.layout.horizon else {
            throw PlanningError.invalidArgument("mpc: replan every \(settings.replanEvery) steps must lie in 1...H (\(replanner.layout.horizon))")
        }
        guard settings.maxSteps >= 1 else { throw PlanningError.invalidArgument("mpc: maxSteps must be at least 1") }
        guard settings.tolerance > 0 else { throw PlanningError.invalidArgument("mpc: tolerance must be positive") }
        (self.model, self.replanner, self.goal, self.obstacles, self.settings, self.feasibility) = (model, replanner, goal, obstacles, settings, feasibility)
    }

    /// Runs from qpos (nq), qvel (nv) to the goal, a failure, or `maxSteps`; `afterStep` sees the
    /// run after each `step` (e.g. for a progress bar; not called when the start already ends it).
    public mutating func run(qpos: [Double], qvel: [Double], afterStep: (MPCRun) -> Void = { _ in }) throws -> MPCOutcome {
        var run = try start(qpos: qpos, qvel: qvel)
        while !run.finished {
            try step(&run)
            afterStep(run)
        }
        return run.outcome
    }

    /// Begins a run from qpos (nq), qvel (nv): resets the replanner, measures the distance and runs the
    /// feasibility check. The run is already finished when the start is within tolerance or no plan is feasible.
    public mutating func start(qpos: [Double], qvel: [Double]) throws -> MPCRun {
        replanner.reset()
        var run = MPCRun(outcome: MPCOutcome(planner: replanner.name, success: false, failure: nil, steps: 0,
                                             finalDistance: try goal.distances(qpos: qpos, count: 1)[0], collisions: 0,
                                             qpos: qpos, qvel: qvel, ctrl: [], replanSeconds: [], alternatives: [], alternativeEnergies: [], routes: 0),
                         history: qpos + qvel, qpos: qpos, qvel: qvel)
        if let clearance = try obstacles?.clearance(qpos: qpos, count: 1).first, clearance < 0 {
            // a start inside an obstacle is no success, however close the goal (issue 18)
            let reason = String(format: "the start lies %.4f m inside an obstacle", -clearance)
            (run.outcome.failure, run.outcome.collisions, run.finished) = (.infeasible(reason: reason), 1, true)
        } else if run.outcome.finalDistance <= settings.tolerance {
            (run.outcome.success, run.finished) = (true, true)
        } else if let check = feasibility, let reason = try check.verdict(qpos: qpos) {
            (run.outcome.failure, run.finished) = (.infeasible(reason: reason), true)
        }
        return run
    }

    /// One receding-horizon step of a run: replan from its current state, execute up to
    /// `replanEvery` steps in the simulator (stopping at the goal), and finish the run at the goal
    /// or at `maxSteps`. Does nothing to a finished run.
    public mutating func step(_ run: inout MPCRun) throws {
        guard !run.finished else { return }
        let (nq, nv, nu, S) = (model.nq, model.nv, model.nu, model.nq + model.nv)
        let start = try PlanStart(history: Array(run.history.suffix(settings.historyLength * S)), stateSize: S)
        let n = Swift.min(settings.replanEvery, settings.maxSteps - run.outcome.steps)
        let clock = DispatchTime.now().uptimeNanoseconds
        let plan = try replanner.replan(start: start, steps: n, seed: settings.seed &+ UInt64(run.replans) &* 0x9E37_79B9)
        run.outcome.replanSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - clock) * 1e-9)
        if run.replans == 0 { (run.outcome.alternatives, run.outcome.alternativeEnergies) = (plan.alternatives, plan.energies) }
        run.outcome.replanTerms.append(plan.terms)
        if let a = plan.acceptance { run.outcome.acceptance.append(a) }
        if let obstacles {
            run.outcome.routes = Swift.max(run.outcome.routes, try Routes.count(alternatives: plan.alternatives, layout: replanner.layout,
                                                                                  current: Array(start.current), goal: goal, obstacles: obstacles.obstacles))
        } else {
            run.outcome.routes = Swift.max(run.outcome.routes, 1)
        }
        run.replans += 1
        let (q, v) = (run.qpos, run.qvel)
        let r: Rollout
        switch plan.action {
        case .controls(let u):
            r = try model.rollout(qpos: q, qvel: v, batch: 1, steps: n, controls: u, sites: false, recordControls: true)
        case .track(let tq, let tv, let ff):
            let law = FeedbackLaw(kp: (replanner as? StatePlanner)?.tracker.kp ?? [Double](repeating: 0, count: nu),
                                  kd: (replanner as? StatePlanner)?.tracker.kd ?? [Double](repeating: 0, count: nu),
                                  qposTarget: tq, qvelTarget: tv, targetPerStep: true, ctrlOffset: ff, gravityCompensation: false)
            r = try model.rollout(qpos: q, qvel: v, batch: 1, steps: n, feedback: law, sites: false, recordControls: true)
        }
        let newQ = Array(r.qpos[nq...]), newV = Array(r.qvel[nv...])
        let d = try goal.distances(qpos: newQ, count: n)
        let clearance = try obstacles?.clearance(qpos: newQ, count: n)
        // keep the executed steps up to the first one within tolerance
        let reached = d.firstIndex { $0 <= settings.tolerance }
        let keep = (reached ?? (n - 1)) + 1
        run.outcome.qpos += newQ[0..<keep * nq]
        run.outcome.qvel += newV[0..<keep * nv]
        run.outcome.ctrl += r.ctrl[0..<keep * nu]
        run.outcome.collisions += clearance.map { $0[0..<keep].filter { $0 < 0 }.count } ?? 0
        run.outcome.steps += keep
        run.outcome.finalDistance = d[keep - 1]
        for t in 0..<keep { run.history += newQ[t * nq..<(t + 1) * nq]; run.history += newV[t * nv..<(t + 1) * nv] }
        run.history = Array(run.history.suffix(settings.historyLength * S))
        (run.qpos, run.qvel) = (Array(newQ[(keep - 1) * nq..<keep * nq]), Array(newV[(keep - 1) * nv..<keep * nv]))
        if reached != nil {
            (run.outcome.success, run.finished) = (true, true)
        } else if run.outcome.steps >= settings.maxSteps {
            (run.outcome.failure, run.finished) = (.notReached(steps: settings.maxSteps, finalDistance: run.outcome.finalDistance), true)
        }
    }
}

/// A run of `ModelPredictiveController` in progress: the outcome so far and the state the next
/// `step` starts from.
public struct MPCRun: Sendable {
    /// The executed trajectory, replans and result so far.
    public internal(set) var outcome: MPCOutcome
    /// The goal was reached, no plan is feasible, or `maxSteps` were executed.
    public internal(set) var finished = false
    /// Executed states the planner reads ((≤ historyLength) × (nq + nv)).
    var history: [Double]
    /// The current state: qpos (nq), qvel (nv).
    public internal(set) var qpos: [Double], qvel: [Double]
    /// Replans made so far.
    public internal(set) var replans = 0
}

/// Distinct routes among alternative plans: for each obstacle, the side on which a plan's site
/// passes it — sign of ((g − s) × ẑ)·(p − c), p the plan's site position nearest the obstacle's
/// centre c, s the current site, g the goal (left or right of the line of travel, seen from
/// above) — and a route is one pattern of sides over all obstacles. Plans that never come within
/// 2 radii of an obstacle's centre give it no side.
public enum Routes {
    public static func count(alternatives: [Double], layout: PlanLayout, current: [Double], goal: GoalEnergy,
                             obstacles: [Obstacle]) throws -> Int {
        guard case .site(let site, let g) = goal.target, !obstacles.isEmpty else { return 1 }
        let (H, S, nq) = (layout.horizon, layout.stateSize, layout.nq)
        let K = alternatives.count / (H * S)
        var qpos = Array(current.prefix(nq))
        for n in 0..<(K * H) { qpos += alternatives[n * S..<n * S + nq] }
        let sites = try goal.model.kinematics(qpos: qpos, batch: 1 + K * H, threads: goal.threads).sites
        let ns = goal.model.nsite
        func p(_ n: Int) -> SIMD3<Double> { let i = (n * ns + site) * 3; return SIMD3(sites[i], sites[i + 1], sites[i + 2]) }
        let travel = g - p(0)
        let side = SIMD3(travel.y, -travel.x, 0)   // (g − s) × ẑ
        var patterns = Set<[Int]>()
        for k in 0..<K {
            let pattern = obstacles.map { obstacle -> Int in
                let (a, b, r) = obstacle.segment
                let c = (a + b) / 2
                let nearest = (0..<H).map { p(1 + k * H + $0) }.min { simd_length($0 - c) < simd_length($1 - c) }!
                guard simd_length(nearest - c) < 2 * Swift.max(r, simd_length(b - a) / 2) + 0.05 else { return 0 }
                let x = simd_dot(side, nearest - c)
                return x > 0 ? 1 : (x < 0 ? -1 : 0)
            }
            patterns.insert(pattern)
        }
        return patterns.count
    }
}
