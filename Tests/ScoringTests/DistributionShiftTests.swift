import Foundation
import Simulation
import Trajectories
import XCTest
@testable import Scoring

/// Each data shift changes exactly what it claims; recipe shifts change the recipe they claim.
final class DistributionShiftTests: XCTestCase {
    /// E episodes, T steps, S = 4 (nq = 2), goals 0, 0, 1, 1, …; values distinct per (e, t, d).
    func data(episodes: Int = 4, steps: Int = 20) -> TrajectoryDataset {
        var states: [Double] = []
        for e in 0..<episodes {
            for t in 0...steps { for d in 0..<4 { states.append(Double(e) + 0.01 * Double(t * t) + Double(d) * 0.3) } }
        }
        return TrajectoryDataset(episodes: episodes, steps: steps, stateSize: 4, controlSize: 1, siteCount: 1, states: states,
                                 controls: (0..<(episodes * steps)).map(Double.init), sites: (0..<(episodes * (steps + 1) * 3)).map(Double.init),
                                 goal: (0..<episodes).map { Int64($0 / 2) }, episodeSeed: (0..<episodes).map(Int64.init))
    }

    func testReversalPlaysBackwardsWithNegatedVelocities() throws {
        let d = data()
        let r = try DistributionShift.reversed.transform(d, positionCount: 2, seed: 0)
        for e in 0..<4 {
            for t in 0...20 {
                let (a, b) = (Array(r.state(episode: e, step: t)), Array(d.state(episode: e, step: 20 - t)))
                XCTAssertEqual(a, [b[0], b[1], -b[2], -b[3]])
            }
        }
        XCTAssertEqual(try DistributionShift.reversed.transform(r, positionCount: 2, seed: 0), d)
    }

    func testAveragingMixesEpisodesWithDifferentGoals() throws {
        let d = data()
        let a = try DistributionShift.averaged.transform(d, positionCount: 2, seed: 0)
        XCTAssertEqual(DistributionShift.partner(of: 0, goals: d.goal), 2)
        XCTAssertEqual(DistributionShift.partner(of: 3, goals: d.goal), 0)
        for t in [0, 7, 20] {
            let expected = zip(d.state(episode: 0, step: t), d.state(episode: 2, step: t)).map { ($0 + $1) / 2 }
            XCTAssertEqual(Array(a.state(episode: 0, step: t)), expected)
        }
        XCTAssertEqual(a.goal, [-1, -1, -1, -1])
    }

    /// reacher2 episodes ending at A = (0, 0), B = (0, 0.2), C = (1.5, 0), D = (−1.5, 0), one goal each
    /// (the fingertip there): A+B ends ~1 cm from A's goal and C+D exactly on it, so those pairs are
    /// skipped for the next partner whose average ends ≥ 3 cm from every goal.
    func testAveragedPairsEndOffEveryGoal() throws {
        let robot = try RobotModel.load("reacher2")
        let site = try XCTUnwrap(robot.index(of: .site, named: "fingertip"))
        let finals: [[Double]] = [[0, 0], [0, 0.2], [1.5, 0], [-1.5, 0]]
        var states: [Double] = []
        for q in finals { for t in 0...2 { states += [q[0] * Double(t) / 2, q[1] * Double(t) / 2, 0, 0] } }
        let data = TrajectoryDataset(episodes: 4, steps: 2, stateSize: 4, controlSize: 1, siteCount: 1, states: states,
                                     controls: [Double](repeating: 0, count: 8), sites: [Double](repeating: 0, count: 36),
                                     goal: [0, 1, 2, 3], episodeSeed: [0, 1, 2, 3])
        let goalSites = try robot.kinematics(qpos: finals.flatMap { $0 }, batch: 4).sites
        let goals = (0..<4).map { g in (0..<3).map { goalSites[(g * robot.nsite + site) * 3 + $0] } }
        let rule = AveragedEndpointRule(robot: robot, site: site, goals: goals)
        let pairs = try rule.pairs(data, positionCount: 2)
        XCTAssertEqual(pairs.map(\.episode), [0, 1, 2, 3])
        XCTAssertEqual(pairs.map(\.partner), [2, 2, 0, 0])
        let averaged = try DistributionShift.averaged.transform(data, positionCount: 2, seed: 0, endpoints: rule)
        XCTAssertEqual(Array(averaged.state(episode: 2, step: 2)), [0.75, 0, 0, 0])
        XCTAssertEqual(averaged.goal, [-1, -1, -1, -1])
        // without the rule every episode takes the next one of another goal, A+B included
        let any = try DistributionShift.averagedAny.transform(data, positionCount: 2, seed: 0, endpoints: rule)
        XCTAssertEqual(Array(any.state(episode: 0, step: 2)), [0, 0.1, 0, 0])
        // a rule no pair can meet is an error, not an empty shift
        XCTAssertThrowsError(try DistributionShift.averaged.transform(data, positionCount: 2, seed: 0,
                                                                       endpoints: AveragedEndpointRule(robot: robot, site: site, goals: goals, minimumDistance: 10)))
    }

    func testGlitchCorruptsThreeStepsAndNoiseCorruptsAllBySeed() throws {
        let d = data(episodes: 6, steps: 50)
        let g = try DistributionShift.glitch.transform(d, positionCount: 2, seed: 7)
        for e in 0..<6 {
            let changed = (0...50).filter { Array(g.state(episode: e, step: $0)) != Array(d.state(episode: e, step: $0)) }
            XCTAssertEqual(changed.count, 3)
            XCTAssertFalse(changed.contains(0))
        }
        XCTAssertEqual(try DistributionShift.glitch.transform(d, positionCount: 2, seed: 7), g)
        XCTAssertNotEqual(try DistributionShift.glitch.transform(d, positionCount: 2, seed: 8), g)
        let n = try DistributionShift.noise.transform(d, positionCount: 2, seed: 1)
        let spread = DistributionShift.standardDeviation(d)
        // the added noise has 0.05 of each coordinate's spread (n = 306 draws: ±15% at 2.5σ)
        for k in 0..<4 {
            let diffs = stride(from: k, to: d.states.count, by: 4).map { n.states[$0] - d.states[$0] }
            let rms = (diffs.map { $0 * $0 }.reduce(0, +) / Double(diffs.count)).squareRoot()
            XCTAssertEqual(rms / (0.05 * spread[k]), 1, accuracy: 0.15)
        }
    }

    func testRecipeShiftsSetPhysicsOrPolicy() throws {
        let original = try JSONValue.parse(Array("{\"name\": \"r\", \"policy\": {\"type\": \"goal-pd\"}, \"steps\": 5}".utf8))
        XCTAssertEqual(try DistributionShift.mass.recipe(from: original)["physics"]?["mass_scale"], .number(2, isInteger: false))
        XCTAssertEqual(try DistributionShift.damping.recipe(from: original)["physics"]?["damping_scale"], .number(5, isInteger: false))
        XCTAssertEqual(try DistributionShift.gear.recipe(from: original)["physics"]?["gear_scale"], .number(0.5, isInteger: false))
        XCTAssertEqual(try DistributionShift.controller.recipe(from: original)["policy"]?["type"], .string("random"))
        XCTAssertEqual(try DistributionShift.mass.recipe(from: original)["name"], .string("r-mass"))
        XCTAssertThrowsError(try DistributionShift.noise.recipe(from: original))
        XCTAssertThrowsError(try DistributionShift.mass.transform(data(), positionCount: 2, seed: 0))
    }
}
