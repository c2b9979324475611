import Foundation
import XCTest
import Simulation

/// URDF import (sim/src/urdf.cpp through sim_loadURDFFile): the Swift-visible entry points.
final class URDFTests: XCTestCase {
    /// A two-link arm: a fixed base, a revolute and a continuous joint, a welded tool link.
    static let arm = """
        <robot name="arm">
          <link name="base"><collision><geometry><box size="0.2 0.2 0.1"/></geometry></collision></link>
          <link name="upper"><inertial><origin xyz="0 0 0.25"/><mass value="2"/>
            <inertia ixx="0.05" iyy="0.05" izz="0.01" ixy="0" ixz="0" iyz="0"/></inertial></link>
          <link name="lower"><inertial><origin xyz="0 0 0.2" rpy="0.1 0.2 0.3"/><mass value="1"/>
            <inertia ixx="0.02" iyy="0.03" izz="0.015" ixy="0.001" ixz="0" iyz="0"/></inertial></link>
          <link name="tool"/>
          <joint name="shoulder" type="revolute"><parent link="base"/><child link="upper"/>
            <origin xyz="0 0 0.1"/><axis xyz="0 1 0"/><limit lower="-2" upper="2" effort="10" velocity="3"/>
            <dynamics damping="0.1"/></joint>
          <joint name="elbow" type="continuous"><parent link="upper"/><child link="lower"/>
            <origin xyz="0 0 0.5"/><axis xyz="0 1 0"/></joint>
          <joint name="flange" type="fixed"><parent link="lower"/><child link="tool"/><origin xyz="0 0 0.4"/></joint>
        </robot>
        """

    func write(_ text: String, _ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urdf-tests-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func testURDFLoadsAsMuJoCoImportsIt() throws {
        let path = try write(Self.arm, "arm.urdf")
        for model in [try RobotModel(urdf: path), try RobotModel.load(path), try RobotModel.load(path, packagePath: [])] {
            XCTAssertEqual(model.nq, 2)
            XCTAssertEqual(model.nv, 2)
            XCTAssertEqual(model.names(.joint), ["shoulder", "elbow"])
            XCTAssertEqual(model.names(.body), ["world", "base", "upper", "lower", "tool"])
        }
        let xml = try RobotModel.mjcf(fromURDF: path)
        XCTAssertTrue(xml.contains("<joint name=\"shoulder\" type=\"hinge\" axis=\"0 1 0\" range=\"-2 2\""), xml)
        // the MJCF it prints loads to the same model
        let again = try RobotModel(xml: xml)
        XCTAssertEqual(again.nq, 2)
    }

    func testBrokenURDFNamesFileAndLine() throws {
        let path = try write(Self.arm.replacingOccurrences(of: "<child link=\"lower\"/>", with: "<child link=\"lowr\"/>"), "broken.urdf")
        XCTAssertThrowsError(try RobotModel(urdf: path)) { error in
            let message = (error as? SimulationError)?.message ?? ""
            XCTAssertTrue(message.contains("broken.urdf:11: joint 'elbow': child link 'lowr' is not defined"), message)
        }
    }
}
