import Simulation
import XCTest

/// `RobotModel.actuatedDofs()`: the dof behind each joint actuator (not the joint index, once a free
/// joint comes first), and a clear error — not an index of −1 — for an actuator on a tendon.
final class ActuatedDofsTests: XCTestCase {
    func testDofsFollowTheJointAddressesAndTendonsAreRefused() throws {
        let floating = try RobotModel(xml: """
            <mujoco><worldbody><body><freejoint/><geom type="sphere" size="0.1"/>
              <body pos="0 0 0.2"><joint name="a" axis="0 1 0"/><geom type="capsule" fromto="0 0 0 0 0 0.3" size="0.02"/>
                <body pos="0 0 0.3"><joint name="b" type="slide" axis="1 0 0"/><geom type="sphere" size="0.03"/></body></body>
            </body></worldbody>
            <actuator><motor joint="b" gear="2"/><motor joint="a"/></actuator></mujoco>
            """)
        XCTAssertEqual(floating.actuators.joint, [2, 1], "joint indices: the free joint is joint 0")
        XCTAssertEqual(try floating.actuatedDofs(), [7, 6], "dofs: the free joint holds dofs 0–5")

        let tendon = try RobotModel(xml: """
            <mujoco><worldbody><body><joint name="a" axis="0 1 0"/><geom type="capsule" fromto="0 0 0 0 0 0.3" size="0.02"/>
              <body pos="0 0 0.3"><joint name="b" axis="0 1 0"/><geom type="sphere" size="0.03"/></body></body></worldbody>
            <tendon><fixed name="t"><joint joint="a" coef="1"/><joint joint="b" coef="-1"/></fixed></tendon>
            <actuator><motor joint="a"/><motor name="pull" tendon="t"/></actuator></mujoco>
            """)
        XCTAssertEqual(tendon.actuators.joint, [0, -1])
        XCTAssertThrowsError(try tendon.actuatedDofs()) { error in
            XCTAssertEqual((error as? SimulationError)?.status, SimulationError.unsupported)
            XCTAssertTrue("\(error)".contains("actuator 'pull' drives a tendon or a body, not a joint"), "\(error)")
        }
    }
}
