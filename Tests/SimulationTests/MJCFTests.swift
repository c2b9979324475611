import XCTest
import Simulation

/// MJCF loading: MuJoCo's meaning (mass properties from geoms against closed forms) and strict
/// refusal of anything malformed or unsupported, with "file:line: problem".
final class MJCFTests: XCTestCase {
    func load(_ body: String, options: String = "") throws -> RobotModel {
        try RobotModel(xml: """
        <mujoco model="t">
          <compiler angle="radian"/>\(options)
          <worldbody>
        \(body)
          </worldbody>
        </mujoco>
        """, sourceName: "case.xml")
    }

    /// Asserts loading fails with `status` and a message naming case.xml, `line` and `words`.
    func assertRefused(_ xml: String, status: Int32, line: Int, _ words: String...,
                       file: StaticString = #filePath, lineNumber: UInt = #line) {
        XCTAssertThrowsError(try RobotModel(xml: xml, sourceName: "case.xml"), file: file, line: lineNumber) { error in
            guard let e = error as? SimulationError else { return XCTFail("\(error)", file: file, line: lineNumber) }
            XCTAssertEqual(e.status, status, e.message, file: file, line: lineNumber)
            XCTAssertTrue(e.message.hasPrefix("case.xml:\(line):"), e.message, file: file, line: lineNumber)
            for w in words { XCTAssertTrue(e.message.contains(w), "'\(w)' not in: \(e.message)", file: file, line: lineNumber) }
        }
    }

    // MARK: - Mass properties from geoms (density 1000 unless stated)

    func testSphereCapsuleBoxInertiaMatchClosedForms() throws {
        let m = try load("""
            <body name="sphere"><joint type="slide"/><geom type="sphere" size="0.1"/></body>
            <body name="capsule"><joint type="slide"/><geom type="capsule" size="0.1" fromto="0 0 0 0 0 1"/></body>
            <body name="box"><joint type="slide"/><geom type="box" size="0.1 0.2 0.3" density="700"/></body>
            <body name="cylinder"><joint type="slide"/><geom type="cylinder" size="0.05 0.1"/></body>
        """)
        let b = m.bodies
        let r = 0.1
        // sphere: m = 4/3 π r³ ρ, I = 2/5 m r²
        let sphereMass = 4.0 / 3.0 * Double.pi * r * r * r * 1000
        XCTAssertEqual(b.mass[1], sphereMass, accuracy: 1e-12)
        XCTAssertEqual(b.inertia[1][0], 0.4 * sphereMass * r * r, accuracy: 1e-14)
        // capsule (h = 1): cylinder + two hemispheres; transverse inertia about the centre
        let h = 1.0
        let capsuleMass = Double.pi * (r * r * h + 4.0 / 3.0 * r * r * r) * 1000
        let ms = 4.0 / 3.0 * Double.pi * r * r * r * 1000, mc = capsuleMass - ms
        let transverse = mc * (3 * r * r + h * h) / 12 + 0.4 * ms * r * r + ms * h * (3 * r + 2 * h) / 8
        XCTAssertEqual(b.mass[2], capsuleMass, accuracy: 1e-11)
        XCTAssertEqual(b.com[2].z, 0.5, accuracy: 1e-15)
        XCTAssertEqual(b.inertia[2][0], transverse, accuracy: 1e-12)
        XCTAssertEqual(b.inertia[2][8], mc * r * r / 2 + 0.4 * ms * r * r, accuracy: 1e-12)
        XCTAssertEqual(b.mass[2], 35.6047167406843, accuracy: 1e-10)  // MuJoCo 4.0's body_mass
        XCTAssertEqual(transverse, 3.91756603902647, accuracy: 1e-12)  // MuJoCo 4.0's body_inertia
        // box (half-sizes a, b, c): m = 8abc ρ, I = m/3 (b² + c², a² + c², a² + b²)
        let boxMass = 8 * 0.1 * 0.2 * 0.3 * 700
        XCTAssertEqual(b.mass[3], boxMass, accuracy: 1e-12)
        XCTAssertEqual(b.inertia[3][0], boxMass / 3 * 0.13, accuracy: 1e-14)
        XCTAssertEqual(b.inertia[3][4], boxMass / 3 * 0.10, accuracy: 1e-14)
        XCTAssertEqual(b.inertia[3][8], boxMass / 3 * 0.05, accuracy: 1e-14)
        // cylinder radius 0.05, half-length 0.1
        let cylMass = Double.pi * 0.05 * 0.05 * 0.2 * 1000
        XCTAssertEqual(b.mass[4], cylMass, accuracy: 1e-13)
        XCTAssertEqual(b.inertia[4][0], cylMass * (3 * 0.0025 + 0.04) / 12, accuracy: 1e-15)
    }

