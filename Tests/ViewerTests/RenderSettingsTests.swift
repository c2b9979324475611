import Foundation
import Scene
import Simulation
import XCTest
@testable import Viewer

/// `RenderSettings` (what `ebm view`'s --msaa, --translucency, --ghost-slices, --ghost-caps set),
/// `Timeline.hudLines` and `FrameBenchmark` (its --bench-frames line and record).
final class RenderSettingsTests: XCTestCase {
    func testHUDLinesAndTheBenchmarkLine() throws {
        let timeline = Timeline(title: "demo", episodes: 1, length: 12, scene: { _, _, _, _ in fatalError("not drawn") },
                                status: { ["K = 3"] }, rate: 10)
        XCTAssertEqual(timeline.hudLines(state: 4), ["demo  state 4/11", "K = 3"])
        let b = FrameBenchmark(title: "demo", drawables: 7, width: 320, height: 240, multisamples: 0, translucency: "merged", glRenderer: "llvmpipe",
                               frames: 5, still: FrameTimings(frames: [1, 2, 3], builds: [0.5]), orbit: FrameTimings(frames: [4], builds: [1]))
        XCTAssertEqual(b.line, "view bench: demo, 7 drawables, 320x240, msaa 0, merged translucency, on llvmpipe: median 2.00 ms (scene build 0.50 ms), "
                       + "p90 3.00 ms over 5 frames; orbiting camera: median 4.00 ms, p90 4.00 ms")
        XCTAssertEqual(try JSONDecoder().decode(FrameBenchmark.self, from: JSONEncoder().encode(b)), b)
    }

    /// Offscreen: the target gets the settings, nil ones the GPU's defaults; the benchmark names them.
    func testOffscreenRendererDrawsWithTheSettings() throws {
        let env = ProcessInfo.processInfo.environment
        if env["DISPLAY"] == nil && env["WAYLAND_DISPLAY"] == nil { throw XCTSkip("no display: run under `xvfb-run -a`") }
        let settings = RenderSettings(multisamples: 0, translucency: .nearest, ghostSlices: 5, ghostCaps: 1)
        let offscreen: OffscreenRenderer
        do { offscreen = try settings.offscreenRenderer(width: 64, height: 48) } catch let e as ViewerError { throw XCTSkip("no GL context: \(e)") }
        XCTAssertEqual(offscreen.samples, 0)
        XCTAssertEqual(offscreen.renderer.translucency, .nearest)
        XCTAssertEqual([offscreen.renderer.translucentSlices, offscreen.renderer.translucentCapStacks], [5, 1])
        let defaults = RenderSettings()
        try defaults.apply(to: offscreen.renderer)
        XCTAssertEqual(offscreen.renderer.translucency, .merged)
        XCTAssertEqual(offscreen.renderer.translucentSlices, try GraphicsProbe.defaultTranslucentSlices())
        XCTAssertEqual(try defaults.resolvedMultisamples(), try GraphicsProbe.defaultMultisamples())

        let builder = try SceneBuilder(model: RobotModel.load("pendulum"))
        try builder.addRobot(qpos: [0.3])
        let scene = builder.build(camera: Camera(target: SIMD3(0, 0, 0), distance: 3, azimuth: -90, elevation: 0), hidden: [])
        let timeline = Timeline(title: "pendulum", episodes: 1, length: 2, scene: { _, _, _, _ in scene }, rate: 10)
        let b = try offscreen.frameBenchmark(timeline, episode: 0, frames: 2)
        XCTAssertEqual([b.width, b.height, b.multisamples, b.frames], [64, 48, 0, 2])
        XCTAssertEqual(b.translucency, "merged")
        XCTAssertEqual(b.glRenderer, offscreen.glRenderer)
        XCTAssertGreaterThan(b.drawables, 0)
    }
}
