// SummaryTests: `ebm model info`'s lines name the model's sizes and list every joint, actuator
// and site once, in order.

import XCTest
@testable import Simulation

final class SummaryTests: XCTestCase {
    func testSummaryListsSizesAndEveryElement() throws {
        let m = try RobotModel.builtin("reacher2")
        let lines = m.summary
        XCTAssertEqual(lines[0], "\(m.source): nq \(m.nq), nv \(m.nv), nu \(m.nu), bodies \(m.nbody), sites \(m.nsite), geoms \(m.ngeom)")
        XCTAssertTrue(lines[1].hasPrefix("timestep \(m.options.timestep) s, integrator \(m.options.integrator.rawValue)"), lines[1])
        XCTAssertTrue(lines[2].hasPrefix("constraints: solver "), lines[2])
        XCTAssertEqual(lines.filter { $0.hasPrefix("  joint ") }.count, m.names(.joint).count)
        XCTAssertEqual(lines.filter { $0.hasPrefix("  actuator ") }.count, m.nu)
        XCTAssertEqual(lines.filter { $0.hasPrefix("  site ") }.count, m.nsite)
        XCTAssertEqual(lines.count, 3 + m.names(.joint).count + m.nu + m.nsite)
        for (i, name) in m.names(.site).enumerated() { XCTAssertTrue(lines.contains("  site \(i) \(name)")) }
    }
}
