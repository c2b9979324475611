import Foundation
import Simulation
import XCTest
@testable import Scene

/// Absolute tolerance for positions computed two ways in double precision, in metres.
let positionTolerance = 1e-9

func assertClose(_ a: SIMD3<Double>, _ b: SIMD3<Double>, _ tol: Double = positionTolerance,
                 _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    let d = a - b
    XCTAssertLessThanOrEqual((d * d).sum().squareRoot(), tol, "\(a) vs \(b) \(message)", file: file, line: line)
}

final class SceneBuilderTests: XCTestCase {
    // MARK: - Geometry from forward kinematics

    /// Cartpole: the pole capsule runs from the cart to the tip site, and both agree with the
    /// closed form (x + sin θ, 0, cos θ) for a hinge about y.
    func testCartpolePoleEndpointsFollowKinematics() throws {
        let model = try RobotModel.load("cartpole")
        let builder = try SceneBuilder(model: model)
        let (x, theta) = (0.3, 0.5)
        try builder.addRobot(qpos: [x, theta])
        let poleIndex = try XCTUnwrap(model.index(of: .geom, named: "pole"))
        let pole = try XCTUnwrap(builder.drawables.first { $0.geom == poleIndex && $0.layer == .robot })
        guard case .capsule(let r, let h) = pole.shape else { return XCTFail("pole is \(pole.shape)") }
        XCTAssertEqual(r, 0.02, accuracy: 1e-12)
        XCTAssertEqual(h, 0.5, accuracy: 1e-12)
        let (a, b) = try XCTUnwrap(pole.axisEndpoints)
        let (bottom, top) = a.z < b.z ? (a, b) : (b, a)
        assertClose(bottom, SIMD3(x, 0, 0))
        assertClose(top, SIMD3(x + sin(theta), 0, cos(theta)))

        let state = try RobotState(model: model)
        try state.set(qpos: [x, theta], qvel: [0, 0])
        let tip = state.sitePositions()
        assertClose(top, SIMD3(tip[0], tip[1], tip[2]), 1e-9, "tip site")
    }

    /// arm7 at a random pose: each link capsule starts at its body's origin and ends at the next
    /// body's origin (links are `fromto` along the body z); the end-effector site lies 6 cm past
    /// the last capsule along it.
    func testArm7CapsulesChainBodyOrigins() throws {
        let model = try RobotModel.load("arm7")
        var rng = SystemRandomNumberGenerator()
        let qpos = (0..<model.nq).map { _ in Double.random(in: -1.5...1.5, using: &rng) }
        let builder = try SceneBuilder(model: model)
        try builder.addRobot(qpos: qpos)
        let state = try RobotState(model: model)
        try state.set(qpos: qpos, qvel: [Double](repeating: 0, count: model.nv))
        let (positions, _) = state.bodyPoses()
        func bodyOrigin(_ name: String) -> SIMD3<Double> {
            let b = model.index(of: .body, named: name)!
            return SIMD3(positions[3 * b], positions[3 * b + 1], positions[3 * b + 2])
        }
        func endpoints(_ geom: String) throws -> (SIMD3<Double>, SIMD3<Double>) {
            let g = try XCTUnwrap(model.index(of: .geom, named: geom))
            return try XCTUnwrap(builder.drawables.first { $0.geom == g }?.axisEndpoints)
        }
        for k in 1...6 {
            let (a, b) = try endpoints("link\(k)")
            // fromto puts the capsule z from start to end, so the first end is the body origin
            let start = bodyOrigin("link\(k)"), end = bodyOrigin("link\(k + 1)")
            let matched = length(a - start) < length(b - start) ? (a, b) : (b, a)
            assertClose(matched.0, start, 1e-9, "link\(k) start")
            assertClose(matched.1, end, 1e-9, "link\(k) end")
        }
        let (a, b) = try endpoints("link7")
        let base = bodyOrigin("link7")
        let far = length(a - base) > length(b - base) ? a : b
        let sites = state.sitePositions()
        let ee = SIMD3(sites[0], sites[1], sites[2])
        XCTAssertEqual(length(ee - far), 0.06, accuracy: 1e-9)
        XCTAssertEqual(length(ee - base), 0.14, accuracy: 1e-9)
    }

    // MARK: - Layers and colours

