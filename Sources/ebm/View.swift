import ArgumentParser
import EnergyModels
import Foundation
import Planning
import Sampling
import Trajectories
import Plotting
import Scene
import Simulation
import Viewer

/// `ebm view`: play episodes, predictions, live Langevin refinement or plans of a robot in a 3-D
/// window, or render them headless to PNG, SVG or video.
struct View: ParsableArguments {
    static let configuration = CommandConfiguration(
        abstract: "Show episodes, predictions, live Langevin refinement or plans in a 3-D window (GLFW + OpenGL), or headless to PNG/SVG/video.",
        discussion: """
        What is shown (one of):
          --data DIR|FILE          episodes: qpos [B, T+1, nq] (`ebm simulate`) or states [E, T+1, nq+nv] (a dataset);
                                   --futures FILE.npz adds qpos [K, T, nq] as ghost robots.
          --predict FILE.npz       the output of `ebm predict`: context, real future (green), K sampled futures
                                   (translucent ghosts, site trails coloured by energy), feedforward prediction (orange).
          --model RUN --data DIR   live: K Langevin chains for one context of the dataset refine step by step in a
                                   background task; `l` re-samples. Headless, --steps sampler steps run first.
          --plan FILE.npz          a plan: executed [T, nq|nq+nv] (or qpos), alternatives [K, H, nq|nq+nv],
                                   goal [3] / goals [G, 3], obstacles [M, 4] (x, y, z, radius); all but the first optional.
          --plan-live --robot R    live planning (R: reacher2, pointmass2d, arm7) with `ebm plan`'s MPC toward --goal among
                                   --obstacle spheres; drag the goal or an obstacle with the mouse and the robot replans in a
                                   background task. Headless, one plan is made before the picture.
        The robot comes from --robot, else from the dataset's meta.json (--data). --screenshot renders offscreen
        (a display is still needed for the GL context: run under `xvfb-run -a` on a headless machine); --svg
        writes a flat projection without OpenGL; --video pipes every frame to ffmpeg. In the window, press h.
        """)

    @Option(help: "Built-in robot name or MJCF file (default: the robot in the dataset's meta.json).") var robot: String?
    @Option(help: "Episodes to play: .npz with qpos [B, T+1, nq] or states [E, T+1, nq+nv], or a dataset directory.") var data: String?
    @Option(help: "Episode to show first (0-based).") var episode: Int = 0
    @Option(help: "Write this PNG of one frame instead of opening a window.") var screenshot: String?
    @Option(help: "Write this SVG projection of one frame (no OpenGL needed).") var svg: String?
    @Option(help: "Write every frame of the shown episode / horizon / plan to this video through ffmpeg.") var video: String?
    @Option(help: "Frames per second of --video.") var fps: Int = 30
    @Option(help: "State index of the frame for --screenshot/--svg (default 0).") var frame: Int = 0
    @Option(help: "Image or window size WxH in pixels.") var size: String = "1280x720"
    @Option(help: "Playback rate in states per second (default: 1 / the model's timestep).") var rate: Double?
    @Flag(help: "Draw the status line on --screenshot images.") var hud = false
    @Option(help: "Multisamples per pixel for antialiasing (0 = off; default 0 under a software renderer such as llvmpipe, else 4).") var msaa: Int?
    @Option(help: "Sampled futures to draw as ghost robots and trails: .npz with qpos [K, T, nq] (e.g. from `ebm simulate`).") var futures: String?
    @Option(help: "Time this many offscreen frames at --size and print the frame time (a benchmark).") var benchFrames: Int?
    @Option(help: "Translucent layers: merged (low-poly, one draw call), nearest (merged, only the nearest surface blends), instanced (the older path).") var translucency: Renderer.Translucency = .merged

    @Option(name: .customLong("ghost-slices"), help: "Slices around the axis of translucent shapes (3 or more; default 4 under a software renderer such as llvmpipe, else 8).") var ghostSlices: Int?
    @Option(name: .customLong("ghost-caps"), help: "Rings of the rounded ends of translucent (ghost) capsules, rim to pole: 1 (pyramids) or 2 (default 1 under a software renderer such as llvmpipe, else 2).") var ghostCaps: Int?
    @Option(help: "A prediction to show: the .npz of `ebm predict`.") var predict: String?
    @Option(help: "Live refinement: run folder of `ebm train --model ebm` (needs --data); with --plan-live, the planner's learned term.") var model: String?
    @Option(help: "Live: run folder of a feedforward model to show alongside.") var baseline: String?
    @Option(help: "Live: dataset split, test or train.") var split: Split = .test
    @Option(name: .customLong("context-start"), help: "Live: state index of the oldest context state.") var contextStart: Int = 0
    @Option(help: "Live: futures K (chains).") var samples: Int = 16
    @Option(help: "Live: sampler steps per refinement (headless: the steps run before the screenshot).") var steps: Int = 60
    @Option(help: "Live: langevin or mala.") var sampler: FutureSamplerKind = .langevin
    @Option(help: "Live: random seed.") var seed: UInt64 = 1
    @Option(help: "A plan to show: .npz with executed [T, nq|nq+nv] and optional alternatives, goal(s), obstacles.") var plan: String?
    @Flag(name: .customLong("plan-live"), help: "Plan live from the robot's reference pose; drag the goal or an obstacle to replan.") var planLive = false
    @Option(help: "Live planning: langevin, mala, mppi, cem, mppi-sim or cem-sim (default: langevin with --model, else mppi-sim, the quickest to replan).") var planner: PlannerKind?
    @Option(parsing: .unconditional, help: "Live planning: the goal of the robot's site, x,y or x,y,z in m (z defaults to the site's height at the start).") var goal: NumberList?
    @Option(parsing: .unconditionalSingleValue, help: "Live planning: a spherical obstacle x,y,z,r in m (repeatable).") var obstacle: [NumberList] = []

