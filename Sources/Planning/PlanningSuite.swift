// PlanningSuite: the fixed, seeded planning benchmark — goals (and obstacles) per robot, every
// planner run on the same cases, and per-planner rows of success, steps, collisions and timing.

import EnergyModels
import Foundation
import NeuralCore
import Simulation
import Trajectories

/// The seeded goals of `ebm bench plan` and the tally of one planner over them.
public enum PlanningSuite {
    /// One goal (a site position, in m) and the obstacles in the way.
    public struct Case: Sendable {
        public var goal: SIMD3<Double>
        public var obstacles: [Obstacle]
        public init(goal: SIMD3<Double>, obstacles: [Obstacle]) { (self.goal, self.obstacles) = (goal, obstacles) }
    }

    /// Goals per robot when not given: 50 for arm7, 100 for the others.
    public static func defaultCount(robot: String) -> Int { robot == "arm7" ? 50 : 100 }

    /// The seeded goals (and obstacles) of one robot, starting from q = 0 at rest: reacher2 draws
    /// reachable configurations (every other one behind a 2 cm sphere halfway along the straight
    /// line, when that sphere leaves both poses free); pointmass2d goals 0.25–0.35 m away with a
    /// 4 cm sphere halfway; any other robot draws configurations within 80% of its joint ranges.
    public static func cases(robot: String, setup: PlanningSetup, count: Int, seed: UInt64) throws -> [Case] {
        let m = setup.model
        var g = SeededGenerator(seed: seed ^ UInt64(robot.utf8.reduce(0) { $0 &* 31 &+ Int($1) }))
        func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * g.nextUnitDouble() }
        guard let site = m.index(of: .site, named: setup.site) else { throw PlanningError.invalidArgument("\(m.source) has no site '\(setup.site)'") }
        let zero = [Double](repeating: 0, count: m.nq)
        func sitePosition(_ q: [Double]) throws -> SIMD3<Double> {
            let s = try m.kinematics(qpos: q, batch: 1).sites
            return SIMD3(s[site * 3], s[site * 3 + 1], s[site * 3 + 2])
        }
        let start = try sitePosition(zero)
        var cases: [Case] = []
        switch robot {
        case "reacher2":
            let layout = try PlanLayout(horizon: 1, nq: 2, nv: 2, timestep: 0.01)
            let geometry = try CollisionGeometry(robot: m)
            while cases.count < count {
                let q = [uniform(-2.6, 2.6), uniform(-2.4, 2.4)]
                let p = try sitePosition(q)
                let r = (p.x * p.x + p.y * p.y).squareRoot()
                guard r > 0.08, ((p - start) * (p - start)).sum().squareRoot() > 0.06 else { continue }
                var obstacles: [Obstacle] = []
                if cases.count % 2 == 1 {
                    let mid = (start + p) / 2
                    let candidate = Obstacle.sphere(center: SIMD3(mid.x, mid.y, start.z), radius: 0.02)
                    let term = try ObstacleEnergy(geometry: geometry, obstacles: [candidate], margin: 0, layout: layout)
                    let clearance = try term.clearance(qpos: zero + q, count: 2)
                    if clearance.allSatisfy({ $0 > 0.02 }) { obstacles = [candidate] }
                }
                cases.append(Case(goal: p, obstacles: obstacles))
            }
        case "pointmass2d":
            for _ in 0..<count {
                let (angle, distance) = (uniform(-Double.pi, Double.pi), uniform(0.25, 0.35))
                let p = start + SIMD3(distance * cos(angle), distance * sin(angle), 0)
                cases.append(Case(goal: p, obstacles: [.sphere(center: (start + p) / 2, radius: 0.04)]))
            }
        default:
            let joints = m.joints
            for _ in 0..<count {
                let q = (0..<m.nq).map { j in joints.limited[j] ? 0.8 * uniform(joints.range[j].0, joints.range[j].1) : uniform(-Double.pi, Double.pi) }
                cases.append(Case(goal: try sitePosition(q), obstacles: []))
            }
        }
        return cases
    }

    /// One planner's tally over one robot's cases.
    public struct Row: Sendable {
        public var robot: String, planner: String, goals: Int, successes = 0, infeasible = 0, errors = 0
        /// Steps to the goal of each success; executed steps inside an obstacle, and the episodes with any.
        public var steps: [Int] = [], collisions = 0, collidingEpisodes = 0
        /// Median milliseconds per replan of each episode.
        public var ms: [Double] = []
        /// Obstacle cases that took a step, and those whose alternatives took ≥ 2 sides.
        public var obstacleCases = 0, multiRoute = 0
        /// Per episode of a Metropolis-adjusted planner: mean acceptance.
        public var acceptance: [Double] = []

        public init(robot: String, planner: String, goals: Int) { (self.robot, self.planner, self.goals) = (robot, planner, goals) }

        public var meanAcceptance: Double? { acceptance.isEmpty ? nil : acceptance.reduce(0, +) / Double(acceptance.count) }
        public var meanSteps: Double { steps.isEmpty ? 0 : Double(steps.reduce(0, +)) / Double(steps.count) }
        /// The upper median (the element at count / 2 of the sorted values); 0 when empty.
        public func median(_ x: [Double]) -> Double { x.isEmpty ? 0 : x.sorted()[x.count / 2] }

        /// Adds one episode's outcome; `obstacles`: whether its case had any.
        public mutating func add(_ o: MPCOutcome, obstacles: Bool) {
            if o.success { successes += 1; steps.append(o.steps) }
            if case .infeasible? = o.failure { infeasible += 1 }
            collisions += o.collisions
            if o.collisions > 0 { collidingEpisodes += 1 }
            ms.append(o.medianReplanMilliseconds)
            if let a = o.meanAcceptance { acceptance.append(a) }
            if obstacles && o.steps > 0 {
                obstacleCases += 1
                if o.routes >= 2 { multiRoute += 1 }
            }
        }

        /// The row as `ebm bench plan --json` writes it (keys in this order).
        public var json: JSONValue {
            var fields: [(String, JSONValue)] = [("robot", .string(robot)), ("planner", .string(planner)), ("goals", .number(Double(goals), isInteger: true)),
                     ("success_rate", .number(Double(successes) / Double(goals), isInteger: false)),
                     ("mean_steps_to_goal", .number(meanSteps, isInteger: false)),
                     ("collision_steps", .number(Double(collisions), isInteger: true)),
                     ("colliding_episodes", .number(Double(collidingEpisodes), isInteger: true)),
                     ("ms_per_replan", .number(median(ms), isInteger: false)),
                     ("obstacle_cases", .number(Double(obstacleCases), isInteger: true)),
                     ("multi_route_cases", .number(Double(multiRoute), isInteger: true)),
                     ("no_feasible_plan", .number(Double(infeasible), isInteger: true)),
                     ("errors", .number(Double(errors), isInteger: true))]
            if let a = meanAcceptance { fields.append(("acceptance", .number(a, isInteger: false))) }
            return .object(fields)
        }
    }

    /// Runs `kind` on every case from q = 0 at rest (case i seeded `seed + i`); an episode that throws
    /// counts as an error. `episode` sees each case's index, outcome (nil after an error) as it finishes.
    public static func run(_ kind: PlannerKind, robot: String, planner: String, cases: [Case], setup: PlanningSetup,
                           learned: TrajectoryEnergyModel? = nil, dynamics: FeedforwardPredictor? = nil, seed: UInt64,
                           episode: (Int, MPCOutcome?) -> Void = { _, _ in }) -> Row {
        var row = Row(robot: robot, planner: planner, goals: cases.count)
        for (i, c) in cases.enumerated() {
            do {
                var mpc = try setup.controller(kind: kind, goal: c.goal, obstacles: c.obstacles, learned: learned, dynamics: dynamics,
                                               seed: seed &+ UInt64(i))
                let o = try mpc.run(qpos: [Double](repeating: 0, count: setup.model.nq), qvel: [Double](repeating: 0, count: setup.model.nv))
                row.add(o, obstacles: !c.obstacles.isEmpty)
                episode(i, o)
            } catch {
                row.errors += 1
                episode(i, nil)
            }
        }
        return row
    }
}

