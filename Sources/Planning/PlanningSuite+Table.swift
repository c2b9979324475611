// PlanningSuite+Table: the suite in words — the Markdown table `ebm bench plan` prints, one row
// per robot and planner, and one line per episode for --verbose.

import Foundation
import Trajectories

extension PlanningSuite {
    /// The table's header and rule.
    public static let markdownHeader = ["| robot | planner | success | steps to goal | collisions (steps / episodes) | ms per replan | ≥2 routes (obstacle cases) |",
                                        "|---|---|---|---|---|---|---|"]

    /// The table's row for a planner that needs a learned transition model the robot was not given.
    public static func skippedRow(robot: String, kind: PlannerKind) -> String {
        "| \(robot) | \(kind.rawValue) | skipped: no --dynamics-\(robot) | | | | |"
    }

    /// The row's planner name: the kind, with "+ebm" when a learned energy joins a state planner.
    public static func plannerName(_ kind: PlannerKind, learned: Bool) -> String { kind.rawValue + (learned && !kind.plansControls ? "+ebm" : "") }

    /// The suite's record (`ebm bench plan --json`): threads, seed and each row's `json`.
    public static func record(rows: [Row], threads: Int, seed: UInt64) -> JSONValue {
        .object([("threads", .number(Double(threads), isInteger: true)), ("seed", .number(Double(seed), isInteger: true)), ("rows", .array(rows.map(\.json)))])
    }
}

extension PlanningSuite.Row {
    /// The row of the Markdown table: success rate, mean steps, collisions, median ms per replan,
    /// multi-route share, and the errors, infeasible goals and MALA acceptance when there are any.
    public var markdown: String {
        String(format: "| %@ | %@ | %.0f%% (%d/%d) | %.1f | %d / %d | %.2f | %d/%d |", robot, planner,
               100 * Double(successes) / Double(goals), successes, goals, meanSteps, collisions, collidingEpisodes,
               median(ms), multiRoute, obstacleCases)
            + (errors > 0 ? " (\(errors) errors)" : "") + (infeasible > 0 ? " (\(infeasible) no feasible plan)" : "")
            + (meanAcceptance.map { String(format: " (acceptance %.2f)", $0) } ?? "")
    }
}

extension PlanningSuite.Case {
    /// One episode of the case in words: goal, first obstacle, outcome.
    public func line(robot: String, planner: String, index i: Int, outcome o: MPCOutcome) -> String {
        let obstacle = obstacles.first.map { o -> String in
            guard let (centre, r) = o.sphere else { return " obstacle" }
            return String(format: " obstacle (%.3f, %.3f, %.3f) r %.3f", centre.x, centre.y, centre.z, r)
        } ?? ""
        return String(format: "  %@ %@ goal %d (%.3f, %.3f, %.3f)%@: %@ %d steps, final %.4f m, %d collisions, %d routes, %.2f ms",
                      robot, planner, i, goal.x, goal.y, goal.z, obstacle, o.success ? "reached" : "failed",
                      o.steps, o.finalDistance, o.collisions, o.routes, o.medianReplanMilliseconds)
            + (o.failure.map { " (\($0))" } ?? "")
    }
}
