import Foundation
import Simulation
import XCTest
@testable import Trajectories

/// The goal-pd policy built from typed parameters collects the same episodes as the recipe form.
final class GoalPDPolicyTypedTests: XCTestCase {
    func episodes(_ policy: GoalPDPolicy, model: RobotModel) throws -> CollectedEpisodes {
        let count = 4
        var batch = EpisodeBatch(model: model, count: count, steps: 30, qpos0: [Double](repeating: 0.1, count: count * model.nq),
                                 qvel0: [Double](repeating: 0, count: count * model.nv),
                                 generators: (0..<count).map { EpisodeGenerator(seed: UInt64(11 + $0)) }, processNoise: 0, threads: 1)
        return try policy.collect(&batch)
    }

    func testTypedAndRecipeFormsAgree() throws {
        let model = try RobotModel.load("reacher2")
        let json = """
        {"type": "goal-pd", "goals": {"joints": [[0.5, 1.0], [-0.5, 1.5]]}, "kp": [100, 80], "kd": 20,
         "reaction_delay": 3, "move_steps": 12, "control_noise": 0.02}
        """
        let recipe = try GoalPDPolicy(parameters: RecipeObject(JSONValue.parse(Array(json.utf8)), path: "policy", file: nil), model: model)
        let typed = try GoalPDPolicy(model: model, goalQpos: [[0.5, 1.0], [-0.5, 1.5]], gains: .fixed(kp: [100, 80], kd: [20, 20]),
                                     reactionDelay: 3, moveSteps: 12, controlNoise: 0.02)
        XCTAssertEqual(typed.kp, recipe.kp)
        XCTAssertEqual(typed.kd, recipe.kd)
        XCTAssertEqual(typed.goalQpos, recipe.goalQpos)
        let (a, b) = (try episodes(typed, model: model), try episodes(recipe, model: model))
        XCTAssertEqual(a.qpos, b.qpos)
        XCTAssertEqual(a.ctrl, b.ctrl)
        XCTAssertEqual(a.goal, b.goal)
        // scheduled gains: kp = M_jj ω² at the reference pose, as the recipe's natural_frequency
        let scheduledJSON = "{\"type\": \"goal-pd\", \"goals\": {\"joints\": [[0.5, 1.0]]}, \"natural_frequency\": 10, \"damping_ratio\": 0.7}"
        let fromRecipe = try GoalPDPolicy(parameters: RecipeObject(JSONValue.parse(Array(scheduledJSON.utf8)), path: "policy", file: nil), model: model)
        let scheduled = try GoalPDPolicy(model: model, goalQpos: [[0.5, 1.0]], gains: .scheduled(naturalFrequency: 10, dampingRatio: 0.7))
        XCTAssertEqual(scheduled.kp, fromRecipe.kp)
        XCTAssertEqual(scheduled.kd, fromRecipe.kd)
        XCTAssertEqual(scheduled.gainSchedule?.naturalFrequency, 10)
        // bad sizes are refused
        XCTAssertThrowsError(try GoalPDPolicy(model: model, goalQpos: [[0.5]], gains: .fixed(kp: [1, 1], kd: [1, 1])))
        XCTAssertThrowsError(try GoalPDPolicy(model: model, goalQpos: [[0.5, 1]], gains: .fixed(kp: [1], kd: [1, 1])))
    }
}
