import Simulation
import Trajectories

/// Scenes of episodes played back: the robot at step t, its contacts (points, and force arrows
/// when the file has velocities), the site trails of the whole episode, and a camera framed once
/// per episode so that it does not jump while playing.
public final class EpisodeScene {
    public let builder: SceneBuilder
    public let episodes: EpisodeFile
    private var framed: [Int: Camera] = [:]
    private var ghosts: (drawables: [Drawable], lines: [Polyline]) = ([], [])

    /// Sampled futures drawn in every frame as ghost robots (at their last step) with site trails.
    public private(set) var futureCount = 0

    public init(model: RobotModel, episodes: EpisodeFile, palette: Palette = .standard) throws {
        guard episodes.nq == model.nq else {
            throw SceneError.file(FileError(.mismatched, path: episodes.path, "states have nq = \(episodes.nq) but \(model.source) has nq = \(model.nq)"))
        }
        builder = try SceneBuilder(model: model, palette: palette)
        self.episodes = episodes
    }

    /// Shows `qpos` [count, steps, nq] as sampled futures on `layer` in every frame.
    public func setFutures(qpos: [Double], count: Int, steps: Int, layer: Layer = .ghost) throws {
        builder.reset()
        try builder.addFutures(qpos: qpos, count: count, steps: steps, layer: layer)
        ghosts = (builder.drawables.filter { $0.layer == layer }, builder.lines.filter { $0.layer == layer })
        futureCount = count
        framed.removeAll()
    }

    /// The scene of episode `episode` at state `step` (clamped to the episode). Without a camera,
    /// the episode's framing camera.
    public func scene(episode: Int, step: Int, camera: Camera? = nil, hidden: Set<Layer> = []) throws -> Scene {
        let e = min(max(episode, 0), episodes.count - 1), t = min(max(step, 0), episodes.length - 1)
        let view = try camera ?? framing(episode: e)  // framing uses the builder too: first
        builder.reset()
        try builder.addSiteTrails(qpos: episodes.episode(e), steps: episodes.length, layer: .trail)
        try builder.addRobot(qpos: episodes.state(episode: e, step: t))
        if builder.model.solverOptions.contacts && !hidden.contains(.contact) {
            try builder.addContacts(qpos: episodes.state(episode: e, step: t), qvel: episodes.velocity(episode: e, step: t),
                                    ctrl: episodes.control(episode: e, step: t))
        }
        builder.add(drawables: ghosts.drawables, lines: ghosts.lines)
        return builder.build(camera: view, hidden: hidden)
    }

    /// A camera that frames the robot over the whole episode (first, middle and last states and the trails).
    public func framing(episode e: Int) throws -> Camera {
        if let c = framed[e] { return c }
        builder.reset()
        try builder.addSiteTrails(qpos: episodes.episode(e), steps: episodes.length, layer: .trail)
        for t in Set([0, episodes.length / 2, episodes.length - 1]) {
            try builder.addRobot(qpos: episodes.state(episode: e, step: t), instance: t)
        }
        builder.add(drawables: ghosts.drawables, lines: ghosts.lines)
        let camera = builder.build().camera
        framed[e] = camera
        return camera
    }
}
