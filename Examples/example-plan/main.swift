// example-plan: plan past an obstacle to a goal with arm7, or with an MJCF file given as
// `swift run -c release example-plan FILE.xml SITE`, and print the outcome as JSON.
import Planning
import Simulation

let arguments = Array(CommandLine.arguments.dropFirst())
let setup = arguments.isEmpty ? try PlanningSetup(preset: .arm7)
    : try PlanningSetup(model: RobotModel.load(arguments[0]), site: arguments.count > 1 ? arguments[1] : "ee")
let start = setup.model.joints.qpos0, here = try setup.sitePosition(qpos: start)
let goal = here + SIMD3(0.3, 0.2, -0.3)
let obstacle = Obstacle.sphere(center: here + SIMD3(0.15, 0.1, -0.15), radius: 0.02)
var controller = try setup.controller(kind: .langevin, goal: goal, obstacles: [obstacle], learned: nil, seed: 1)
let outcome = try controller.run(qpos: start, qvel: [Double](repeating: 0, count: setup.model.nv))
print(outcome.summary.serialized())