    func testParallelAxisForOffsetGeomsAndRotatedBox() throws {
        let m = try load("""
            <body><joint type="slide"/>
              <geom type="sphere" size="0.1" pos="0.5 0 0"/><geom type="sphere" size="0.1" pos="-0.5 0 0"/>
            </body>
            <body><joint type="slide"/><geom type="box" size="0.1 0.2 0.3" density="700" euler="0 0 1.5707963267948966"/></body>
        """)
        let b = m.bodies
        let one = 4.0 / 3.0 * Double.pi * 0.001 * 1000
        XCTAssertEqual(b.mass[1], 2 * one, accuracy: 1e-12)
        XCTAssertEqual(b.inertia[1][0], 2 * 0.4 * one * 0.01, accuracy: 1e-14)
        XCTAssertEqual(b.inertia[1][4], 2 * 0.4 * one * 0.01 + 2 * one * 0.25, accuracy: 1e-12)
        // rotating 90° about z swaps the x and y moments
        XCTAssertEqual(b.inertia[2][0], 33.6 / 3 * 0.10, accuracy: 1e-12)
        XCTAssertEqual(b.inertia[2][4], 33.6 / 3 * 0.13, accuracy: 1e-12)
    }

    func testDegreesAndDefaultsAndWelding() throws {
        let m = try RobotModel(xml: """
        <mujoco>
          <compiler angle="degree"/>
          <default><joint damping="2"/><default class="stiff"><joint range="-90 90"/></default></default>
          <worldbody>
            <body name="a"><joint name="j" class="stiff" axis="0 1 0"/><geom size="0.1"/>
              <body name="welded" pos="0 0 -1"><geom size="0.1"/><site name="s"/></body>
            </body>
          </worldbody>
        </mujoco>
        """, sourceName: "case.xml")
        XCTAssertEqual(m.nv, 1)
        XCTAssertTrue(m.joints.limited[0])
        XCTAssertEqual(m.joints.range[0].1, Double.pi / 2, accuracy: 1e-15)
        let state = try RobotState(model: m)
        try state.set(qpos: [Double.pi / 2], qvel: [0])
        let s = state.sitePositions()  // the welded body's site swings with the joint
        XCTAssertEqual(s[0], -1, accuracy: 1e-12)
        XCTAssertEqual(s[2], 0, accuracy: 1e-12)
    }

    /// chainN nests N bodies; 128 (and far deeper) must load.
    func testDeepChainsLoad() throws {
        for n in [1, 128, 512] {
            let m = try RobotModel.builtin("chain\(n)")
            XCTAssertEqual(m.nv, n)
            XCTAssertEqual(m.nbody, n + 1)
        }
    }

    // MARK: - Refusals

    func testMalformedXML() {
        assertRefused("", status: SimulationError.parse, line: 1, "no root element")
        assertRefused("<mujoco>\n  <worldbody>\n    <body pos=\"0 0 0\">\n", status: SimulationError.parse, line: 3, "malformed XML")
        assertRefused("<mujoco>\n  <worldbody>\n  </body>\n</mujoco>", status: SimulationError.parse, line: 3, "malformed XML")
        assertRefused("<mujoco>\n<worldbody>\n<body pos=\"0 0", status: SimulationError.parse, line: 3, "malformed XML")
        assertRefused("<mujoco model=\"a\" model=\"b\"/>", status: SimulationError.parse, line: 1, "model")
    }

    func testMalformedNumbers() {
        let cases: [(String, String)] = [("1.0abc 0 0", "not a number"), ("nan 0 0", "not a finite number"),
                                         ("1e999 0 0", "out of the range"), ("1 2", "needs 3 numbers")]
        for (value, words) in cases {
            assertRefused("<mujoco>\n<worldbody>\n<body pos=\"\(value)\"/>\n</worldbody>\n</mujoco>",
                          status: SimulationError.parse, line: 3, "'pos'", words)
        }
    }

