import XCTest
import Simulation

/// Ball and free joints (quaternion qpos, nq > nv) and equality constraints through the Swift
/// API, against closed forms (the C++ tests and benchmarks/floating_vs_mujoco.py,
/// benchmarks/equality_vs_mujoco.py compare with MuJoCo).
final class FloatingBaseTests: XCTestCase {
    let xml = """
    <mujoco model="floating">
      <compiler angle="radian"/>
      <option timestep="0.002"/>
      <worldbody>
        <body name="box" pos="0 0 1"><freejoint name="root"/>
          <inertial pos="0 0 0" mass="2" diaginertia="0.1 0.2 0.3"/>
          <body name="arm" pos="0.3 0 0"><joint name="elbow" axis="0 1 0" range="-1 1"/>
            <geom type="capsule" fromto="0 0 0 0.2 0 0" size="0.02"/></body>
        </body>
        <body name="bob" pos="2 0 1"><joint name="ball" type="ball"/>
          <geom type="capsule" fromto="0 0 0 0.3 0 -0.3" size="0.03"/></body>
      </worldbody>
    </mujoco>
    """

    func testSizesAddressesAndPerCoordinateLimits() throws {
        let m = try RobotModel(xml: xml, sourceName: "floating.xml")
        XCTAssertEqual([m.nq, m.nv, m.njoint], [12, 10, 3])
        XCTAssertEqual(m.names(.joint), ["root", "elbow", "ball"])
        XCTAssertEqual(m.jointTypes, [.free, .hinge, .ball])
        XCTAssertEqual(m.jointAddresses.qpos, [0, 7, 8])
        XCTAssertEqual(m.jointAddresses.dof, [0, 6, 7])
        let j = m.joints
        XCTAssertEqual(j.limited.count, m.nq)
        XCTAssertEqual(j.limited.firstIndex(of: true), 7)  // the elbow's coordinate
        XCTAssertEqual(j.range[7].1, 1)
        XCTAssertEqual(Array(j.qpos0[0..<7]), [0, 0, 1, 1, 0, 0, 0])
        XCTAssertEqual(Array(j.qpos0[8..<12]), [1, 0, 0, 0])
    }

    /// Uniform gravity moves no joint of a falling tree: the free base follows semi-implicit
    /// Euler's discrete closed form z_n = z0 + n h vz + h² g n(n+1)/2 and the elbow stays put.
    func testFreeFallFollowsTheDiscreteClosedForm() throws {
        let m = try RobotModel(xml: xml, sourceName: "floating.xml")
        let s = try RobotState(model: m)
        var v = [Double](repeating: 0, count: m.nv)
        v[0] = 0.5
        v[2] = 2
        try s.set(qpos: m.joints.qpos0, qvel: v)
        let (n, h, g) = (500, 0.002, -9.81)
        try s.step(n)
        let q = s.qpos
        XCTAssertEqual(q[0], 0.5 * Double(n) * h, accuracy: 1e-12)
        XCTAssertEqual(q[2], 1 + Double(n) * h * 2 + h * h * g * Double(n * (n + 1)) / 2, accuracy: 1e-11)
        XCTAssertEqual(Array(q[3..<7]), [1, 0, 0, 0], accuracy: 1e-12)
        XCTAssertEqual(q[7], 0, accuracy: 1e-12)  // the elbow
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
