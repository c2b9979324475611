import ArgumentParser
import EnergyModels
import Foundation
import NeuralCore
import Planning
import Simulation
import Trajectories

/// `ebm bench plan`: the fixed, seeded planning suite — every planner on the same goals.
struct BenchPlan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Planning suite: success, steps, collisions, ms per replan and distinct routes for each planner.",
        discussion: """
        Goals (seeded): 100 for reacher2 from q = 0 (every other one behind a 2 cm sphere on the \
        fingertip's straight line to it, when that sphere leaves the start and goal poses free), \
        100 for pointmass2d from the origin, 0.25–0.35 m away with a 4 cm sphere halfway, 50 for \
        arm7 from the upright pose. Success: the site within 1 cm (reacher2, arm7) or 2 cm \
        (pointmass2d) of the goal, the same for every planner. Routes: the share of obstacle cases \
        whose alternatives take ≥ 2 sides of the obstacle. Use --threads 1 for the one-core timing.
        """)

    @Option(help: "Robots, comma-separated.") var robots: String = "reacher2,pointmass2d,arm7"
    @Option(help: "Planners, comma-separated.") var planners: String = PlannerKind.allCases.map(\.rawValue).joined(separator: ",")
    @Option(help: "Goals per robot (default: the suite's 100, 100, 50).") var goals: Int?
    @Option(name: .customLong("model-reacher2"), help: "Learned model for reacher2 (run folder).") var modelReacher2: String?
    @Option(name: .customLong("model-pointmass2d"), help: "Learned model for pointmass2d (run folder).") var modelPointmass2d: String?
    @Option(name: .customLong("model-arm7"), help: "Learned model for arm7 (run folder).") var modelArm7: String?
    @Option(name: .customLong("dynamics-reacher2"), help: "Feedforward transition model for reacher2's mppi-ff / cem-ff (run folder).") var dynamicsReacher2: String?
    @Option(name: .customLong("dynamics-pointmass2d"), help: "Feedforward transition model for pointmass2d's mppi-ff / cem-ff (run folder).") var dynamicsPointmass2d: String?
    @Option(name: .customLong("dynamics-arm7"), help: "Feedforward transition model for arm7's mppi-ff / cem-ff (run folder).") var dynamicsArm7: String?
    @Option(help: "Simulator worker threads (1: the one-core measurement).") var threads: Int = 1
    @Option(help: "Write the results as JSON here.") var json: String?
    @Option(help: "Suite seed.") var seed: UInt64 = 2025
    @OptionGroup var tuning: PlannerOptions
    @Flag(help: "Print one line per episode (goal, obstacle, outcome).") var verbose = false

    func validate() throws {
        for p in planners.split(separator: ",") where PlannerKind(rawValue: String(p)) == nil {
            throw ValidationError("--planners: unknown planner '\(p)' (known: \(PlannerKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if let goals, goals < 1 { throw ValidationError("--goals must be at least 1") }
    }

    func run() throws {
        let learned = ["reacher2": modelReacher2, "pointmass2d": modelPointmass2d, "arm7": modelArm7].compactMapValues { $0 }
        let dynamics = ["reacher2": dynamicsReacher2, "pointmass2d": dynamicsPointmass2d, "arm7": dynamicsArm7].compactMapValues { $0 }
        let rows = try PlanningSuite.run(robots: robots.split(separator: ",").map(String.init), kinds: planners.split(separator: ",").map { PlannerKind(rawValue: String($0))! },
                                         count: goals, learned: learned, dynamics: dynamics, threads: threads, seed: seed, verbose: verbose,
                                         configure: { try tuning.apply(to: &$0) }) { print($0) }
        if let json {
            let value = PlanningSuite.record(rows: rows, threads: threads, seed: seed)
            do { try AtomicFile.write(Array((value.serialized() + "\n").utf8), to: URL(fileURLWithPath: json)) } catch { throw CLIError.failed("--json \(json): \(error)") }
        }
    }
}