extension PlanningSuite {
    /// The suite of `ebm bench plan`: for each robot its seeded cases (`count`, else `defaultCount`),
    /// then each planner in `kinds` on them (skipped, with a row saying so, when it needs a
    /// transition model and `dynamics` names none for the robot). `learned` and `dynamics` map robot
    /// names to run folders; `configure` adjusts each robot's setup. The markdown table goes to
    /// `printed` row by row (with `verbose`, one line per episode too); a bar on standard error
    /// shows each planner's progress. Returns the rows run.
    public static func run(robots: [String], kinds: [PlannerKind], count: Int?, learned: [String: String] = [:], dynamics: [String: String] = [:],
                           threads: Int, seed: UInt64, verbose: Bool = false, configure: (inout PlanningSetup) throws -> Void = { _ in },
                           printed: (String) -> Void) throws -> [Row] {
        var rows: [Row] = []
        markdownHeader.forEach(printed)
        for robot in robots {
            var setup: PlanningSetup
            do { setup = try PlanningSetup.defaults(robot: robot) } catch { throw PlanningError.invalidArgument("--robots: \(error)") }
            setup.threads = threads
            try configure(&setup)
            let learnedModel = try setup.learnedModel(learned[robot])
            let transition = try setup.transitionModel(dynamics[robot])
            let cases = try self.cases(robot: robot, setup: setup, count: count ?? defaultCount(robot: robot), seed: seed)
            for kind in kinds {
                if kind.needsDynamics && transition == nil {
                    printed(skippedRow(robot: robot, kind: kind))
                    continue
                }
                let planner = plannerName(kind, learned: learnedModel != nil)
                let bar = ProgressBar(total: cases.count, unit: "goals")
                let row = run(kind, robot: robot, planner: planner, cases: cases, setup: setup, learned: learnedModel, dynamics: transition, seed: seed) { i, outcome in
                    if verbose, let o = outcome { printed(cases[i].line(robot: robot, planner: planner, index: i, outcome: o)) }
                    bar.update(i + 1)
                }
                rows.append(row)
                printed(row.markdown)
            }
        }
        return rows
    }
}
