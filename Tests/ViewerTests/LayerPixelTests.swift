import Foundation
import Plotting
import Scene
import Simulation
import Trajectories
import XCTest
@testable import Viewer

final class MergedBatchTests: XCTestCase {
    /// Every triangle of each closed convex shape faces away from the shape's centre (so that
    /// back-face culling keeps the outside), and capsule vertices lie on the capsule's surface.
    func testShapesAreClosedOutwardAndOnTheirSurfaces() {
        let rotation = Rotation(quaternion: SIMD4(0.9, 0.2, -0.3, 0.1))
        let centre = SIMD3<Double>(0.5, -1, 2)
        let shapes: [Shape] = [.capsule(radius: 0.1, halfLength: 0.3), .sphere(radius: 0.2), .cylinder(radius: 0.1, halfLength: 0.2),
                               .box(halfExtents: SIMD3(0.1, 0.2, 0.3)), .ellipsoid(radii: SIMD3(0.1, 0.2, 0.3))]
        for shape in shapes { for (slices, stacks) in [(8, 2), (4, 1)] {
            var batch = MergedBatch(slices: slices, capStacks: stacks)
            batch.append(Drawable(shape: shape, position: centre, rotation: rotation, rgba: SIMD4(1, 0, 0, 0.5), layer: .ghost))
            XCTAssertGreaterThan(batch.triangleCount, 0)
            let v = batch.vertices
            func point(_ i: UInt32) -> SIMD3<Double> {
                let o = Int(i) * MergedBatch.stride
                return SIMD3(Double(v[o]), Double(v[o + 1]), Double(v[o + 2]))
            }
            var area = 0.0
            for t in stride(from: 0, to: batch.indices.count, by: 3) {
                let (a, b, c) = (point(batch.indices[t]), point(batch.indices[t + 1]), point(batch.indices[t + 2]))
                let n = cross3d(b - a, c - a), outward = (a + b + c) / 3 - centre
                XCTAssertGreaterThan((n * outward).sum(), 0, "\(shape), \(stacks) cap rings: triangle \(t / 3) faces inward")
                area += (n * n).sum().squareRoot() / 2
            }
            XCTAssertGreaterThan(area, 0)
            // colours ride along per vertex
            XCTAssertEqual(Array(v[6..<10]), [1, 0, 0, 0.5])
        } }
        // a capsule is one lathe of 6 rings: 64 triangles at 8 slices (a cylinder and two spheres were 280)
        var capsule = MergedBatch(slices: 8)
        capsule.append(Drawable(shape: .capsule(radius: 0.1, halfLength: 0.3), position: centre, rotation: rotation,
                                rgba: SIMD4(1, 1, 1, 1), layer: .ghost))
        XCTAssertEqual(capsule.triangleCount, 64)
        XCTAssertEqual(capsule.vertexCount, 48)
        // pyramid caps (one ring from rim to pole): 4 rings, 16 triangles at 4 slices; every
        // vertex still on the capsule's surface
        var coarse = MergedBatch(slices: 4, capStacks: 1)
        coarse.append(Drawable(shape: .capsule(radius: 0.1, halfLength: 0.3), position: centre, rotation: rotation,
                               rgba: SIMD4(1, 1, 1, 1), layer: .ghost))
        XCTAssertEqual(coarse.triangleCount, 16)
        XCTAssertEqual(coarse.vertexCount, 16)
        // a second shape's indices form the second range, and reordering swaps the blocks
        coarse.append(Drawable(shape: .sphere(radius: 0.2), position: centre, rgba: SIMD4(1, 1, 1, 1), layer: .ghost))
        XCTAssertEqual(coarse.ranges, [0..<48, 48..<156])  // spheres keep 6 slices and 2 rings: 36 triangles
        var reordered: [UInt32] = []
        coarse.indices(inOrder: [1, 0], into: &reordered)
        XCTAssertEqual(reordered, Array(coarse.indices[48..<156] + coarse.indices[0..<48]))
        for i in 0..<16 {
            let o = i * MergedBatch.stride
            let p = SIMD3(Double(coarse.vertices[o]), Double(coarse.vertices[o + 1]), Double(coarse.vertices[o + 2]))
            let s = max(-0.3, min(0.3, ((p - centre) * rotation.column(2)).sum()))
            let d = p - (centre + rotation.column(2) * s)
            XCTAssertEqual((d * d).sum().squareRoot(), 0.1, accuracy: 1e-5)
        }
        let axis = rotation.column(2)
        for i in 0..<capsule.vertexCount {
            let o = i * MergedBatch.stride
            let p = SIMD3(Double(capsule.vertices[o]), Double(capsule.vertices[o + 1]), Double(capsule.vertices[o + 2]))
            // distance to the axis segment centre ± 0.3 · axis is the radius
            let s = max(-0.3, min(0.3, ((p - centre) * axis).sum()))
            let d = p - (centre + axis * s)
            XCTAssertEqual((d * d).sum().squareRoot(), 0.1, accuracy: 1e-5)
            // the normal is the unit vector from the axis
            let n = SIMD3(Double(capsule.vertices[o + 3]), Double(capsule.vertices[o + 4]), Double(capsule.vertices[o + 5]))
            XCTAssertLessThan(((n - d / 0.1) * (n - d / 0.1)).sum().squareRoot(), 1e-5)
        }
    }
}

