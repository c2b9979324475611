// Timeline: what a command shows over time — scenes by (episode, state), a status line, its own
// keys and mouse drags, and the hook that takes the latest background snapshot before each frame —
// played in a window (`InteractiveViewer(timeline:…)`) or timed offscreen (`benchmark`).

import Dispatch
import Scene

/// Scenes over time and how a window interacts with them.
public struct Timeline {
    public var title: String
    /// Episodes and states per episode.
    public var episodes: Int, length: Int
    public var scene: InteractiveViewer.SceneSource
    /// HUD lines added each frame.
    public var status: () -> [String]
    /// Help lines of `onKey`'s keys.
    public var extraHelp: [String]
    public var onKey: (_ key: Int32, _ shift: Bool) -> Bool
    /// Called before each frame (take the latest background snapshot here).
    public var beforeFrame: () throws -> Void
    /// Mouse drags the command takes (see `InteractiveViewer.onPress`).
    public var onPress: (_ cursor: SIMD2<Double>, _ size: SIMD2<Int>, _ camera: Camera) -> Bool
    public var onDrag: (_ cursor: SIMD2<Double>, _ size: SIMD2<Int>, _ camera: Camera) -> Void
    public var onRelease: () -> Void
    /// States per second when playing.
    public var rate: Double

    public init(title: String, episodes: Int, length: Int, scene: @escaping InteractiveViewer.SceneSource,
                status: @escaping () -> [String] = { [] }, extraHelp: [String] = [],
                onKey: @escaping (_ key: Int32, _ shift: Bool) -> Bool = { _, _ in false }, beforeFrame: @escaping () throws -> Void = {},
                onPress: @escaping (_ cursor: SIMD2<Double>, _ size: SIMD2<Int>, _ camera: Camera) -> Bool = { _, _, _ in false },
                onDrag: @escaping (_ cursor: SIMD2<Double>, _ size: SIMD2<Int>, _ camera: Camera) -> Void = { _, _, _ in },
                onRelease: @escaping () -> Void = {}, rate: Double) {
        (self.title, self.episodes, self.length, self.scene, self.status, self.extraHelp) = (title, episodes, length, scene, status, extraHelp)
        (self.onKey, self.beforeFrame, self.onPress, self.onDrag, self.onRelease, self.rate) = (onKey, beforeFrame, onPress, onDrag, onRelease, rate)
    }
}

extension InteractiveViewer {
    /// A window titled `title` playing `timeline` from `episode` at `statesPerSecond`, with its keys,
    /// drags, status lines and per-frame hook installed.
    public convenience init(timeline: Timeline, title: String, width: Int, height: Int, samples: Int, statesPerSecond: Double, episode: Int) throws {
        let playback = Playback(episodes: timeline.episodes, length: timeline.length, statesPerSecond: statesPerSecond, episode: episode)
        try self.init(title: title, width: width, height: height, samples: samples, playback: playback, source: timeline.scene)
        (extraHelp, status, onKey, beforeFrame) = (timeline.extraHelp, timeline.status, timeline.onKey, timeline.beforeFrame)
        (onPress, onDrag, onRelease) = (timeline.onPress, timeline.onDrag, timeline.onRelease)
    }
}

/// Frame times in milliseconds: median and 90th percentile of whole frames, median of scene builds.
public struct FrameTimings: Codable, Equatable, Sendable {
    public var median: Double, p90: Double, build: Double

    /// The statistics of per-frame times and scene-build times (same count, at least one).
    public init(frames: [Double], builds: [Double]) {
        let t = frames.sorted()
        (median, p90, build) = (t[t.count / 2], t[min(t.count - 1, t.count * 9 / 10)], builds.sorted()[builds.count / 2])
    }
}

extension OffscreenRenderer {
    /// Frame time (scene build + draw + glFinish, no read-back) of `frames` frames of `episode` after 3
    /// warm-up frames: with the still default camera (playback), then with the camera turning 1° per
    /// frame (every cached view-dependent layer redrawn: the cost while the user orbits).
    public func benchmark(_ timeline: Timeline, episode: Int, frames: Int) throws -> (still: FrameTimings, orbit: FrameTimings, drawables: Int) {
        let scene = try timeline.scene(episode, 0, nil, [])
        func run(orbiting: Bool) throws -> FrameTimings {
            var times: [Double] = [], buildTimes: [Double] = []
            var camera = scene.camera
            for i in 0..<(frames + 3) {
                if orbiting { camera.orbit(azimuth: 1, elevation: 0) }
                let start = DispatchTime.now().uptimeNanoseconds
                let frame = try timeline.scene(episode, i % timeline.length, orbiting ? camera : nil, [])
                let built = DispatchTime.now().uptimeNanoseconds
                drawAndFinish(frame, hud: ["frame \(i)"])
                if i >= 3 {
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                    buildTimes.append(Double(built - start) / 1e6)
                }
            }
            return FrameTimings(frames: times, builds: buildTimes)
        }
        let still = try run(orbiting: false)
        return (still, try run(orbiting: true), scene.drawables.count)
    }
}
