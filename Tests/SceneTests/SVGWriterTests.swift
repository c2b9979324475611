import Foundation
import Simulation
import XCTest
@testable import Scene

final class SVGWriterTests: XCTestCase {
    /// The pole of an upright cartpole is a round-capped stroke in its MJCF colour, between the
    /// projections of its end points.
    func testCartpoleSVG() throws {
        let model = try RobotModel.load("cartpole")
        let builder = try SceneBuilder(model: model)
        try builder.addRobot(qpos: [0, 0])
        let scene = builder.build()
        let svg = SVGWriter.svg(scene, width: 400, height: 300)
        XCTAssertTrue(svg.hasPrefix("<svg"))
        XCTAssertTrue(svg.contains("fill=\"\(SVGWriter.hex(scene.background))\""))
        let poleColour = SVGWriter.hex(SIMD3(0.9, 0.4, 0.2))
        let poleLine = try XCTUnwrap(svg.split(separator: "\n").first { $0.contains("stroke=\"\(poleColour)\"") })
        XCTAssertTrue(poleLine.contains("stroke-linecap=\"round\""))
        let pole = scene.drawables.first { $0.geom == model.index(of: .geom, named: "pole") }!
        let (a, _) = pole.axisEndpoints!
        let p = scene.camera.project(a, width: 400, height: 300)!
        XCTAssertTrue(poleLine.contains(String(format: "x1=\"%.2f\" y1=\"%.2f\"", p.x, p.y)), String(poleLine))
        // the cart box is a polygon, and the write lands on disk
        XCTAssertTrue(svg.contains("<polygon"))
        let path = NSTemporaryDirectory() + "scene-test-\(getpid()).svg"
        try SVGWriter.write(scene, width: 400, height: 300, to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), svg)
        try? FileManager.default.removeItem(atPath: path)
    }

    func testHiddenLayersAreLeftOut() throws {
        let model = try RobotModel.load("pendulum")
        let builder = try SceneBuilder(model: model)
        try builder.addRobot(qpos: [Double](repeating: 0.4, count: model.nq), layer: .ghost)
        let visible = SVGWriter.svg(builder.build(), width: 200, height: 200)
        let hidden = SVGWriter.svg(builder.build(hidden: [.ghost]), width: 200, height: 200)
        let ghost = SVGWriter.hex(Palette.standard.styles[.ghost]!.colour!)
        XCTAssertTrue(visible.contains(ghost))
        XCTAssertFalse(hidden.contains(ghost))
    }

    func testConvexHull() {
        let square = [SIMD2(0.0, 0), SIMD2(1, 0), SIMD2(1, 1), SIMD2(0, 1), SIMD2(0.5, 0.5)]
        XCTAssertEqual(SVGWriter.convexHull(square).count, 4)
    }
}
