import Simulation
import XCTest
@testable import Scene

final class CameraTests: XCTestCase {
    func testQuaternionRotation() {
        // 90 degrees about z maps x to y
        let r = Rotation(quaternion: SIMD4(cos(.pi / 4), 0, 0, sin(.pi / 4)))
        assertClose(r * SIMD3(1, 0, 0), SIMD3(0, 1, 0), 1e-12)
        assertClose((r * r.transposed) * SIMD3(0.2, -0.4, 0.9), SIMD3(0.2, -0.4, 0.9), 1e-12)
    }

    /// `project` (direct pinhole geometry) agrees with the OpenGL matrices P·V followed by the
    /// viewport transform, and the target lands in the middle of the image.
    func testProjectionMatchesMatrices() {
        let camera = Camera(target: SIMD3(0.1, -0.2, 0.5), distance: 2.5, azimuth: -60, elevation: 25, fieldOfView: 50)
        let (w, h) = (800, 600)
        let centre = camera.project(camera.target, width: w, height: h)!
        XCTAssertEqual(centre.x, 400, accuracy: 1e-9)
        XCTAssertEqual(centre.y, 300, accuracy: 1e-9)
        XCTAssertEqual(centre.depth, 2.5, accuracy: 1e-9)
        let pv = camera.projectionMatrix(aspect: Double(w) / Double(h)) * camera.viewMatrix
        for p in [SIMD3(0.3, 0.2, 0.9), SIMD3(-0.4, 0.1, 0.0), SIMD3(0.0, 0.5, 1.2)] {
            let clip = pv * SIMD4(p, 1)
            let ndc = SIMD3(clip.x, clip.y, clip.z) / clip.w
            let direct = camera.project(p, width: w, height: h)!
            XCTAssertEqual(direct.x, (ndc.x + 1) / 2 * Double(w), accuracy: 1e-9)
            XCTAssertEqual(direct.y, (1 - ndc.y) / 2 * Double(h), accuracy: 1e-9)
        }
        // up in the world is up in the image; the camera's right is right
        XCTAssertLessThan(camera.project(camera.target + SIMD3(0, 0, 0.1), width: w, height: h)!.y, 300)
        XCTAssertGreaterThan(camera.project(camera.target + camera.axes.right * 0.1, width: w, height: h)!.x, 400)
        XCTAssertNil(camera.project(camera.eye + camera.backward, width: w, height: h), "behind the eye")
    }

    func testOrbitPanZoom() {
        var camera = Camera(distance: 2)
        camera.orbit(azimuth: 30, elevation: 100)
        XCTAssertEqual(camera.elevation, 89)
        camera.zoom(by: 0.5)
        XCTAssertEqual(camera.distance, 1, accuracy: 1e-12)
        let before = camera.target
        camera.pan(right: 0.1, up: 0)
        XCTAssertEqual(dot(camera.target - before, camera.axes.up), 0, accuracy: 1e-12)
        XCTAssertGreaterThan(dot(camera.target - before, camera.axes.right), 0)
    }

    /// The default framing of arm7 over an episode's poses: every drawable's bounding sphere lies inside a
    /// 1280 × 720 image, and the robot spans at least 85 % of the image height (the sphere framing
    /// it replaces left the robot in about 40 % of the view).
    func testFramingFillsTheViewWithEverySphereInside() throws {
        let model = try RobotModel.load("arm7")
        let builder = try SceneBuilder(model: model)
        let poses: [[Double]] = [[0, 0, 0, 0, 0, 0, 0], [0.8, -0.6, 0.3, 1.1, -0.4, 0.7, 0.2], [-1.0, 0.9, -0.5, -0.8, 0.6, -0.3, 1.2]]
        for (instance, qpos) in poses.enumerated() { try builder.addRobot(qpos: Array(qpos.prefix(model.nq)), instance: instance) }
        let scene = builder.build()
        let spheres = scene.boundingSpheres()
        XCTAssertFalse(spheres.isEmpty)
        let (w, h) = (1280, 720)
        var (top, bottom, left, right) = (Double.infinity, -Double.infinity, Double.infinity, -Double.infinity)
        for (p, rho) in spheres {
            let c = try XCTUnwrap(scene.camera.project(p, width: w, height: h))
            let extent = scene.camera.pixelsPerMetre(atDepth: c.depth, height: h) * rho
            (top, bottom) = (min(top, c.y - extent), max(bottom, c.y + extent))
            (left, right) = (min(left, c.x - extent), max(right, c.x + extent))
        }
        XCTAssertGreaterThanOrEqual(top, 0); XCTAssertLessThanOrEqual(bottom, Double(h))
        XCTAssertGreaterThanOrEqual(left, 0); XCTAssertLessThanOrEqual(right, Double(w))
        XCTAssertGreaterThanOrEqual(max(bottom - top, (right - left) * Double(h) / Double(w)), 0.85 * Double(h),
                                    "rows \(top)...\(bottom), columns \(left)...\(right)")
        // centred: equal margins above and below (or left and right, whichever side binds)
        XCTAssertEqual(top, Double(h) - bottom, accuracy: 0.02 * Double(h))
    }
}
