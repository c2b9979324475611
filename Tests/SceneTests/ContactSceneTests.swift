import Foundation
import Simulation
import Trajectories
import XCTest
@testable import Scene

/// The contact layer: dots at the simulator's contact points and force arrows scaled by the
/// robot's weight, for files with velocities; nothing for models without contacts or when hidden.
final class ContactSceneTests: XCTestCase {
    let directory = NSTemporaryDirectory() + "scene-contacts-\(getpid())"

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    /// A ridgeball file: the ball resting on the floor at x = 1 (one contact), then in the air.
    private func ridgeballFile() throws -> (RobotModel, EpisodeFile) {
        let model = try RobotModel.builtin("ridgeball")
        let state = try RobotState(model: model)
        try state.set(qpos: [1, -0.5, 0], qvel: [0, 0, 0])
        try state.step(1000)
        let rest = state.qpos, restVelocity = state.qvel
        let path = directory + "/rollout.npz"
        try NumPyArchive([("qpos", NumPyArray(doubles: rest + [1, 0, 0], shape: [1, 2, 3])),
                          ("qvel", NumPyArray(doubles: restVelocity + [0, 0, 0], shape: [1, 2, 3])),
                          ("ctrl", NumPyArray(doubles: [0], shape: [1, 1, 1]))]).write(to: URL(fileURLWithPath: path))
        return (model, try EpisodeFile(contentsOf: path, nq: 3, nv: 3, nu: 1, dynamics: true))
    }

    func testRestingBallHasOneContactAndAnArrowOfItsWeight() throws {
        let (model, file) = try ridgeballFile()
        XCTAssertEqual(file.velocity(episode: 0, step: 1), [0, 0, 0])
        XCTAssertEqual(file.control(episode: 0, step: 1), [0])  // the last state takes the last control
        let scenes = try EpisodeScene(model: model, episodes: file)
        let resting = try scenes.scene(episode: 0, step: 0)
        let dots = resting.drawables.filter { $0.layer == .contact }
        XCTAssertEqual(dots.count, 1)
        XCTAssertEqual(try XCTUnwrap(dots.first).position.z, 0, accuracy: 1e-3)
        let arrows = resting.lines.filter { $0.layer == .contact }
        XCTAssertEqual(arrows.count, 2)  // shaft and head
        let shaft = try XCTUnwrap(arrows.first)
        // the floor holds the 1 kg ball up: its weight, drawn 0.25 m long (the default scale), along +z
        XCTAssertEqual(shaft.points[1].z - shaft.points[0].z, 0.25, accuracy: 1e-6)
        XCTAssertEqual(abs(shaft.points[1].x - shaft.points[0].x), 0, accuracy: 1e-6)
        XCTAssertTrue(try scenes.scene(episode: 0, step: 1).drawables.allSatisfy { $0.layer != .contact })  // in the air
        // on the ridge the ball is the first geom (sphere before capsule): the arrow still shows the force on the ball, upwards
        let onRidge = try SceneBuilder(model: model)
        let contacts = try onRidge.addContacts(qpos: [0, -0.301, 0], qvel: [0, 0, 0])
        XCTAssertEqual(contacts.map { [$0.geom1, $0.geom2] }, [[2, 1]])
        let up = try XCTUnwrap(onRidge.lines.first { $0.layer == .contact })
        XCTAssertGreaterThan(up.points[1].z, up.points[0].z)
        XCTAssertTrue(try scenes.scene(episode: 0, step: 0, hidden: [.contact]).drawables.allSatisfy { $0.layer != .contact })
        // contacts do not move the camera: the framing is that of the scene without them
        XCTAssertEqual(resting.camera, try scenes.scene(episode: 0, step: 0, hidden: [.contact]).camera)
        XCTAssertEqual(resting.grid, try scenes.scene(episode: 0, step: 0, hidden: [.contact]).grid)
    }

    func testPositionsAloneGiveDotsWithoutArrows() throws {
        let (model, file) = try ridgeballFile()
        let positions = try EpisodeFile(qpos: file.qpos, count: 1, length: 2, nq: 3)
        let scene = try EpisodeScene(model: model, episodes: positions).scene(episode: 0, step: 0)
        XCTAssertEqual(scene.drawables.filter { $0.layer == .contact }.count, 1)
        XCTAssertTrue(scene.lines.allSatisfy { $0.layer != .contact })
    }

    func testModelsWithoutContactsDrawNone() throws {
        let model = try RobotModel.builtin("reacher2")  // <flag contact="disable"/>
        let builder = try SceneBuilder(model: model)
        XCTAssertFalse(model.solverOptions.contacts)
        let scene = try EpisodeScene(model: model, episodes: EpisodeFile(qpos: [0, 0], count: 1, length: 1, nq: 2))
            .scene(episode: 0, step: 0)
        XCTAssertTrue(scene.drawables.allSatisfy { $0.layer != .contact })
        XCTAssertEqual(try builder.addContacts(qpos: [0, 0]), [])
    }

    func testControlsOfTheWrongShapeAreRefused() throws {
        let path = directory + "/bad.npz"
        try NumPyArchive([("qpos", NumPyArray(doubles: [0, 0, 0, 0, 0, 0], shape: [1, 2, 3])),
                          ("ctrl", NumPyArray(doubles: [0, 0], shape: [1, 2, 1]))]).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try EpisodeFile(contentsOf: path, nq: 3, nv: 3, nu: 1, dynamics: true))
        XCTAssertNil(try EpisodeFile(contentsOf: path, nq: 3, nv: 3, nu: 1).ctrl)  // without dynamics: positions only
    }
}
