import Simulation
import XCTest
@testable import Trajectories

final class DatasetGeneratorTests: XCTestCase {
    var scratch: URL!
    override func setUpWithError() throws { scratch = try makeScratchDirectory() }
    override func tearDownWithError() throws { if let scratch { try? FileManager.default.removeItem(at: scratch) } }

    // MARK: - Determinism

    func testSameRecipeGivesIdenticalBytesAtOneAndAllThreadsAndAnyBatchSize() throws {
        let generator = try DatasetGenerator(recipe: committedRecipe("reacher2-tiny"))
        let one = scratch.appendingPathComponent("one"), all = scratch.appendingPathComponent("all")
        try generator.write(to: one, projectVersion: "test", threads: 1)
        try generator.write(to: all, projectVersion: "test", threads: 0)
        let a = try folderBytes(one), b = try folderBytes(all)
        XCTAssertEqual(a.keys.sorted(), ["meta.json", "test.npz", "train.npz"])
        XCTAssertEqual(a, b)
        // batch composition does not matter either
        let whole = try generator.generate(.train, threads: 2, batchSize: 100)
        let pieces = try generator.generate(.train, threads: 1, batchSize: 3)
        XCTAssertEqual(whole, pieces)
        XCTAssertEqual(try TrajectoryDataset(contentsOf: one.appendingPathComponent("train.npz")), whole)
    }

