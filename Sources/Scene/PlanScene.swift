import Simulation
import Trajectories

/// Scenes of a plan over its executed states: the robot at state t, the executed site path
/// (trail layer), the alternatives the planner weighed as ghost robots at their last state with
/// their site trails (ghost layer), goals as red spheres and obstacles as grey spheres (goal layer).
public final class PlanScene {
    public let builder: SceneBuilder
    public let plan: PlanFile
    private var fixed: (drawables: [Drawable], lines: [Polyline]) = ([], [])
    private var framed: Camera?

    /// Colour of obstacle spheres.
    public static let obstacleColour = SIMD4<Float>(0.45, 0.47, 0.52, 0.55)

    /// Executed states shown, one per frame.
    public var length: Int { plan.steps }

    public init(model: RobotModel, plan: PlanFile, palette: Palette = .standard) throws {
        guard plan.nq == model.nq else { throw SceneError.file(FileError(.mismatched, path: plan.path, "positions have nq = \(plan.nq) but \(model.source) has nq = \(model.nq)")) }
        builder = try SceneBuilder(model: model, palette: palette)
        self.plan = plan
        try builder.addSiteTrails(qpos: plan.executed, steps: plan.steps, layer: .trail)
        for k in 0..<plan.alternativeCount {
            try builder.addFutures(qpos: plan.alternative(k), count: 1, steps: plan.horizon, layer: .ghost)
        }
        // marker size from the extent of the paths, so that goals show at any robot scale
        let extent = builder.build().bounds()?.radius ?? 1
        let marker = max(0.01, 0.03 * extent)
        for g in plan.goals {
            builder.add(drawables: [Drawable(shape: .sphere(radius: marker), position: g, rgba: palette.colour(of: SIMD4(1, 1, 1, 1), on: .goal), layer: .goal)])
        }
        for o in plan.obstacles {
            builder.add(drawables: [Drawable(shape: .sphere(radius: o.radius), position: o.centre, rgba: Self.obstacleColour, layer: .goal)])
        }
        fixed = (builder.drawables.filter { $0.layer != .world }, builder.lines)
        builder.reset()
    }

    /// The scene at executed state `step` (clamped). Without a camera, a framing of the whole plan.
    public func scene(step: Int, camera: Camera? = nil, hidden: Set<Layer> = []) throws -> Scene {
        let t = min(max(step, 0), length - 1)
        let view = try camera ?? framing()
        builder.reset()
        builder.add(drawables: fixed.drawables, lines: fixed.lines)
        try builder.addRobot(qpos: plan.state(t))
        return builder.build(camera: view, hidden: hidden)
    }

    /// A camera framing the executed path, the alternatives, goals and obstacles; computed once.
    public func framing() throws -> Camera {
        if let framed { return framed }
        builder.reset()
        builder.add(drawables: fixed.drawables, lines: fixed.lines)
        for t in Set([0, length / 2, length - 1]) { try builder.addRobot(qpos: plan.state(t), instance: t) }
        let camera = builder.build().camera
        framed = camera
        return camera
    }
}
