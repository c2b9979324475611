import XCTest
@testable import Trajectories

/// Bad recipes: each error names the file and the problem.
final class RecipeTests: XCTestCase {
    func testCommittedRecipesParseAndBuild() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot.appendingPathComponent("trajectories").path)
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix(".train.json") }  // NAME.train.json: training configs
            .map { String($0.dropLast(5)) }
        for required in ["reacher2-goals4", "reacher2-random", "pointmass2d-goals4", "arm7-goals4", "pendulum-random",
                         "cartpole-random", "reacher2-tiny"] {
            XCTAssertTrue(names.contains(required), "missing recipe \(required)")
        }
        for name in names {
            let r = try committedRecipe(name)
            XCTAssertEqual(r.name, name, "a recipe's name equals its file name")
            let generator = try DatasetGenerator(recipe: r)  // robot, policy, IK all resolve
            // the first few episodes of each split generate, finite and of the recipe's shape
            for split in [Split.train, .test] {
                let data = try generator.generate(split, range: 0..<min(3, split == .train ? r.trainEpisodes : r.testEpisodes))
                XCTAssertEqual(data.steps, r.steps, name)
                XCTAssertTrue(data.states.allSatisfy { $0.isFinite }, "\(name): finite states")
            }
        }
    }

    func testReacher2Goals4MatchesTheIssue() throws {
        let r = try committedRecipe("reacher2-goals4")
        XCTAssertEqual(r.robot, "reacher2")
        XCTAssertEqual(r.timestep, 0.01)
        XCTAssertEqual(r.steps, 100)
        XCTAssertEqual(r.trainEpisodes, 2000)
        XCTAssertEqual(r.testEpisodes, 200)
        XCTAssertEqual(try r.policy.int("reaction_delay"), 8)
        let g = try DatasetGenerator(recipe: r)
        let goals = try XCTUnwrap(g.policy.goals)
        XCTAssertEqual(goals.targets.count, 4)
        for (k, target) in goals.targets.enumerated() {
            XCTAssertEqual((target[0] * target[0] + target[1] * target[1]).squareRoot(), 0.15, accuracy: 1e-12)
            XCTAssertEqual(atan2(target[1], target[0]), [0, .pi / 2, .pi, -.pi / 2][k], accuracy: 1e-9 + (k == 2 ? 1e-6 : 0))
        }
    }

    func testMalformedJSONNamesFileLineAndColumn() {
        assertThrows(["bad.json: malformed JSON at 1:14"]) { try recipe("{\"name\": \"x\" \"robot\": 1}", file: "bad.json") }
        assertFileError(.malformed, path: "bad.json", ["malformed JSON at 1:14"]) { try recipe("{\"name\": \"x\" \"robot\": 1}", file: "bad.json") }
        assertFileError(.malformed, path: "test.json", ["steps: must be >= 1"]) { try recipe(tinyRecipeText(["steps": "0"])) }
        // a recipe from bytes without a file: a request, not a file error
        XCTAssertThrowsError(try Recipe(json: Array(tinyRecipeText(["steps": "0"]).utf8))) {
            XCTAssertEqual($0 as? DatasetError, .invalidRequest("steps: must be >= 1, found 0"))
        }
    }

    func testNegativeAndMissingCounts() {
        assertThrows(["test.json: episodes.train: must be >= 0, found -5"]) {
            try recipe(tinyRecipeText(["episodes": "{\"train\": -5, \"test\": 1}"]))
        }
        assertThrows(["test.json: steps: must be >= 1, found 0"]) { try recipe(tinyRecipeText(["steps": "0"])) }
        assertThrows(["test.json: seed: must be >= 0"]) { try recipe(tinyRecipeText(["seed": "-1"])) }
        assertThrows(["test.json: steps: expected an integer, found 2.5"]) { try recipe(tinyRecipeText(["steps": "2.5"])) }
        assertThrows(["test.json: robot: missing"]) { try recipe(tinyRecipeText(["robot": nil])) }
        assertThrows(["test.json: episodes: train + test must be at least 1"]) {
            try recipe(tinyRecipeText(["episodes": "{\"train\": 0, \"test\": 0}"]))
        }
    }

    func testUnknownRobotPolicyFieldAndSite() {
        assertThrows(["test.json: robot:", "reacher9", "neither a built-in robot"]) {
            try DatasetGenerator(recipe: recipe(tinyRecipeText(["robot": "\"reacher9\""])))
        }
        assertThrows(["test.json: policy.type: unknown policy 'greedy' (known: random, sinusoid, goal-pd)"]) {
            try DatasetGenerator(recipe: recipe(tinyRecipeText(["policy": "{\"type\": \"greedy\"}"])))
        }
        assertThrows(["test.json: stepz: unknown field"]) { try recipe(tinyRecipeText(["stepz": "3"])) }
        assertThrows(["test.json: policy.thetaa: unknown field"]) {
            try DatasetGenerator(recipe: recipe(tinyRecipeText(["policy": "{\"type\": \"random\", \"thetaa\": 1}"])))
        }
        assertThrows(["test.json: policy.goals.site: reacher2 has no site 'tip' (sites: fingertip)"]) {
            try DatasetGenerator(recipe: recipe(tinyRecipeText(["policy": "{\"type\": \"goal-pd\", \"goals\": {\"site\": \"tip\", \"points\": [[0.1, 0, 0]]}, \"kp\": 1, \"kd\": 1}"])))
        }
    }

    func testWrongVectorLengthsAndUnreachableGoals() {
        assertThrows(["test.json: policy.kp: expected 2 numbers (one per actuator), found 3"]) {
            try DatasetGenerator(recipe: recipe(tinyRecipeText(["policy": "{\"type\": \"goal-pd\", \"goals\": {\"joints\": [[0, 1]]}, \"kp\": [1, 2, 3], \"kd\": 1}"])))
        }
        assertThrows(["test.json: initial.qpos_std: expected 2 numbers (nq of reacher2), found 1"]) {
            try DatasetGenerator(recipe: recipe(tinyRecipeText(["initial": "{\"qpos_std\": [0.1]}"])))
        }
        assertThrows(["test.json: policy.goals.site: goal 0", "is not reachable"]) {
            try DatasetGenerator(recipe: recipe(tinyRecipeText(["policy": "{\"type\": \"goal-pd\", \"goals\": {\"site\": \"fingertip\", \"points\": [[0.5, 0, 0.01]]}, \"kp\": 1, \"kd\": 1}"])))
        }
    }

    func testRecipeFileErrors() throws {
        assertThrows(["nowhere/none.json: no such recipe file"]) { try Recipe.load("nowhere/none.json") }
        assertFileError(.notFound, path: "nowhere/none.json", ["no such recipe file"]) { try Recipe.load("nowhere/none.json") }
        // a folder where the recipe file should be: there, but not readable
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recipe-folder-\(getpid()).json")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        assertFileError(.unreadable, path: folder.path, ["cannot read the recipe file"]) { try Recipe.load(folder.path) }
        assertThrows(["no such recipe file", "reacher2-goals4"]) {
            try Recipe.load("nonexistent", searchDirectory: repositoryRoot.appendingPathComponent("trajectories").path)
        }
    }

    func testShardParsing() throws {
        XCTAssertEqual(try Shard(parsing: "2/5"), try Shard(index: 2, count: 5))
        assertThrows(["shard index 4 is out of range 0..<4"]) { try Shard(parsing: "4/4") }
        assertThrows(["shard index -1 is out of range"]) { try Shard(parsing: "-1/4") }
        assertThrows(["shard count 0 must be at least 1"]) { try Shard(parsing: "0/0") }
        assertThrows(["not of the form i/n"]) { try Shard(parsing: "1-4") }
        // the shards of a split partition it in order
        let ranges = (0..<3).map { try! Shard(index: $0, count: 3).range(of: 10) }
        XCTAssertEqual(ranges, [0..<3, 3..<6, 6..<10])
    }
}