    /// The options as the library's request (`ViewRequest`: what to show, how, and its checks).
    var request: ViewRequest {
        var r = ViewRequest()
        (r.robot, r.data, r.prediction, r.model, r.plan, r.planLive) = (robot, data, predict, model, plan, planLive)
        r.planningSettings = [("--planner", planner != nil), ("--goal", goal != nil), ("--obstacle", !obstacle.isEmpty)].filter(\.1).map(\.0)
        (r.size, r.episode, r.frame, r.fps, r.rate, r.benchFrames) = (size, episode, frame, fps, rate, benchFrames)
        r.render = RenderSettings(multisamples: msaa, translucency: translucency, ghostSlices: ghostSlices, ghostCaps: ghostCaps)
        (r.samples, r.steps, r.sampler, r.screenshot, r.svg, r.video, r.hud) = (samples, steps, sampler, screenshot, svg, video, hud)
        return r
    }

    /// `ViewRequest.validate()`, run by each mode after it has set its input.
    func check() throws {
        do { try request.validate() } catch let e as ViewRequestError { throw ValidationError(e.description) }
    }

    func run() throws {
        for (option, path) in [("--screenshot", screenshot), ("--svg", svg), ("--video", video)] {
            if let path { try OutputPath.check(path, inputs: [data, predict, model, baseline, plan, futures, robot], option: option) }
        }
        try RunFolder.requireSameRobot([model, baseline], data: data, robot: robot)
        do { try show() } catch let e as ViewRequestError { throw ValidationError(e.description) }
    }

    private func show() throws {
        guard let name = robot ?? data.flatMap(DatasetFolder.robotName(near:)) else {
            throw ValidationError("\(data ?? ""): no meta.json names the robot; give --robot NAME")
        }
        let robotModel: RobotModel
        do { robotModel = try RobotModel.load(name) } catch { throw CLIError.failed("--robot \(name): \(error)") }
        let timeline: Timeline
        switch request.input {
        case .planLive: timeline = try livePlanTimeline()
        case .prediction: timeline = try .prediction(contentsOf: predict!, model: robotModel)
        case .live: timeline = try liveTimeline(run: model!, robot: robotModel)
        case .plan: timeline = try .plan(contentsOf: plan!, model: robotModel)
        case .episodes: timeline = try episodeTimeline(model: robotModel)
        }
        try output(timeline, model: robotModel)
    }

    /// Benchmark, SVG, PNG, video (`ViewRequest.writeHeadless`), or the window.
    private func output(_ timeline: Timeline, model: RobotModel) throws {
        let request = self.request
        if request.headless {
            return try request.writeHeadless(timeline) { print($0) }
        }
        let (width, height) = request.pixelSize!
        let viewer = try InteractiveViewer(timeline: timeline, title: "ebm view: \(timeline.title)", width: width, height: height,
                                           samples: try request.render.resolvedMultisamples(), statesPerSecond: rate ?? timeline.rate, episode: min(episode, timeline.episodes - 1))
        try request.render.apply(to: viewer.renderer)
        try viewer.run()
    }

    // MARK: - Episodes

    private func episodeTimeline(model: RobotModel) throws -> Timeline {
        let episodes = try data.map { try EpisodeFile(contentsOf: $0, nq: model.nq, nv: model.nv, nu: model.nu, dynamics: model.solverOptions.contacts) }
            ?? EpisodeFile(qpos: model.joints.qpos0, count: 1, length: 1, nq: model.nq, path: model.source)
        guard episode < episodes.count else {
            throw ValidationError("--episode \(episode): \(episodes.path) has \(episodes.count) episode(s)")
        }
        return try .episodes(episodes, futures: try futures.map { try EpisodeFile(contentsOf: $0, nq: model.nq, nv: model.nv) }, model: model, shown: episode)
    }
}