    func testShardedAndMergedEqualsSingleRun() throws {
        let generator = try DatasetGenerator(recipe: committedRecipe("reacher2-tiny"))
        let single = scratch.appendingPathComponent("single")
        try generator.write(to: single, projectVersion: "test")
        var shards: [URL] = []
        for i in [2, 0, 1] {  // any order
            let url = scratch.appendingPathComponent("shard\(i)")
            try generator.write(to: url, shard: Shard(index: i, count: 3), projectVersion: "test")
            shards.append(url)
        }
        let merged = scratch.appendingPathComponent("merged")
        try DatasetFolder.merge(shards: shards, into: merged)
        XCTAssertEqual(try folderBytes(merged), try folderBytes(single))

        assertThrows(["missing shard 2 of 3"]) { try DatasetFolder.merge(shards: Array(shards.dropFirst()), into: merged) }
        assertThrows(["duplicate shard 0"]) { try DatasetFolder.merge(shards: shards + [shards[1]], into: merged) }
        assertThrows(["single/meta.json: not a shard"]) { try DatasetFolder.merge(shards: [single], into: merged) }
        // merged one shard at a time (issue 18): a shard of another width, or holding more episodes than
        // its header says, is an error naming it, and the merged folder stays as it was
        let before = try folderBytes(merged)
        let shard1 = shards[2].appendingPathComponent("train.npz")   // shards[2] is shard 1, after shard 0 set the width
        let original = try TrajectoryDataset(contentsOf: shard1)
        var wider = TrajectoryDataset.empty(steps: original.steps, stateSize: original.stateSize + 1, controlSize: original.controlSize, siteCount: original.siteCount)
        wider.episodes = original.episodes
        wider.states = [Double](repeating: 0.5, count: original.episodes * (original.steps + 1) * (original.stateSize + 1))
        (wider.controls, wider.sites, wider.goal, wider.episodeSeed) = (original.controls, original.sites, original.goal, original.episodeSeed)
        try wider.write(to: shard1)
        assertThrows(["shard1/train.npz", "cannot append"]) { try DatasetFolder.merge(shards: shards, into: merged) }
        XCTAssertEqual(try folderBytes(merged), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.hasPrefix(".") }, [], "no partial folder left")
    }

    // MARK: - The reacher2-goals4 behaviour

    /// Episodes end settled on their goal, and the goal is invisible during the reaction delay.
    func testReacher2Goals4SettlesOnItsGoals() throws {
        let generator = try DatasetGenerator(recipe: committedRecipe("reacher2-goals4"))
        let targets = try XCTUnwrap(generator.policy.goals).targets
        let data = try generator.generate(.train, range: 0..<200)  // a tenth of the training split
        var distances: [Double] = [], speeds: [Double] = [], counts = [0, 0, 0, 0]
        for e in 0..<data.episodes {
            let g = Int(data.goal[e])
            counts[g] += 1
            // fingertip at the last step: sites [E, T+1, 1, 3]
            let base = (e * (data.steps + 1) + data.steps) * 3
            let d = (0..<3).map { data.sites[base + $0] - targets[g][$0] }
            distances.append((d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).squareRoot())
            // settled: joint speeds small at the end (control noise keeps them jittering)
            let last = data.state(episode: e, step: data.steps)
            speeds.append(abs(last[last.startIndex + 2]) + abs(last[last.startIndex + 3]))
        }
        let median = distances.sorted()[distances.count / 2]
        XCTAssertLessThan(median, 0.01, "median final fingertip distance to goal, in m")
        XCTAssertLessThan(distances.max()!, 0.03)
        XCTAssertLessThan(speeds.sorted()[speeds.count / 2], 0.3, "median |qvel0| + |qvel1| at the end, rad/s (peak during the move: ~10)")
        XCTAssertTrue(counts.allSatisfy { $0 >= 30 }, "every goal is drawn: \(counts)")
    }

    /// arm7-goals4 (gravity, 7 joints whose inertia changes tenfold between poses): episodes end
    /// settled on their 3-D goal, slow, with controls rarely at their limits.
    func testArm7Goals4SettlesOnItsGoals() throws {
        let generator = try DatasetGenerator(recipe: committedRecipe("arm7-goals4"))
        let targets = try XCTUnwrap(generator.policy.goals).targets
        let site = try XCTUnwrap(generator.model.index(of: .site, named: "ee"))
        let data = try generator.generate(.train, range: 0..<100)  // the first 100 training episodes
        let (nq, ns) = (generator.model.nq, generator.model.nsite)
        var distances: [Double] = [], speeds: [Double] = [], counts = [0, 0, 0, 0]
        for e in 0..<data.episodes {
            let g = Int(data.goal[e])
            counts[g] += 1
            // ee at the last step: sites [E, T+1, nsite, 3]
            let base = ((e * (data.steps + 1) + data.steps) * ns + site) * 3
            let d = (0..<3).map { data.sites[base + $0] - targets[g][$0] }
            distances.append((d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).squareRoot())
            let last = data.state(episode: e, step: data.steps)
            speeds.append(last.dropFirst(nq).map { $0 * $0 }.reduce(0, +).squareRoot())
        }
        let median = distances.sorted()[distances.count / 2]
        XCTAssertLessThan(median, 0.01, "median final ee distance to goal, in m")
        XCTAssertLessThan(distances.max()!, 0.03, "max final ee distance to goal, in m")
        // settled: control noise keeps the joints jittering at ~0.05–0.1 rad/s each (peaks during the move: ~1–5)
        XCTAssertLessThan(speeds.sorted()[speeds.count / 2], 0.8, "median final |qvel| (7 joints), rad/s")
        XCTAssertLessThan(speeds.max()!, 2, "max final |qvel| (7 joints), rad/s")
        let saturated = data.controls.filter { abs($0) >= 0.999 }.count
        XCTAssertLessThan(Double(saturated) / Double(data.controls.count), 0.01, "share of controls at their ±1 limit")
        XCTAssertTrue(counts.allSatisfy { $0 >= 12 }, "every goal is drawn: \(counts)")
    }

    /// With every goal moved onto goal 0, the first reaction_delay + 1 states stay bit-identical:
    /// nothing before the delay depends on the goal.
    func testStatesBeforeTheReactionDelayDoNotDependOnTheGoal() throws {
        let a = try DatasetGenerator(recipe: recipe(tinyRecipeText([
            "policy": "{\"type\": \"goal-pd\", \"goals\": {\"joints\": [[0.5, 1], [-0.5, 1], [1, -1], [-1, -1]]}, \"kp\": 100, \"kd\": 20, \"reaction_delay\": 4, \"move_steps\": 5, \"control_noise\": 0.05}"])))
        let b = try DatasetGenerator(recipe: recipe(tinyRecipeText([
            "policy": "{\"type\": \"goal-pd\", \"goals\": {\"joints\": [[0.5, 1], [0.5, 1], [0.5, 1], [0.5, 1]]}, \"kp\": 100, \"kd\": 20, \"reaction_delay\": 4, \"move_steps\": 5, \"control_noise\": 0.05}"])))
        let x = try a.generate(.train), y = try b.generate(.train)
        XCTAssertEqual(x.goal, y.goal)
        for e in 0..<x.episodes {
            for t in 0...4 { XCTAssertEqual(x.state(episode: e, step: t), y.state(episode: e, step: t)) }
            if x.goal[e] != 0 { XCTAssertNotEqual(x.state(episode: e, step: 8), y.state(episode: e, step: 8)) }
        }
    }

    // MARK: - Other policies

    func testRandomAndSinusoidPoliciesStayInRangeAndDiffer() throws {
        for policy in ["{\"type\": \"random\", \"theta\": 5, \"sigma\": 0.5}", "{\"type\": \"sinusoid\"}"] {
            let g = try DatasetGenerator(recipe: recipe(tinyRecipeText(["policy": policy, "process_noise": "0.01"])))
            let data = try g.generate(.train)
            XCTAssertTrue(data.controls.allSatisfy { abs($0) <= 1 }, "reacher2 controls clamped to [-1, 1]")
            XCTAssertEqual(data.goal, [Int64](repeating: -1, count: data.episodes))
            XCTAssertNotEqual(data.controls[0..<2], data.controls[(data.steps * 2)..<(data.steps * 2 + 2)], "episodes differ")
        }
    }

    /// A user-defined closed-loop policy, stepped in Swift through model.step, plugs in by type.
    struct BangBang: ClosedLoopPolicy {
        static let typeName = "bang-bang"
        init(parameters: RecipeObject, model: RobotModel) throws { try parameters.rejectUnknownKeys(["type"]) }
        func controls(qpos: [Double], qvel: [Double], step: Int, goal: [Int], batch: inout EpisodeBatch) throws -> [Double] {
            qpos.map { $0 > 0 ? -2 : 2 }  // clamped to ±1 by the recorder and the simulator
        }
    }

    func testCustomClosedLoopPolicyIsPluggable() throws {
        let r = try recipe(tinyRecipeText(["policy": "{\"type\": \"bang-bang\"}"]))
        assertThrows(["unknown policy 'bang-bang'"]) { try DatasetGenerator(recipe: r) }
        let g = try DatasetGenerator(recipe: r, policies: BuiltinPolicies.all + [BangBang.self])
        let data = try g.generate(.train)
        XCTAssertTrue(data.controls.allSatisfy { $0 == 1 || $0 == -1 })
        // independent check of one step: replay step 0 of episode 0 through model.step
        var q = Array(data.state(episode: 0, step: 0).prefix(2)), v = Array(data.state(episode: 0, step: 0).suffix(2))
        try g.model.step(qpos: &q, qvel: &v, controls: Array(data.controls[0..<2]), batch: 1)
        XCTAssertEqual(q + v, Array(data.state(episode: 0, step: 1)))
        XCTAssertEqual(try g.generate(.train, threads: 1, batchSize: 2), data)
    }

    // MARK: - Inverse kinematics

    /// DLS IK for reacher2 checked against its analytic forward kinematics (links 0.1 and 0.11 m).
    func testInverseKinematicsAgainstAnalyticKinematics() throws {
        let model = try RobotModel.builtin("reacher2")
        let ik = InverseKinematics(model: model, site: model.index(of: .site, named: "fingertip")!)
        let targets = [[0.15, 0.0, 0.01], [0.0, -0.12, 0.01], [-0.2, 0.03, 0.01]]
        let (q, residual) = try ik.solve(targets: targets, seed: [0, 1.5])
        for k in 0..<targets.count {
            XCTAssertLessThan(residual[k], 1e-6)
            let (a, b) = (q[2 * k], q[2 * k + 1])
            XCTAssertEqual(0.1 * cos(a) + 0.11 * cos(a + b), targets[k][0], accuracy: 1e-6)
            XCTAssertEqual(0.1 * sin(a) + 0.11 * sin(a + b), targets[k][1], accuracy: 1e-6)
        }
    }
}
