// NumberListTests: comma-separated numbers (`ebm plan --goal -0.10,0.14`, `--obstacle x,y,z,r`,
// `--start`, `--acceleration-scale`) parse with their signs, and refuse wrong counts, non-numbers,
// non-finite values and non-positive radii with messages that name the flag.

import XCTest
@testable import Planning

final class NumberListTests: XCTestCase {
    func testValuesKeepTheirSignsAndSpaces() throws {
        XCTAssertEqual(try NumberList("-0.10,0.14").values(counts: [2, 3], flag: "--goal"), [-0.10, 0.14])
        XCTAssertEqual(try NumberList(" 1, -2 ,3e-1").values(counts: [3], flag: "--goal"), [1, -2, 0.3])
        XCTAssertEqual(try NumberList("-0.05,0.1,0,0.02").sphere(), .sphere(center: SIMD3(-0.05, 0.1, 0), radius: 0.02))
        XCTAssertEqual(try NumberList("2,0.5").positiveValues(counts: [1, 2], what: "every value", flag: "--acceleration-scale"), [2, 0.5])
    }

    func testRefusalsNameTheFlagAndTheText() {
        for (text, counts) in [("0.1", [2, 3]), ("0.1,abc", [2, 3]), ("0.1,inf", [2]), ("1,2,3,4", [2, 3]), ("", [2])] {
            XCTAssertThrowsError(try NumberList(text).values(counts: counts, flag: "--goal")) { error in
                XCTAssertEqual(error as? NumberListError, .count(flag: "--goal", text: text, counts: counts))
            }
        }
        XCTAssertEqual("\(NumberListError.count(flag: "--goal", text: "0.1", counts: [2, 3]))", "--goal '0.1': expected 2 or 3 comma-separated numbers")
        XCTAssertThrowsError(try NumberList("0,0,0,-1").sphere()) { error in
            XCTAssertEqual("\(error)", "--obstacle '0,0,0,-1': the radius must be positive")
        }
        XCTAssertThrowsError(try NumberList("0,0,0").sphere()) { XCTAssertEqual("\($0)", "--obstacle '0,0,0': expected 4 comma-separated numbers") }
        XCTAssertThrowsError(try NumberList("1,0").positiveValues(counts: [2], what: "every value", flag: "--acceleration-scale")) { error in
            XCTAssertEqual("\(error)", "--acceleration-scale '1,0': every value must be positive")
        }
    }

    func testGoalHeightDefaultsToTheSiteAtTheStart() throws {
        let setup = try PlanningSetup.defaults(robot: "reacher2")
        let q0 = setup.model.joints.qpos0
        let site = try setup.sitePosition(qpos: q0)
        XCTAssertEqual(try setup.goal(NumberList("-0.1,0.14"), qpos: q0), SIMD3(-0.1, 0.14, site.z))
        XCTAssertEqual(try setup.goal(NumberList("-0.1,0.14,0.5"), qpos: q0), SIMD3(-0.1, 0.14, 0.5))
        XCTAssertThrowsError(try setup.goal(NumberList("0.1"), qpos: q0)) { XCTAssertEqual("\($0)", "--goal '0.1': expected 2 or 3 comma-separated numbers") }
    }
}
