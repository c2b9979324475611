import Foundation
import Simulation
import Trajectories
import XCTest
@testable import Scoring

/// ADE/FDE and goal coverage of sampled futures, worked out by hand on one-dimensional paths and
/// on the point mass, whose site sits at its (x, y) joint positions.
final class ForecastScoresTests: XCTestCase {
    func testErrorsBestOfKAndMeanByHand() throws {
        // one context, S = 1, 2 future steps; truth 0, 0; samples (1, 3) and (−2, 2)
        let s = try ForecastScores(paths: [1, 3, -2, 2], perContext: 2, truth: [0, 0], contexts: 1, steps: 2, stateSize: 1)
        XCTAssertEqual(s.adeBest, 2)        // ADEs 2 and 2
        XCTAssertEqual(s.adeMean, 2)
        XCTAssertEqual(s.fdeBest, 2)        // FDEs 3 and 2
        XCTAssertEqual(s.fdeMean, 2.5)
        XCTAssertEqual(s.perStepMean, [1.5, 2.5])
        XCTAssertEqual(s.perStepBest, [1, 2])
        XCTAssertEqual(s.samples, 0, "no goals: nothing counted")
        XCTAssertEqual(s.validity, 0)
        // two contexts average; the second is matched exactly
        let t = try ForecastScores(paths: [1, 3, 5, 6], perContext: 1, truth: [0, 0, 5, 6], contexts: 2, steps: 2, stateSize: 1)
        XCTAssertEqual(t.adeMean, 1)
        XCTAssertEqual(t.fdeBest, 1.5)
        // Euclidean over the state: (3, 4) from the origin is 5
        XCTAssertEqual(try ForecastScores(paths: [3, 4], perContext: 1, truth: [0, 0], contexts: 1, steps: 1, stateSize: 2).adeBest, 5)
    }

    func testGoalsAreAveragedFromFinalSitesAndCoveredWithinTheRadius() throws {
        let robot = try RobotModel.load("pointmass2d")
        let site = robot.index(of: .site, named: "center")!
        let height = try robot.kinematics(qpos: [0, 0], batch: 1).sites[site * 3 + 2]
        // two episodes per goal, one step each; final sites around (0.3, 0) for goal 0 and (0, 0.3) for goal 1
        let finals: [[Double]] = [[0.29, 0], [0.31, 0], [0, 0.28], [0, 0.32]]
        var sites: [Double] = []
        for f in finals { sites += [0, 0, height] + [f[0], f[1], height] }
        let data = TrajectoryDataset(episodes: 4, steps: 1, stateSize: 4, controlSize: 2, siteCount: 1,
                                     states: [Double](repeating: 0, count: 4 * 2 * 4), controls: [Double](repeating: 0, count: 8),
                                     sites: sites, goal: [0, 0, 1, 1], episodeSeed: [0, 1, 2, 3])
        let goals = GoalSet(robot: robot, site: site, siteName: "center", datasets: [data], siteCount: 1)
        XCTAssertEqual(goals.positions.count, 2)
        let expected: [Double] = [0.3, 0, height, 0, 0.3, height]
        let positions: [Double] = goals.positions.flatMap { $0 }
        for (p, q) in zip(positions, expected) { XCTAssertEqual(p, q, accuracy: 1e-12) }
        XCTAssertEqual(goals.nearest([0.1, 0.25, height]).goal, 1)
        // the data's own finals: within 2 cm of their goal's mean; one of three is 5 cm off
        XCTAssertEqual(try goals.validity(qpos: [0.29, 0, 0, 0.31, 0.35, 0.1], count: 3, radius: 0.02), 2.0 / 3, accuracy: 1e-15)
        // one context, three samples of one state (x, y, vx, vy): near goal 0, near goal 1, and NaN
        let paths: [Double] = [0.305, 0, 0, 0, 0.01, 0.29, 0, 0, .nan, 0, 0, 0]
        let s = try ForecastScores(paths: paths, perContext: 3, truth: [0.3, 0, 0, 0], contexts: 1, steps: 1, stateSize: 4,
                                   goals: goals, radius: 0.02)
        XCTAssertEqual(s.samples, 3)
        XCTAssertEqual(s.valid, 2, "the NaN sample lands on no goal")
        XCTAssertEqual(s.goalsCovered, 2)
        XCTAssertEqual(s.validity, 2.0 / 3, accuracy: 1e-15)
        // a tighter radius leaves only the first sample (5 mm off)
        let tight = try ForecastScores(paths: paths, perContext: 3, truth: [0.3, 0, 0, 0], contexts: 1, steps: 1, stateSize: 4,
                                       goals: goals, radius: 0.006)
        XCTAssertEqual(tight.valid, 1)
        XCTAssertEqual(tight.goalsCovered, 1)
    }
}