    func testUnsupportedElementsAttributesAndJointTypes() {
        func body(_ inner: String) -> String {
            "<mujoco>\n<worldbody>\n<body>\n\(inner)\n<geom size=\"0.1\"/>\n</body>\n</worldbody>\n</mujoco>"
        }
        assertRefused(body("<joint type=\"screw\"/>"), status: SimulationError.parse, line: 4, "screw")
        // a free joint below another body (MuJoCo's free joints are on bodies of the world)
        assertRefused(body("<body><joint type=\"free\"/><geom size=\"0.1\"/></body>"), status: SimulationError.parse,
                      line: 4, "free joint")
        assertRefused(body("<composite/>"), status: SimulationError.parse, line: 4, "composite")
        assertRefused(body("<joint actuatorgravcomp=\"true\"/>"), status: SimulationError.parse, line: 4, "actuatorgravcomp")
        assertRefused(body("<geom foo=\"1\"/>"), status: SimulationError.parse, line: 4, "foo")
        assertRefused("<mujoco>\n<option integrator=\"semiimplicit\"/>\n</mujoco>", status: SimulationError.parse, line: 2, "semiimplicit")
    }

    func testInvalidModels() {
        assertRefused("""
        <mujoco>
        <worldbody><body><joint name="a"/><geom size="0.1"/></body></worldbody>
        <actuator><motor joint="nope"/></actuator>
        </mujoco>
        """, status: SimulationError.model, line: 3, "unknown joint 'nope'")
        assertRefused("<mujoco>\n<worldbody>\n<body><joint class=\"nope\"/><geom size=\"0.1\"/></body>\n</worldbody>\n</mujoco>",
                      status: SimulationError.model, line: 3, "unknown default class 'nope'")
        assertRefused("<mujoco>\n<worldbody>\n<body><joint name=\"a\"/>\n<joint name=\"a\"/><geom size=\"0.1\"/></body>\n</worldbody>\n</mujoco>",
                      status: SimulationError.model, line: 4, "duplicate joint name 'a'")
        // zero or negative mass
        assertRefused("<mujoco>\n<worldbody>\n<body><joint/>\n<inertial pos=\"0 0 0\" mass=\"0\" diaginertia=\"1 1 1\"/></body>\n</worldbody>\n</mujoco>",
                      status: SimulationError.model, line: 4, "mass must be positive")
        assertRefused("<mujoco>\n<worldbody>\n<body><joint/>\n<inertial pos=\"0 0 0\" mass=\"-1\" diaginertia=\"1 1 1\"/></body>\n</worldbody>\n</mujoco>",
                      status: SimulationError.model, line: 4, "mass")
        assertRefused("<mujoco>\n<worldbody>\n<body><joint/>\n<geom size=\"0.1\" density=\"-5\"/></body>\n</worldbody>\n</mujoco>",
                      status: SimulationError.model, line: 4, "density")
        // inertia that no rigid body has
        assertRefused("<mujoco>\n<worldbody>\n<body><joint/>\n<inertial pos=\"0 0 0\" mass=\"1\" diaginertia=\"1 1 0\"/></body>\n</worldbody>\n</mujoco>",
                      status: SimulationError.model, line: 4, "positive definite")
        assertRefused("<mujoco>\n<worldbody>\n<body><joint/>\n<inertial pos=\"0 0 0\" mass=\"1\" diaginertia=\"1 1 3\"/></body>\n</worldbody>\n</mujoco>",
                      status: SimulationError.model, line: 4, "triangle inequality")
        assertRefused("<mujoco>\n<worldbody>\n<body><joint/>\n<inertial pos=\"0 0 0\" mass=\"1\" fullinertia=\"1 1 1 2 0 0\"/></body>\n</worldbody>\n</mujoco>",
                      status: SimulationError.model, line: 4, "positive definite")
        // a moving body with no mass: the mass matrix would be singular
        assertRefused("<mujoco>\n<worldbody>\n<body name=\"ghost\">\n<joint/>\n</body>\n</worldbody>\n</mujoco>",
                      status: SimulationError.model, line: 3, "ghost")
        assertRefused("<mujoco>\n<worldbody>\n<body>\n<joint axis=\"0 0 0\"/><geom size=\"0.1\"/></body>\n</worldbody>\n</mujoco>",
                      status: SimulationError.model, line: 4, "axis is zero")
    }

    /// MJCF nests bodies, so a parent can be neither missing nor part of a cycle there; what a
    /// file can name wrongly are references, and those are refused (above and here).
    func testDanglingReferencesAreRefused() {
        assertRefused("<mujoco>\n<worldbody>\n<body childclass=\"missing\"><joint/><geom size=\"0.1\"/></body>\n</worldbody>\n</mujoco>",
                      status: SimulationError.model, line: 3, "missing")
    }
}
