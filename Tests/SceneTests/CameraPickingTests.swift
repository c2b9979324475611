import XCTest
@testable import Scene

/// Mouse picking: pixels back to points on a horizontal plane, checked against hand-worked rays
/// and against `project` (an independent computation of the same pinhole camera).
final class CameraPickingTests: XCTestCase {
    /// Eye at (0, −√2, √2) looking at the origin, 90° field of view in a 200 × 200 image: the focal
    /// length is 100 px, the camera's right is +x and its up (0, ½√2, ½√2).
    let camera = Camera(target: .zero, distance: 2, azimuth: -90, elevation: 45, fieldOfView: 90)

    func testRaysThroughKnownPixelsMeetTheGroundWhereWorkedByHand() throws {
        let r = 2.0.squareRoot()
        assertClose(try XCTUnwrap(camera.pick(pixel: 100, 100, width: 200, height: 200, planeZ: 0)), SIMD3(0, 0, 0), 1e-12)
        // half way up the image: direction ½up − back = (0, ¾√2, −¼√2), ground at t = 4 (unnormalised)
        assertClose(try XCTUnwrap(camera.pick(pixel: 100, 50, width: 200, height: 200, planeZ: 0)), SIMD3(0, 2 * r, 0), 1e-12)
        // half way right: (½, ½√2, −½√2) from the eye reaches z = 0 at t = 2
        assertClose(try XCTUnwrap(camera.pick(pixel: 150, 100, width: 200, height: 200, planeZ: 0)), SIMD3(1, 0, 0), 1e-12)
        // the same ray meets z = ½ at t = 2 − ¼√2; a plane above the eye it never meets
        assertClose(try XCTUnwrap(camera.pick(pixel: 150, 100, width: 200, height: 200, planeZ: 0.5)), SIMD3(1 - r / 4, -0.5, 0.5), 1e-12)
        XCTAssertNil(camera.pick(pixel: 150, 100, width: 200, height: 200, planeZ: 2))
        // the top row's middle ray is horizontal (up − back = (0, √2, 0)); above it the rays rise
        XCTAssertNil(camera.pick(pixel: 100, 0, width: 200, height: 200, planeZ: 0))
        XCTAssertNil(camera.pick(pixel: 100, -50, width: 200, height: 200, planeZ: 0))
        let ray = camera.ray(throughPixel: 100, 0, width: 200, height: 200)
        assertClose(ray.origin, SIMD3(0, -r, r), 1e-12)
        assertClose(ray.direction, SIMD3(0, 1, 0), 1e-12)
    }

    /// pick ∘ project is the identity on the plane of each point, for an oblique camera and a
    /// non-square image.
    func testPickUndoesProject() throws {
        let camera = Camera(target: SIMD3(0.2, -0.1, 0.3), distance: 1.7, azimuth: -75, elevation: 20, fieldOfView: 45)
        for p in [SIMD3(0.3, 0.1, 0.0), SIMD3(-0.4, 0.25, 0.3), SIMD3(0.0, -0.5, 0.7), SIMD3(0.15, 0.05, 0.01)] {
            let q = try XCTUnwrap(camera.project(p, width: 1280, height: 720))
            assertClose(try XCTUnwrap(camera.pick(pixel: q.x, q.y, width: 1280, height: 720, planeZ: p.z)), p, 1e-9)
        }
    }

    /// A press grabs the sphere whose projected disc (plus a tolerance) holds the cursor.
    func testNearestSphereUnderTheCursor() throws {
        let centres = [SIMD3(0.0, 0, 0), SIMD3(1.0, 0, 0)]
        // at depth 2 a metre spans 100 / 2 = 50 px: the second sphere (0.4 m) covers 20 px around (150, 100)
        XCTAssertEqual(camera.nearest(toPixel: 103, 98, centres: centres, radii: [0.01, 0.4], width: 200, height: 200), 0)
        XCTAssertEqual(camera.nearest(toPixel: 150 + 25, 100, centres: centres, radii: [0.01, 0.4], width: 200, height: 200, tolerance: 6), 1)
        XCTAssertNil(camera.nearest(toPixel: 150 + 25, 100, centres: centres, radii: [0.01, 0.4], width: 200, height: 200, tolerance: 4))
        XCTAssertNil(camera.nearest(toPixel: 20, 180, centres: centres, radii: [0.01, 0.4], width: 200, height: 200))
    }
}
