import Foundation
import Plotting
import Scene
import Simulation
import XCTest
@testable import Viewer

/// Renders known scenes offscreen and checks pixels where the camera model says things are.
/// Needs a display (scripts/test.sh runs the tests under `xvfb-run -a` when DISPLAY is unset).
final class ScreenshotTests: XCTestCase {
    static let size = (width: 320, height: 240)
    nonisolated(unsafe) static var shared: OffscreenRenderer?

    func offscreen() throws -> OffscreenRenderer {
        if let r = Self.shared { return r }
        let env = ProcessInfo.processInfo.environment
        if env["DISPLAY"] == nil && env["WAYLAND_DISPLAY"] == nil {
            throw XCTSkip("no display: DISPLAY is not set; run under `xvfb-run -a` (scripts/test.sh does) to render screenshots")
        }
        do {
            let r = try OffscreenRenderer(width: Self.size.width, height: Self.size.height)
            Self.shared = r
            return r
        } catch let error as ViewerError {
            throw XCTSkip("cannot open a display for offscreen rendering: \(error)")
        }
    }

    /// Cartpole seen side-on: the pole tilted by 0.6 rad, and a ghost with the pole at -0.8 rad.
    func cartpoleScene(ghost: Bool, hidden: Set<Layer> = []) throws -> Scene {
        let builder = try SceneBuilder(model: RobotModel.load("cartpole"))
        try builder.addRobot(qpos: [0, 0.6])
        if ghost { try builder.addRobot(qpos: [0, -0.8], layer: .ghost) }
        return builder.build(camera: Camera(target: SIMD3(0, 0, 0.4), distance: 3, azimuth: -90, elevation: 0), hidden: hidden)
    }

    func pixel(_ image: Image, at p: SIMD3<Double>, camera: Camera) throws -> SIMD4<Int> {
        let q = try XCTUnwrap(camera.project(p, width: image.width, height: image.height))
        let v = image[Int(q.x), Int(q.y)]
        return SIMD4(Int(v.x), Int(v.y), Int(v.z), Int(v.w))
    }

    func testRobotAndGhostPixels() throws {
        let renderer = try offscreen()
        let scene = try cartpoleScene(ghost: true)
        let image = renderer.render(scene)
        XCTAssertEqual(image.width, 320)
        let bg = SIMD3<Int>(Int((scene.background.x * 255).rounded()), Int((scene.background.y * 255).rounded()),
                            Int((scene.background.z * 255).rounded()))

        // background in the top corners (the grid is edge-on at z = 0, below them)
        for (x, y) in [(2, 2), (317, 2)] {
            let c = image[x, y]
            XCTAssertLessThanOrEqual(abs(Int(c.x) - bg.x) + abs(Int(c.y) - bg.y) + abs(Int(c.z) - bg.z), 3, "background at \(x),\(y): \(c)")
        }
        // the pole (MJCF 0.9, 0.4, 0.2) at its mid-point: orange, whatever the shading
        let pole = try pixel(image, at: SIMD3(sin(0.6) / 2, 0, cos(0.6) / 2), camera: scene.camera)
        XCTAssertGreaterThan(pole.x, 120, "pole \(pole)")
        XCTAssertGreaterThan(Double(pole.x), 1.6 * Double(pole.y), "pole \(pole)")
        XCTAssertGreaterThan(pole.y, pole.z, "pole \(pole)")
        // the cart (0.2, 0.6, 0.9) at its centre: blue over green over red
        let cart = try pixel(image, at: SIMD3(0.1, 0, 0), camera: scene.camera)
        XCTAssertGreaterThan(cart.z, cart.y, "cart \(cart)")
        XCTAssertGreaterThan(cart.y, cart.x, "cart \(cart)")
        // the ghost pole: translucent magenta over the background, so green drops and red, blue stay
        let ghostPoint = SIMD3(sin(-0.8) / 2, 0, cos(-0.8) / 2)
        let ghost = try pixel(image, at: ghostPoint, camera: scene.camera)
        XCTAssertLessThan(ghost.y, bg.y - 25, "ghost \(ghost)")
        XCTAssertGreaterThan(ghost.x, ghost.y + 10, "ghost \(ghost)")
        XCTAssertGreaterThan(ghost.z, ghost.y + 10, "ghost \(ghost)")

        // hiding the ghost layer leaves background there
        let hidden = renderer.render(try cartpoleScene(ghost: true, hidden: [.ghost]))
        let bare = try pixel(hidden, at: ghostPoint, camera: scene.camera)
        XCTAssertLessThanOrEqual(abs(bare.x - bg.x) + abs(bare.y - bg.y) + abs(bare.z - bg.z), 3, "hidden ghost \(bare)")
    }

