// ViewRequest: what a viewer program is asked to show and how — the input (episodes, a
// prediction, live refinement, a plan, live planning), the picture's size and frame, the outputs —
// checked as a whole before anything is read (`ebm view`'s settings, usable by any program).

import Foundation
import Trajectories
import Plotting
import Sampling
import Scene

/// A view request that cannot be served: a setting out of range or inputs that do not go together.
/// The descriptions name `ebm view`'s flags.
public enum ViewRequestError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `size` is not WxH with both in 1...8192.
    case size(String)
    /// The setting `flag` has `value` outside its range; `requirement` says what it must be.
    case outOfRange(flag: String, value: String, requirement: String)
    /// More than one of prediction, live refinement, plan and live planning.
    case severalInputs
    /// Live planning without a robot.
    case planLiveNeedsRobot
    /// A setting of live planning (`flag`) without live planning.
    case planningSettingWithoutPlanLive(flag: String)
    /// Live refinement without a dataset.
    case liveNeedsData
    /// Neither a robot nor a dataset to take it from.
    case noRobot
    /// A still `frame` past the `length` states of the timeline titled `title`.
    case frame(Int, title: String, length: Int)

    public var description: String {
        switch self {
        case .size(let size): return "--size '\(size)' must be WxH with both between 1 and 8192, e.g. 1280x720"
        case .outOfRange(let flag, let value, let requirement): return "\(flag) \(value) \(requirement)"
        case .severalInputs: return "give one of --predict, --model, --plan, --plan-live"
        case .planLiveNeedsRobot: return "--plan-live needs --robot reacher2, pointmass2d or arm7"
        case .planningSettingWithoutPlanLive(let flag): return "\(flag) is for live planning: add --plan-live"
        case .liveNeedsData: return "--model needs --data DIR (the dataset whose context is refined)"
        case .noRobot: return "give --robot NAME, --data FILE, or both"
        case .frame(let frame, let title, let length): return "--frame \(frame): \(title) has \(length) states (0...\(length - 1))"
        }
    }
}

/// What to show and how. Paths are as given (files or folders); nil leaves an input out.
public struct ViewRequest: Equatable, Sendable {
    /// What is shown, decided by the inputs given (`input`).
    public enum Input: String, Sendable {
        case episodes, prediction, live, plan, planLive = "plan-live"

        /// What the input is, in words, and the flag of `ebm view` that gives it.
        public var what: (noun: String, flag: String) {
            switch self {
            case .episodes: return ("a dataset folder or .npz of episodes", "--data")
            case .prediction: return ("the .npz that `ebm predict` wrote", "--predict")
            case .live: return ("the run folder of `ebm train` (refined live with --data)", "--model")
            case .plan: return ("a plan.npz or the --out folder of `ebm plan`", "--plan")
            case .planLive: return ("live planning toward --goal (needs --robot)", "--plan-live")
            }
        }
    }

    /// Built-in robot name or MJCF file (nil: the dataset's robot).
    public var robot: String?
    /// Episodes (a dataset folder or .npz); with `model`, the dataset refined live.
    public var data: String?
    /// A prediction file of `ebm predict`; a run folder refined live (or, with `planLive`, the learned term); a plan file or folder.
    public var prediction: String?, model: String?, plan: String?
    /// Live planning from the robot's reference pose.
    public var planLive = false
    /// The settings of live planning given (e.g. "--planner", "--goal", "--obstacle"): refused without `planLive`.
    public var planningSettings: [String] = []
    /// Image or window size "WxH" in pixels.
    public var size = "1280x720"
    /// Episode shown first and state index of a still frame (0-based); frames per second of a video.
    public var episode = 0, frame = 0, fps = 30
    /// Playback rate in states per second (nil: 1 / the model's timestep).
    public var rate: Double?
    /// Frames of a frame-time benchmark instead of a picture.
    public var benchFrames: Int?
    /// Multisamples, translucency path and ghost tessellation; the status line drawn on images and videos.
    public var render = RenderSettings()
    public var hud = false
    /// Live refinement: chains, sampler steps per refinement, sampler (Langevin or MALA).
    public var samples = 16, steps = 60
    public var sampler: FutureSamplerKind = .langevin
    /// Outputs: a PNG, an SVG, a video (nil: none); with none of them and no benchmark, a window.
    public var screenshot: String?, svg: String?, video: String?

    public init() {}

    /// What the inputs ask to show: live planning, else a prediction, live refinement, a plan, else episodes.
    public var input: Input {
        planLive ? .planLive : prediction != nil ? .prediction : model != nil ? .live : plan != nil ? .plan : .episodes
    }

    /// Whether the picture goes to a file or a benchmark instead of a window.
    public var headless: Bool { screenshot != nil || svg != nil || video != nil || benchFrames != nil }

