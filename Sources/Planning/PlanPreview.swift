// PlanPreview: one MPC run from rest toward a goal among obstacles, reduced to what a live view
// draws (executed path, first alternatives, a one-line summary); failures kept, not thrown.

import EnergyModels
import Foundation

/// What to plan for: the site's goal and the obstacles (world coordinates, m).
public struct PlanRequest: Equatable, Sendable {
    public var goal: SIMD3<Double>
    public var obstacles: [Obstacle]

    public init(goal: SIMD3<Double>, obstacles: [Obstacle]) { (self.goal, self.obstacles) = (goal, obstacles) }
}

/// A finished plan for a request, or why there is none.
public struct PlanPreview {
    public var request: PlanRequest
    /// Executed positions [steps + 1, nq] from the start (the start alone when planning failed).
    public var qpos: [Double]
    /// The first replan's alternatives [alternativeCount, H, S], best first.
    public var alternatives: [Double]
    public var alternativeCount: Int
    /// One line: the planner, reached or why not, steps, final distance, wall time.
    public var summary: String
    /// The planning error, when planning failed.
    public var error: Error?
}

extension PlanningSetup {
    /// The default goal pose of live planning: a configuration whose site position is reachable by
    /// construction, a few tenths of a metre from the reference pose (nil: not a preset's robot).
    public static func exampleGoalPose(robot: String) -> [Double]? {
        switch Preset(rawValue: robot) {
        case .pointmass2d: return [0.3, 0.1]
        case .reacher2: return [0.6, 0.9]
        case .arm7: return [0.5, 0.6, 0, 0.6, 0, 0.4, 0]
        case nil: return nil
        }
    }

    /// One MPC run of `kind` from `start` (nq) at rest toward `request`, as `ebm plan` makes it;
    /// never throws: a failure comes back in `error` with the start as the path.
    public func preview(_ request: PlanRequest, kind: PlannerKind, learned: TrajectoryEnergyModel?, seed: UInt64, start: [Double]) -> PlanPreview {
        let clock = Date()
        do {
            var mpc = try controller(kind: kind, goal: request.goal, obstacles: request.obstacles, learned: learned, seed: seed)
            let o = try mpc.run(qpos: start, qvel: [Double](repeating: 0, count: model.nv))
            let status = o.success || o.failure == nil
                ? String(format: "%@ in %d steps, final distance %.4f m", o.success ? "reached the goal" : "failed", o.steps, o.finalDistance)
                : o.failure!.description
            return PlanPreview(request: request, qpos: o.qpos, alternatives: o.alternatives, alternativeCount: o.alternativeEnergies.count,
                               summary: String(format: "%@: %@ (%.2f s)", o.planner, status, Date().timeIntervalSince(clock)), error: nil)
        } catch {
            return PlanPreview(request: request, qpos: start, alternatives: [], alternativeCount: 0, summary: "planning failed: \(error)", error: error)
        }
    }
}

extension MPCOutcome {
    /// One line per replan: the step it planned at, the site's distance to `goal` there, the
    /// replan's time and the best plan's energy per term (and MALA's acceptance).
    public func replanLines(goal: GoalEnergy, replanEvery: Int, nq: Int) throws -> [String] {
        try replanTerms.enumerated().map { r, terms in
            let step = Swift.min(r * replanEvery, steps)
            let d = try goal.distances(qpos: Array(qpos[step * nq..<(step + 1) * nq]), count: 1)[0]
            let parts = terms.map { String(format: "%@ %.4g", $0.name, $0.energy) }.joined(separator: ", ")
            let accepted = r < acceptance.count ? String(format: "  acceptance %.2f", acceptance[r]) : ""
            return String(format: "replan %3d  step %4d  distance %.4f  %6.2f ms  ", r, step, d, 1000 * replanSeconds[r]) + parts + accepted
        }
    }
}

extension Obstacle {
    /// The centre and radius of a sphere (nil for a capsule): what plan files store.
    public var sphere: (centre: SIMD3<Double>, radius: Double)? {
        guard case .sphere(let c, let r) = self else { return nil }
        return (c, r)
    }

    /// The sphere's centre, or the midpoint of the capsule's segment (m).
    public var centre: SIMD3<Double> {
        let (a, b, _) = segment
        return (a + b) / 2  // a sphere's a = b = c: exactly c
    }
}