    func testColoursPerLayer() throws {
        let model = try RobotModel.load("cartpole")
        let builder = try SceneBuilder(model: model)
        try builder.addRobot(qpos: [0, 0])
        try builder.addRobot(qpos: [0.1, 0.2], layer: .ghost, instance: 3)
        try builder.addRobot(qpos: [0.1, 0.2], layer: .future)
        let geoms = model.geoms
        let pole = model.index(of: .geom, named: "pole")!, rail = model.index(of: .geom, named: "rail")!
        let palette = Palette.standard

        // the world's rail is drawn once, on the world layer, in its own colour
        let rails = builder.drawables.filter { $0.geom == rail }
        XCTAssertEqual(rails.count, 1)
        XCTAssertEqual(rails.first?.layer, .world)
        XCTAssertEqual(rails.first?.rgba, geoms[rail].rgba)

        let robotPole = builder.drawables.first { $0.geom == pole && $0.layer == .robot }!
        XCTAssertEqual(robotPole.rgba, SIMD4<Float>(0.9, 0.4, 0.2, 1))
        let ghostPole = builder.drawables.first { $0.geom == pole && $0.layer == .ghost }!
        XCTAssertEqual(ghostPole.instance, 3)
        XCTAssertEqual(ghostPole.rgba, SIMD4(palette.styles[.ghost]!.colour!, 0.30))
        XCTAssertLessThan(ghostPole.rgba.w, 1, "ghosts are translucent")
        let futurePole = builder.drawables.first { $0.geom == pole && $0.layer == .future }!
        XCTAssertEqual(futurePole.rgba, SIMD4(palette.styles[.future]!.colour!, 1))
        // every layer of the default palette is distinguishable from the others
        let colours = [Layer.context, .future, .ghost, .prediction, .goal].map { palette.styles[$0]!.colour! }
        XCTAssertEqual(Set(colours.map { "\($0)" }).count, colours.count)
    }

    func testFuturesGiveGhostRobotsAndTrails() throws {
        let model = try RobotModel.load("cartpole")
        let (count, steps) = (3, 5)
        // sample k swings the pole to 0.1 (k + 1) t
        var futures: [Double] = []
        for k in 0..<count { for t in 0..<steps { futures += [0, 0.1 * Double(k + 1) * Double(t)] } }
        let builder = try SceneBuilder(model: model)
        try builder.addFutures(qpos: futures, count: count, steps: steps)
        let robotGeoms = model.geoms.filter { $0.body > 0 }.count
        let ghosts = builder.drawables.filter { $0.layer == .ghost }
        XCTAssertEqual(ghosts.count, count * robotGeoms)
        XCTAssertEqual(Set(ghosts.map(\.instance)), [0, 1, 2])
        let trails = builder.lines.filter { $0.layer == .ghost }
        XCTAssertEqual(trails.count, count * model.nsite)
        for trail in trails {
            XCTAssertEqual(trail.points.count, steps)
            let angle = 0.1 * Double(trail.instance + 1) * Double(steps - 1)
            assertClose(trail.points.last!, SIMD3(sin(angle), 0, cos(angle)))
        }
        XCTAssertThrowsError(try builder.addFutures(qpos: futures, count: count, steps: steps + 1))
    }

    func testResetKeepsWorldAndBuildFramesTheRobot() throws {
        let model = try RobotModel.load("arm7")
        let builder = try SceneBuilder(model: model)
        try builder.addRobot(qpos: [Double](repeating: 0.3, count: model.nq))
        let scene = builder.build()
        // every drawable centre is in view of the automatic camera
        for d in scene.drawables {
            let p = try XCTUnwrap(scene.camera.project(d.position, width: 640, height: 480))
            XCTAssert((0...640).contains(p.x) && (0...480).contains(p.y), "\(d.geom ?? -1) at \(p)")
        }
        XCTAssertNotNil(scene.grid)
        builder.reset()
        XCTAssertTrue(builder.drawables.allSatisfy { $0.layer == .world })
        XCTAssertFalse(builder.drawables.isEmpty, "arm7 has a base in the world")
    }
}

final class EpisodeSceneTests: XCTestCase {
    /// A frame shows one robot (not the poses used for framing), the episode's trail, and the same
    /// camera at every step.
    func testFramesShowOneRobotAndKeepTheCamera() throws {
        let model = try RobotModel.load("pendulum")
        let length = 20
        let qpos = (0..<length).map { Double($0) * 0.1 }  // nq = 1
        let file = try EpisodeFile(qpos: qpos, count: 1, length: length, nq: 1)
        let scenes = try EpisodeScene(model: model, episodes: file)
        let first = try scenes.scene(episode: 0, step: 0), later = try scenes.scene(episode: 0, step: 15)
        let robotGeoms = model.geoms.filter { $0.body > 0 }.count
        XCTAssertEqual(later.drawables.filter { $0.layer == .robot }.count, robotGeoms)
        XCTAssertEqual(later.lines.filter { $0.layer == .trail }.first?.points.count, length)
        XCTAssertEqual(first.camera, later.camera)
        XCTAssertThrowsError(try EpisodeScene(model: RobotModel.load("cartpole"), episodes: file)) {
            XCTAssertTrue("\($0)".contains("nq = 1"), "\($0)")
        }
    }
}
