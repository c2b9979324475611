import ArgumentParser
import Foundation
import Scene
import Simulation
import Viewer

/// `ebm view`: play episodes of a robot in a 3-D window, or render one frame headless to PNG/SVG.
struct View: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Play episodes in a 3-D window (GLFW + OpenGL), or write a screenshot headless.",
        discussion: """
        --data holds qpos [B, T+1, nq] (as `ebm simulate` writes) or states [E, T+1, nq+nv] (a dataset
        .npz, or a dataset directory with train.npz / test.npz and meta.json). The robot comes from
        --robot, else from the dataset's meta.json. Without --data the robot is shown at rest.
        --screenshot renders offscreen (a display is still needed for the GL context: run under
        `xvfb-run -a` on a headless machine); --svg writes a flat projection without OpenGL.
        In the window, press h for the keys.
        """)

    @Option(help: "Built-in robot name or MJCF file (default: the robot in the dataset's meta.json).") var robot: String?
    @Option(help: "Episodes to play: .npz with qpos [B, T+1, nq] or states [E, T+1, nq+nv], or a dataset directory.") var data: String?
    @Option(help: "Episode to show first (0-based).") var episode: Int = 0
    @Option(help: "Write this PNG of one frame instead of opening a window.") var screenshot: String?
    @Option(help: "Write this SVG projection of one frame (no OpenGL needed).") var svg: String?
    @Option(help: "State index of the frame for --screenshot/--svg (default 0).") var frame: Int = 0
    @Option(help: "Image or window size WxH in pixels.") var size: String = "1280x720"
    @Option(help: "Playback rate in states per second (default: 1 / the model's timestep).") var rate: Double?
    @Flag(help: "Draw the status line on --screenshot images.") var hud = false
    @Option(help: "Multisamples per pixel for antialiasing (0 = off; each costs time on software renderers).") var msaa: Int = 4
    @Option(help: "Sampled futures to draw as ghost robots and trails: .npz with qpos [K, T, nq] (e.g. from `ebm simulate`).") var futures: String?
    @Option(help: "Time this many offscreen frames at --size and print the frame time (a benchmark).") var benchFrames: Int?

    func validate() throws {
        guard parsedSize != nil else { throw ValidationError("--size '\(size)' must be WxH with both between 1 and 8192, e.g. 1280x720") }
        guard episode >= 0 else { throw ValidationError("--episode \(episode) must be >= 0") }
        guard frame >= 0 else { throw ValidationError("--frame \(frame) must be >= 0") }
        if let rate, !(rate > 0 && rate.isFinite) { throw ValidationError("--rate \(rate) must be a positive number of states per second") }
        guard (0...16).contains(msaa) else { throw ValidationError("--msaa \(msaa) must be between 0 and 16") }
        if let benchFrames, benchFrames < 1 { throw ValidationError("--bench-frames \(benchFrames) must be >= 1") }
        if robot == nil && data == nil { throw ValidationError("give --robot NAME, --data FILE, or both") }
    }

    var parsedSize: (width: Int, height: Int)? {
        let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, (1...8192).contains(parts[0]), (1...8192).contains(parts[1]) else { return nil }
        return (parts[0], parts[1])
    }

    func run() throws {
        guard let name = robot ?? data.flatMap(EpisodeFile.robotName(near:)) else {
            throw ValidationError("\(data ?? ""): no meta.json names the robot; give --robot NAME")
        }
        let model = try RobotModel.load(name)
        let episodes = try data.map { try EpisodeFile(contentsOf: $0, nq: model.nq, nv: model.nv) }
            ?? EpisodeFile(qpos: model.joints.qpos0, count: 1, length: 1, nq: model.nq, path: name)
        guard episode < episodes.count else {
            throw ValidationError("--episode \(episode): \(episodes.path) has \(episodes.count) episode(s)")
        }
        let scenes = try EpisodeScene(model: model, episodes: episodes)
        let (width, height) = parsedSize!
        if let futures {
            let f = try EpisodeFile(contentsOf: futures, nq: model.nq, nv: model.nv)
            try scenes.setFutures(qpos: f.qpos, count: f.count, steps: f.length)
        }
        if let benchFrames {
            try benchmark(scenes, frames: benchFrames, width: width, height: height)
            return
        }

        if screenshot != nil || svg != nil {
            guard frame < episodes.length else {
                throw ValidationError("--frame \(frame): episodes of \(episodes.path) have \(episodes.length) states (0...\(episodes.length - 1))")
            }
            let scene = try scenes.scene(episode: episode, step: frame)
            if let svg {
                try SVGWriter.write(scene, width: width, height: height, to: svg)
                print("wrote \(svg): \(model.source), episode \(episode), state \(frame)")
            }
            if let screenshot {
                let status = hud ? ["\(model.source)  episode \(episode + 1)/\(episodes.count)  state \(frame)/\(episodes.length - 1)"] : []
                try Screenshot.write(scene, width: width, height: height, samples: msaa, hud: status, to: screenshot)
                print("wrote \(screenshot): \(width)x\(height), \(model.source), episode \(episode), state \(frame)")
            }
            return
        }

        let playback = Playback(episodes: episodes.count, length: episodes.length,
                                statesPerSecond: rate ?? 1 / model.options.timestep, episode: episode)
        let viewer = try InteractiveViewer(title: "ebm view: \(model.source)", width: width, height: height, samples: msaa,
                                           playback: playback) { e, t, camera, hidden in
            try scenes.scene(episode: e, step: t, camera: camera, hidden: hidden)
        }
        try viewer.run()
    }

    /// Frame time offscreen (scene build + draw + glFinish, no read-back): median and 90th percentile.
    private func benchmark(_ scenes: EpisodeScene, frames: Int, width: Int, height: Int) throws {
        let offscreen = try OffscreenRenderer(width: width, height: height, samples: msaa)
        let length = scenes.episodes.length
        var times: [Double] = [], buildTimes: [Double] = []
        for i in 0..<(frames + 3) {
            let start = DispatchTime.now().uptimeNanoseconds
            let scene = try scenes.scene(episode: episode, step: i % length)
            let built = DispatchTime.now().uptimeNanoseconds
            offscreen.drawAndFinish(scene, hud: ["frame \(i)"])
            if i >= 3 {  // after 3 warm-up frames
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                buildTimes.append(Double(built - start) / 1e6)
            }
        }
        times.sort()
        let scene = try scenes.scene(episode: episode, step: 0)
        let median = times[times.count / 2], p90 = times[min(times.count - 1, times.count * 9 / 10)]
        print("view bench: \(scenes.builder.model.source), \(scenes.futureCount) ghost futures, \(scene.drawables.count) drawables, "
              + "\(width)x\(height), msaa \(msaa), on \(offscreen.glRenderer): "
              + String(format: "median %.2f ms (scene build %.2f ms), p90 %.2f ms over %d frames",
                            median, buildTimes.sorted()[buildTimes.count / 2], p90, times.count))
    }
}
