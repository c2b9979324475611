import ArgumentParser
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
    @Option(parsing: .unconditional, help: "Live planning: the goal of the robot's site, x,y or x,y,z in m (z defaults to the site's height at the start).") var goal: String?
    @Option(parsing: .unconditionalSingleValue, help: "Live planning: a spherical obstacle x,y,z,r in m (repeatable).") var obstacle: [String] = []

    /// The checks of `validate()`, run by each mode after it has set its input.
    func check() throws {
        guard parsedSize != nil else { throw ValidationError("--size '\(size)' must be WxH with both between 1 and 8192, e.g. 1280x720") }
        guard episode >= 0 else { throw ValidationError("--episode \(episode) must be >= 0") }
        guard frame >= 0 else { throw ValidationError("--frame \(frame) must be >= 0") }
        if let rate, !(rate > 0 && rate.isFinite) { throw ValidationError("--rate \(rate) must be a positive number of states per second") }
        if let msaa, !(0...16).contains(msaa) { throw ValidationError("--msaa \(msaa) must be between 0 and 16") }
        if let benchFrames, benchFrames < 1 { throw ValidationError("--bench-frames \(benchFrames) must be >= 1") }
        if let ghostSlices, ghostSlices < 3 { throw ValidationError("--ghost-slices \(ghostSlices) must be at least 3") }
        if let ghostCaps, !(1...2).contains(ghostCaps) { throw ValidationError("--ghost-caps \(ghostCaps) must be 1 or 2") }
        guard (1...240).contains(fps) else { throw ValidationError("--fps \(fps) must be between 1 and 240") }
        let modes = [predict != nil, model != nil && !planLive, plan != nil, planLive].filter { $0 }.count
        guard modes <= 1 else { throw ValidationError("give one of --predict, --model, --plan, --plan-live") }
        if planLive {
            guard robot != nil else { throw ValidationError("--plan-live needs --robot reacher2, pointmass2d or arm7") }
        } else {
            for (flag, given) in [("--planner", planner != nil), ("--goal", goal != nil), ("--obstacle", !obstacle.isEmpty)] where given {
                throw ValidationError("\(flag) is for live planning: add --plan-live")
            }
        }
        if model != nil && !planLive {
            guard data != nil else { throw ValidationError("--model needs --data DIR (the dataset whose context is refined)") }
            guard samples >= 1 else { throw ValidationError("--samples \(samples) must be >= 1") }
            guard steps >= 0 else { throw ValidationError("--steps \(steps) must be >= 0") }
            guard [.langevin, .mala].contains(sampler) else { throw ValidationError("--sampler \(sampler.rawValue) must be langevin or mala") }
        }
        if robot == nil && data == nil { throw ValidationError("give --robot NAME, --data FILE, or both") }
    }

    /// Whether the picture goes to a file or a benchmark instead of a window.
    var headless: Bool { screenshot != nil || svg != nil || video != nil || benchFrames != nil }

    var parsedSize: (width: Int, height: Int)? {
        let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, (1...8192).contains(parts[0]), (1...8192).contains(parts[1]) else { return nil }
        return (parts[0], parts[1])
    }

    func run() throws {
        for (option, path) in [("--screenshot", screenshot), ("--svg", svg), ("--video", video)] {
            if let path { try OutputPath.check(path, inputs: [data, predict, model, baseline, plan, futures, robot], option: option) }
        }
        try InputChecks.requireSameRobot([model, baseline], data: data, robot: robot)
        do {
            try show()
        } catch let e as SceneError {
            throw CLIError(e.description)
        } catch let e as ViewerError {
            throw CLIError(e.description)
        }
    }

    private func show() throws {
        guard let name = robot ?? data.flatMap(DatasetFolder.robotName(near:)) else {
            throw ValidationError("\(data ?? ""): no meta.json names the robot; give --robot NAME")
        }
        let robotModel: RobotModel
        do { robotModel = try RobotModel.load(name) } catch { throw CLIError("--robot \(name): \(error)") }
        let timeline: Timeline
        if planLive {
            timeline = try livePlanTimeline()
        } else if let predict {
            timeline = try .prediction(contentsOf: predict, model: robotModel)
        } else if let model {
            timeline = try liveTimeline(run: model, robot: robotModel)
        } else if let plan {
            timeline = try .plan(contentsOf: plan, model: robotModel)
        } else {
            timeline = try episodeTimeline(model: robotModel)
        }
        try output(timeline, model: robotModel)
    }

    /// Benchmark, SVG, PNG, video, or the window.
    private func output(_ timeline: Timeline, model: RobotModel) throws {
        let (width, height) = parsedSize!
        let shownEpisode = min(episode, timeline.episodes - 1)
        if let benchFrames {
            try benchmark(timeline, frames: benchFrames, width: width, height: height)
            return
        }
        if screenshot != nil || svg != nil || video != nil {
            if let video { try writeVideo(timeline, to: video, width: width, height: height) }
            guard screenshot != nil || svg != nil else { return }
            guard frame < timeline.length else {
                throw ValidationError("--frame \(frame): \(timeline.title) has \(timeline.length) states (0...\(timeline.length - 1))")
            }
            let scene = try timeline.scene(shownEpisode, frame, nil, [])
            if let svg {
                try SVGWriter.write(scene, width: width, height: height, to: svg)
                print("wrote \(svg): \(timeline.title), state \(frame)")
            }
            if let screenshot {
                let offscreen = try renderSettings.offscreenRenderer(width: width, height: height)
                try AtomicImage.write(offscreen.render(scene, hud: hud ? timeline.hudLines(state: frame) : []), to: screenshot)
                print("wrote \(screenshot): \(width)x\(height), \(timeline.title), state \(frame)")
            }
            return
        }

        let viewer = try InteractiveViewer(timeline: timeline, title: "ebm view: \(timeline.title)", width: width, height: height,
                                           samples: try renderSettings.resolvedMultisamples(), statesPerSecond: rate ?? timeline.rate, episode: shownEpisode)
        try renderSettings.apply(to: viewer.renderer)
        try viewer.run()
    }

    /// --msaa, --translucency, --ghost-slices and --ghost-caps (nil: the renderer's defaults).
    var renderSettings: RenderSettings { RenderSettings(multisamples: msaa, translucency: translucency, ghostSlices: ghostSlices, ghostCaps: ghostCaps) }

    // MARK: - Episodes

    private func episodeTimeline(model: RobotModel) throws -> Timeline {
        let episodes = try data.map { try EpisodeFile(contentsOf: $0, nq: model.nq, nv: model.nv, nu: model.nu) }
            ?? EpisodeFile(qpos: model.joints.qpos0, count: 1, length: 1, nq: model.nq, path: model.source)
        guard episode < episodes.count else {
            throw ValidationError("--episode \(episode): \(episodes.path) has \(episodes.count) episode(s)")
        }
        return try .episodes(episodes, futures: try futures.map { try EpisodeFile(contentsOf: $0, nq: model.nq, nv: model.nv) }, model: model, shown: episode)
    }

    // MARK: - Benchmark

    /// Frame times offscreen (`OffscreenRenderer.frameBenchmark`), still and with an orbiting camera.
    private func benchmark(_ timeline: Timeline, frames: Int, width: Int, height: Int) throws {
        print(try renderSettings.offscreenRenderer(width: width, height: height).frameBenchmark(timeline, episode: min(episode, timeline.episodes - 1), frames: frames).line)
    }
}

/// PNG writes that never leave half a file, with errors that name the flag.
enum AtomicImage {
    static func write(_ image: Image, to path: String) throws {
        do { try image.writePNG(atomicallyTo: path) } catch let e as ImageError { throw CLIError("--screenshot \(path): \(e.description)") }
    }
}