    /// The merged ghost vertices are built once while the ghosts stay the same (a new camera only
    /// re-sorts them), and rebuilt when the ghosts move: the picture follows them.
    func testGhostBufferIsReusedUntilTheGhostsChange() throws {
        let renderer = try offscreen()
        renderer.renderer.translucency = .merged
        func scene(ghostAngle: Double, azimuth: Double = -90) throws -> Scene {
            let builder = try SceneBuilder(model: RobotModel.load("cartpole"))
            try builder.addRobot(qpos: [0, 0.6])
            try builder.addRobot(qpos: [0, ghostAngle], layer: .ghost)
            return builder.build(camera: Camera(target: SIMD3(0, 0, 0.4), distance: 3, azimuth: azimuth, elevation: 0))
        }
        let first = try scene(ghostAngle: -0.8)
        let bg = SIMD3<Int>(Int((first.background.x * 255).rounded()), Int((first.background.y * 255).rounded()),
                            Int((first.background.z * 255).rounded()))
        func isGhost(_ c: SIMD4<Int>) -> Bool { c.y < bg.y - 25 && c.x > c.y + 10 && c.z > c.y + 10 }
        let oldPoint = SIMD3(sin(-0.8) / 2, 0, cos(-0.8) / 2), newPoint = SIMD3(sin(-1.4) / 2, 0, cos(-1.4) / 2)

        let uploads = renderer.renderer.translucentUploads, layerDraws = renderer.renderer.translucentLayerDraws
        let before = renderer.render(first)
        _ = renderer.render(try scene(ghostAngle: -0.8))
        XCTAssertEqual(renderer.renderer.translucentLayerDraws, layerDraws + 1, "same ghosts and camera: the layer texture is reused")
        _ = renderer.render(try scene(ghostAngle: -0.8, azimuth: -80))
        XCTAssertEqual(renderer.renderer.translucentUploads, uploads + 1, "same ghosts, same or other camera: one build")
        XCTAssertEqual(renderer.renderer.translucentLayerDraws, layerDraws + 2, "another camera: the layer is redrawn")
        XCTAssertTrue(isGhost(try pixel(before, at: oldPoint, camera: first.camera)))
        XCTAssertFalse(isGhost(try pixel(before, at: newPoint, camera: first.camera)))

        let moved = try scene(ghostAngle: -1.4)
        let after = renderer.render(moved)
        XCTAssertEqual(renderer.renderer.translucentUploads, uploads + 2, "moved ghosts: rebuilt")
        let arrived = try pixel(after, at: newPoint, camera: moved.camera)
        XCTAssertTrue(isGhost(arrived), "new ghost place: \(arrived)")
        let left = try pixel(after, at: oldPoint, camera: moved.camera)
        XCTAssertLessThanOrEqual(abs(left.x - bg.x) + abs(left.y - bg.y) + abs(left.z - bg.z), 3, "old ghost place after the move: \(left)")
    }

    func testPNGRoundTripAndHUD() throws {
        let renderer = try offscreen()
        let scene = try cartpoleScene(ghost: false)
        guard renderer.renderer.text != nil else { throw XCTSkip("no font found for the HUD (install fonts-dejavu-core)") }
        let plain = renderer.render(scene)
        let withText = renderer.render(scene, hud: ["HUD TEXT 123"])
        // text is dark on a light panel at the top left
        var dark = 0
        for y in 8..<30 { for x in 8..<120 where withText[x, y].y < 100 && plain[x, y].y > 200 { dark += 1 } }
        XCTAssertGreaterThan(dark, 40, "dark text pixels in the HUD")

        let path = NSTemporaryDirectory() + "viewer-test-\(getpid()).png"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try withText.writePNG(to: path)
        let read = try Image(contentsOfPNG: path)
        XCTAssertEqual(read, withText)
    }
}

