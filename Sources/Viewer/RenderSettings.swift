// RenderSettings: how a picture is drawn — multisamples, the translucency path, the ghosts'
// tessellation — for the window, offscreen images, videos and frame benchmarks alike; and what the
// status line (HUD) of a frame says.

import Foundation

/// Drawing settings; nil takes the default for the GPU in use (`GraphicsProbe`: cheaper under a
/// software renderer such as llvmpipe).
public struct RenderSettings: Equatable, Sendable {
    /// Multisamples per pixel (0 = no antialiasing).
    public var multisamples: Int?
    public var translucency: Renderer.Translucency
    /// Slices around the axis of translucent shapes (≥ 3) and rings of their rounded ends (1 or 2).
    public var ghostSlices: Int?, ghostCaps: Int?

    public init(multisamples: Int? = nil, translucency: Renderer.Translucency = .merged, ghostSlices: Int? = nil, ghostCaps: Int? = nil) {
        (self.multisamples, self.translucency, self.ghostSlices, self.ghostCaps) = (multisamples, translucency, ghostSlices, ghostCaps)
    }

    /// `multisamples`, or the GPU's default.
    public func resolvedMultisamples() throws -> Int { try multisamples ?? GraphicsProbe.defaultMultisamples() }

    /// Sets `renderer`'s translucency path, slices and cap rings (or the GPU's defaults).
    public func apply(to renderer: Renderer) throws {
        renderer.translucency = translucency
        renderer.translucentSlices = try ghostSlices ?? GraphicsProbe.defaultTranslucentSlices()
        renderer.translucentCapStacks = try ghostCaps ?? GraphicsProbe.defaultTranslucentCapStacks()
    }

    /// An offscreen target of width × height pixels drawing with these settings.
    public func offscreenRenderer(width: Int, height: Int) throws -> OffscreenRenderer {
        let offscreen = try OffscreenRenderer(width: width, height: height, samples: resolvedMultisamples())
        try apply(to: offscreen.renderer)
        return offscreen
    }
}

extension Timeline {
    /// The status lines drawn on frame `t`: "title  state t/last", then the timeline's `status()`.
    public func hudLines(state t: Int) -> [String] { ["\(title)  state \(t)/\(length - 1)"] + status() }
}

/// `OffscreenRenderer.benchmark`'s frame times with what was measured (`ebm view --bench-frames`).
public struct FrameBenchmark: Codable, Equatable, Sendable {
    public var title: String, drawables: Int, width: Int, height: Int, multisamples: Int
    public var translucency: String, glRenderer: String, frames: Int
    /// Frame times in ms with the still camera and while orbiting.
    public var still: FrameTimings, orbit: FrameTimings

    public init(title: String, drawables: Int, width: Int, height: Int, multisamples: Int, translucency: String, glRenderer: String, frames: Int,
                still: FrameTimings, orbit: FrameTimings) {
        (self.title, self.drawables, self.width, self.height, self.multisamples) = (title, drawables, width, height, multisamples)
        (self.translucency, self.glRenderer, self.frames, self.still, self.orbit) = (translucency, glRenderer, frames, still, orbit)
    }

    /// The line `ebm view --bench-frames` prints.
    public var line: String {
        "view bench: \(title), \(drawables) drawables, \(width)x\(height), msaa \(multisamples), \(translucency) translucency, on \(glRenderer): "
            + String(format: "median %.2f ms (scene build %.2f ms), p90 %.2f ms over %d frames; orbiting camera: median %.2f ms, p90 %.2f ms",
                     still.median, still.build, still.p90, frames, orbit.median, orbit.p90)
    }
}

extension OffscreenRenderer {
    /// `benchmark(_:episode:frames:)` as a `FrameBenchmark` naming the timeline, size, multisamples,
    /// translucency path and GL renderer.
    public func frameBenchmark(_ timeline: Timeline, episode: Int, frames: Int) throws -> FrameBenchmark {
        let (still, orbit, drawables) = try benchmark(timeline, episode: episode, frames: frames)
        return FrameBenchmark(title: timeline.title, drawables: drawables, width: width, height: height, multisamples: samples,
                              translucency: renderer.translucency.rawValue, glRenderer: glRenderer, frames: frames, still: still, orbit: orbit)
    }
}