/// The offscreen renderer the screenshot tests share (320 × 240), or a skip without a display.
func sharedOffscreen() throws -> OffscreenRenderer {
    if let r = ScreenshotTests.shared { return r }
    let env = ProcessInfo.processInfo.environment
    if env["DISPLAY"] == nil && env["WAYLAND_DISPLAY"] == nil {
        throw XCTSkip("no display: DISPLAY is not set; run under `xvfb-run -a` (scripts/test.sh does) to render screenshots")
    }
    do {
        let r = try OffscreenRenderer(width: ScreenshotTests.size.width, height: ScreenshotTests.size.height)
        ScreenshotTests.shared = r
        return r
    } catch let error as ViewerError {
        throw XCTSkip("cannot open a display for offscreen rendering: \(error)")
    }
}

private func cross3d(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

/// Pixels of the prediction and plan layers, rendered from above: reacher2 lies in the z = 0.01
/// plane, so a top-down camera sees every fingertip where the closed form puts it.
final class LayerPixelTests: XCTestCase {
    let directory = NSTemporaryDirectory() + "viewer-layers-\(getpid())"

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    static let camera = Camera(target: SIMD3(0, 0, 0.01), distance: 0.7, azimuth: -90, elevation: 89)

    func tip(_ q0: Double, _ q1: Double) -> SIMD3<Double> {
        SIMD3(0.1 * cos(q0) + 0.11 * cos(q0 + q1), 0.1 * sin(q0) + 0.11 * sin(q0 + q1), 0.01)
    }

    func pixel(_ image: Image, _ p: SIMD3<Double>) throws -> SIMD3<Int> {
        let q = try XCTUnwrap(Self.camera.project(p, width: image.width, height: image.height))
        let v = image[Int(q.x), Int(q.y)]
        return SIMD3(Int(v.x), Int(v.y), Int(v.z))
    }

    func background(_ scene: Scene) -> SIMD3<Int> {
        SIMD3(Int((scene.background.x * 255).rounded()), Int((scene.background.y * 255).rounded()), Int((scene.background.z * 255).rounded()))
    }

    /// One ghost future (pointing to −y), the feedforward prediction (pointing to −x) and the robot
    /// (pointing to +x): ghost magenta, prediction orange, each where its fingertip projects; hiding
    /// a layer gives the background back.
    func testGhostAndFeedforwardColoursWhereTheirFuturesAre() throws {
        let renderer = try sharedOffscreen()
        let model = try RobotModel.load("reacher2")
        let ghostQ = (-Double.pi / 2, 0.0), ffQ = (Double.pi, 0.0)
        let prediction = try PredictionFile(
            context: [0, 0, 0, 0], futures: [ghostQ.0, ghostQ.1, 0, 0, ghostQ.0, ghostQ.1, 0, 0], count: 1, horizon: 2, nq: 2, nv: 2,
            energies: [0], feedforward: [ffQ.0, ffQ.1, 0, 0, ffQ.0, ffQ.1, 0, 0])
        let scenes = try PredictionScene(model: model, prediction: prediction)
        for mode in Renderer.Translucency.allCases {
            renderer.renderer.translucency = mode
            defer { renderer.renderer.translucency = Renderer.Translucency.merged }
            var scene = try scenes.scene(step: 1, camera: Self.camera, hidden: [.world])
            scene.grid = nil  // its lines run through x = 0 and y = 0, where the links lie
            let image = renderer.render(scene)
            let bg = background(scene)
            // the middle of link1 of each: the fingertip sphere's radius is 10 mm, link1's 10 mm too
            let ghost = try pixel(image, (tip(ghostQ.0, 0) + SIMD3(0, -0.1, 0.01)) / 2)
            XCTAssertLessThan(ghost.y, bg.y - 25, "\(mode): ghost \(ghost)")
            XCTAssertGreaterThan(ghost.x, ghost.y + 15, "\(mode): ghost \(ghost)")
            XCTAssertGreaterThan(ghost.z, ghost.y + 15, "\(mode): ghost \(ghost)")
            let ff = try pixel(image, (tip(ffQ.0, 0) + SIMD3(-0.1, 0, 0.01)) / 2)
            XCTAssertGreaterThan(ff.x, ff.y + 25, "\(mode): feedforward \(ff)")
            XCTAssertGreaterThan(ff.y, ff.z + 25, "\(mode): feedforward \(ff)")
            // the robot's own colour (0, 0.4, 0.6) on link1, pointing to +x
            let robot = try pixel(image, SIMD3(0.155, 0, 0.02))
            XCTAssertGreaterThan(robot.z, robot.x + 40, "robot \(robot)")
        }
        var bare = try scenes.scene(step: 1, camera: Self.camera, hidden: [.world, .ghost, .prediction])
        bare.grid = nil
        let hidden = renderer.render(bare)
        let bg = background(try scenes.scene(step: 1, camera: Self.camera))
        for p in [(tip(ghostQ.0, 0) + SIMD3(0, -0.1, 0.01)) / 2, (tip(ffQ.0, 0) + SIMD3(-0.1, 0, 0.01)) / 2] {
            let c = try pixel(hidden, p)
            XCTAssertLessThanOrEqual(abs(c.x - bg.x) + abs(c.y - bg.y) + abs(c.z - bg.z), 30, "hidden layers: \(c) vs \(bg)")
        }
    }

    /// A plan whose executed path sweeps the fingertip round a quarter circle: the trail colour on
    /// the path far from the robot, the goal's red at the goal.
    func testPlanPathAndGoalPixels() throws {
        let renderer = try sharedOffscreen()
        let model = try RobotModel.load("reacher2")
        let path = directory + "/plan.npz"
        var qpos: [Double] = []
        for t in 0..<31 { qpos += [Double.pi / 2 * Double(t) / 30, 0] }
        let goal = SIMD3(-0.15, 0.1, 0.01)
        try writePlan(path, qpos: qpos, goal: goal)
        let plan = try PlanFile(contentsOf: path, nq: 2, nv: 2, robot: "reacher2")
        var scene = try PlanScene(model: model, plan: plan).scene(step: 0, camera: Self.camera, hidden: [.world])
        scene.grid = nil
        let image = renderer.render(scene)
        // at 45°, the fingertip path (radius 0.21 m) is a yellow line: look within ±2 pixels
        let onPath = SIMD3(0.21 * cos(Double.pi / 4), 0.21 * sin(Double.pi / 4), 0.01)
        let q = try XCTUnwrap(Self.camera.project(onPath, width: image.width, height: image.height))
        var best = SIMD3<Int>(0, 0, 0), bestScore = -1000
        for dy in -2...2 { for dx in -2...2 {
            let v = image[Int(q.x) + dx, Int(q.y) + dy]
            let (r, g, b) = (Int(v.x), Int(v.y), Int(v.z))
            let score: Int = r + g - 2 * b
            if score > bestScore { (bestScore, best) = (score, SIMD3(Int(v.x), Int(v.y), Int(v.z))) }
        } }
        XCTAssertGreaterThan(best.x, 180, "path \(best)")
        XCTAssertGreaterThan(best.y, 150, "path \(best)")
        XCTAssertLessThan(best.z, best.y - 60, "path \(best)")
        let g = try pixel(image, goal)
        XCTAssertGreaterThan(g.x, g.y + 80, "goal \(g)")
        XCTAssertGreaterThan(g.x, g.z + 80, "goal \(g)")
    }

    private func writePlan(_ path: String, qpos: [Double], goal: SIMD3<Double>) throws {
        try NumPyArchive([("qpos", NumPyArray(doubles: qpos, shape: [qpos.count / 2, 2])),
                          ("goal", NumPyArray(doubles: [goal.x, goal.y, goal.z], shape: [3]))]).write(to: URL(fileURLWithPath: path))
    }
}