    /// `size` as width and height (nil unless WxH with both in 1...8192).
    public var pixelSize: (width: Int, height: Int)? {
        let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, (1...8192).contains(parts[0]), (1...8192).contains(parts[1]) else { return nil }
        return (parts[0], parts[1])
    }

    /// Throws the first problem (`ViewRequestError`): settings out of range first, then inputs
    /// that do not go together, then a missing robot.
    public func validate() throws {
        func require(_ ok: Bool, _ flag: String, _ value: CustomStringConvertible, _ requirement: String) throws {
            guard ok else { throw ViewRequestError.outOfRange(flag: flag, value: value.description, requirement: requirement) }
        }
        guard pixelSize != nil else { throw ViewRequestError.size(size) }
        try require(episode >= 0, "--episode", episode, "must be >= 0")
        try require(frame >= 0, "--frame", frame, "must be >= 0")
        if let rate { try require(rate > 0 && rate.isFinite, "--rate", rate, "must be a positive number of states per second") }
        if let m = render.multisamples { try require((0...16).contains(m), "--msaa", m, "must be between 0 and 16") }
        if let benchFrames { try require(benchFrames >= 1, "--bench-frames", benchFrames, "must be >= 1") }
        if let s = render.ghostSlices { try require(s >= 3, "--ghost-slices", s, "must be at least 3") }
        if let c = render.ghostCaps { try require((1...2).contains(c), "--ghost-caps", c, "must be 1 or 2") }
        try require((1...240).contains(fps), "--fps", fps, "must be between 1 and 240")
        let inputs = [prediction != nil, model != nil && !planLive, plan != nil, planLive].filter { $0 }.count
        guard inputs <= 1 else { throw ViewRequestError.severalInputs }
        if planLive {
            guard robot != nil else { throw ViewRequestError.planLiveNeedsRobot }
        } else if let flag = planningSettings.first {
            throw ViewRequestError.planningSettingWithoutPlanLive(flag: flag)
        }
        if model != nil && !planLive {
            guard data != nil else { throw ViewRequestError.liveNeedsData }
            try require(samples >= 1, "--samples", samples, "must be >= 1")
            try require(steps >= 0, "--steps", steps, "must be >= 0")
            try require([.langevin, .mala].contains(sampler), "--sampler", sampler.rawValue, "must be langevin or mala")
        }
        if robot == nil && data == nil { throw ViewRequestError.noRobot }
    }
}

extension ViewRequest {
    /// The headless outputs of `timeline` (after `validate()`): a frame benchmark's line, else the
    /// video of the shown episode, then its still `frame` as SVG and PNG. Each line to print goes to
    /// `printed` once its file is written. Throws `ViewRequestError.frame` for a still frame past the
    /// timeline, `ViewerError` naming the flag for a video or image that cannot be written.
    public func writeHeadless(_ timeline: Timeline, printed: (String) -> Void) throws {
        let (width, height) = pixelSize ?? (1280, 720)
        let shown = min(episode, timeline.episodes - 1)
        if let benchFrames {
            return printed(try render.offscreenRenderer(width: width, height: height).frameBenchmark(timeline, episode: shown, frames: benchFrames).line)
        }
        if let video {
            guard Video.ffmpegPath() != nil else { throw ViewerError.option("--video \(video)", .video(Video.missingFFmpeg)) }
            let offscreen = try render.offscreenRenderer(width: width, height: height)
            let written: Int
            do {
                written = try Video.write(timeline, episode: shown, offscreen: offscreen, fps: fps, to: URL(fileURLWithPath: video)) { hud ? timeline.hudLines(state: $0) : [] }
            } catch let e as ViewerError { throw ViewerError.option("--video \(video)", e) }
            printed("wrote \(video): \(written) frames \(width)x\(height) at \(fps) fps, \(timeline.title)")
        }
        guard screenshot != nil || svg != nil else { return }
        guard frame < timeline.length else { throw ViewRequestError.frame(frame, title: timeline.title, length: timeline.length) }
        let scene = try timeline.scene(shown, frame, nil, [])
        if let svg {
            try SVGWriter.write(scene, width: width, height: height, to: svg)
            printed("wrote \(svg): \(timeline.title), state \(frame)")
        }
        if let screenshot {
            let image = try render.offscreenRenderer(width: width, height: height).render(scene, hud: hud ? timeline.hudLines(state: frame) : [])
            do { try image.writePNG(atomicallyTo: screenshot) } catch let e as FileError { throw ViewerError.option("--screenshot \(screenshot)", .file(e)) }
            printed("wrote \(screenshot): \(width)x\(height), \(timeline.title), state \(frame)")
        }
    }
}