final class PlaybackTests: XCTestCase {
    func testAdvanceLoopsScrubAndEpisodes() {
        var p = Playback(episodes: 3, length: 11, statesPerSecond: 10)
        p.advance(seconds: 0.55)
        XCTAssertEqual(p.step, 5)
        p.changeSpeed(by: 2)
        p.advance(seconds: 0.5)  // +10 states: 15.5 wraps past the end (11 states)
        XCTAssertEqual(p.step, 4)
        p.scrub(-10)
        XCTAssertTrue(p.paused)
        XCTAssertEqual(p.step, 0)
        p.advance(seconds: 1)
        XCTAssertEqual(p.step, 0, "paused")
        p.changeEpisode(by: -1)
        XCTAssertEqual(p.episode, 2)
        p.changeEpisode(by: 2)
        XCTAssertEqual(p.episode, 1)
    }
}

final class MeshTests: XCTestCase {
    func testNormalMatrixUndoesNonUniformScale() {
        // scale x by 2 then rotate 90 degrees about z: normals scale by 1/2 along the old x
        let m = Matrix4(rotation: Rotation(quaternion: SIMD4(cos(.pi / 4), 0, 0, sin(.pi / 4))), scale: SIMD3(2, 1, 1),
                        translation: SIMD3(5, 6, 7))
        let n = normalMatrix(m)  // column-major 3x3
        let expected: [Float] = [0, 0.5, 0, -1, 0, 0, 0, 0, 1]
        for (a, b) in zip(n, expected) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    func testIndexedMeshesShareVertices() {
        let soup = Meshes.sphere(slices: 8, stacks: 4)
        let (vertices, indices) = Meshes.indexed(soup)
        XCTAssertEqual(indices.count, soup.count / 6)
        XCTAssertLessThan(vertices.count / 6, indices.count / 2)
        for (k, i) in indices.enumerated() {
            XCTAssertEqual(Array(vertices[Int(i) * 6..<Int(i) * 6 + 6]), Array(soup[k * 6..<k * 6 + 6]))
        }
        XCTAssertEqual(Meshes.indexed(Meshes.cube()).vertices.count / 6, 24)
    }

    /// Opaque meshes are drawn with back faces culled, so every triangle of the closed unit meshes
    /// must wind counter-clockwise seen from outside (its normal points away from the centre).
    func testClosedUnitMeshesWindOutward() {
        for (name, soup) in [("sphere", Meshes.sphere()), ("coarse sphere", Meshes.sphere(slices: 10, stacks: 6)),
                             ("cylinder", Meshes.cylinder()), ("cube", Meshes.cube())] {
            var faces = 0
            for t in stride(from: 0, to: soup.count, by: 18) {
                let p = (0..<3).map { SIMD3<Double>(Double(soup[t + 6 * $0]), Double(soup[t + 6 * $0 + 1]), Double(soup[t + 6 * $0 + 2])) }
                let e1 = p[1] - p[0], e2 = p[2] - p[0]
                let n = SIMD3(e1.y * e2.z - e1.z * e2.y, e1.z * e2.x - e1.x * e2.z, e1.x * e2.y - e1.y * e2.x)
                if (n * n).sum() < 1e-12 { continue }  // the sphere's pole triangles have no area
                XCTAssertGreaterThan((n * (p[0] + p[1] + p[2])).sum(), 0, "\(name): triangle \(t / 18) winds inward")
                faces += 1
            }
            XCTAssertGreaterThan(faces, 10, name)
        }
    }
}

/// A screenshot taken from an interactive window (a fresh offscreen target, rendered and released)
/// leaves the window's context current: the window goes on drawing afterwards (it froze before).
final class OffscreenContextTests: XCTestCase {
    func testAnOffscreenTargetRestoresTheCallersContext() throws {
        _ = try sharedOffscreen()   // skips without a display
        let window = try GLFW.makeWindow(width: 64, height: 64, title: "caller", visible: false)
        XCTAssertEqual(GLFW.currentContext, window)
        do {
            let offscreen = try OffscreenRenderer(width: 32, height: 24, samples: 0)
            XCTAssertEqual(GLFW.currentContext, window, "creating a target keeps the caller's context")
            let builder = try SceneBuilder(model: RobotModel.load("cartpole"))
            try builder.addRobot(qpos: [0, 0.3])
            let image = offscreen.render(builder.build())
            XCTAssertEqual(image.width, 32)
            XCTAssertEqual(GLFW.currentContext, window, "rendering keeps the caller's context")
        }
        XCTAssertEqual(GLFW.currentContext, window, "releasing the target keeps the caller's context")
    }
}
