import Foundation
import Plotting
import Viewer
import XCTest

/// `ebm view --plan-live`: headless, one plan from the flags' goal, drawn; bad flags refused.
final class ViewPlanLiveTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws { scratch = try EBMProcess.temporaryDirectory() }
    override func tearDown() { try? FileManager.default.removeItem(at: scratch) }

    func testBadLivePlanningFlagsAreClearErrors() throws {
        let png = scratch.appendingPathComponent("x.png").path
        for (arguments, message) in [
            (["--robot", "pointmass2d", "--plan-live", "--planner", "teleport"], "The value 'teleport' is invalid for '--planner <planner>'"),
            (["--robot", "pointmass2d", "--plan-live", "--obstacle", "0.1,0.2,0"], "--obstacle '0.1,0.2,0': expected 4"),
            (["--robot", "pointmass2d", "--plan-live", "--obstacle", "0.1,0.2,0,-1"], "the radius must be positive"),
            (["--robot", "pointmass2d", "--plan-live", "--goal", "0.3"], "--goal '0.3': expected 2 or 3"),
            (["--robot", "cartpole", "--plan-live"], "no planning defaults"),
            (["--plan-live"], "--plan-live needs --robot"),
            (["--robot", "pointmass2d", "--goal", "0.3,0.1"], "--goal is for live planning"),
        ] {
            let r = try EBMProcess.run(["view"] + arguments + ["--screenshot", png])
            XCTAssertNotEqual(r.status, 0, "\(arguments)")
            XCTAssertTrue(r.status < 128, "crashed: \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(message), "\(arguments): \(r.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: png))
    }

    /// pointmass2d planned (mppi-sim) to a goal right of the start and to one left of it, seen by
    /// the default camera (its right is about +x): the goal's red lies right of the robot in the
    /// first picture and left of it in the second, and the executed path's yellow is drawn.
    func testHeadlessLivePlanDrawsThePathToTheFlagsGoal() throws {
        let env = ProcessInfo.processInfo.environment
        guard env["DISPLAY"] != nil || env["WAYLAND_DISPLAY"] != nil else {
            throw XCTSkip("no display: run under `xvfb-run -a` (scripts/test.sh does)")
        }
        for (goal, goalOnTheRight) in [("0.3,0.1", true), ("-0.3,0.1", false)] {
            let png = scratch.appendingPathComponent("live\(goal).png").path
            let r = try EBMProcess.succeeding(["view", "--robot", "pointmass2d", "--plan-live", "--goal=\(goal)", "--planner", "mppi-sim",
                                               "--screenshot", png, "--size", "480x360", "--msaa", "0"])
            XCTAssertTrue(r.stdout.contains("reached the goal"), r.stdout)
            let image = try Image(contentsOfPNG: png)
            var red: [Double] = [], orange: [Double] = [], yellow = 0
            for y in 0..<image.height {
                for x in 0..<image.width {
                    let c = image[x, y]
                    let (r, g, b) = (Int(c.x), Int(c.y), Int(c.z))
                    // the goal (0.9, 0.15, 0.15): red with green ≈ blue; the mass (orange): green well over blue
                    if r > 120 && r > g + 80 && abs(g - b) < 15 { red.append(Double(x)) }
                    if r > 120 && r > g + 40 && g > b + 30 { orange.append(Double(x)) }
                    // the executed path (1, 0.85, 0.2)
                    if r > 200 && g > 170 && b < g - 60 { yellow += 1 }
                }
            }
            XCTAssertGreaterThan(red.count, 10, "goal \(goal): red pixels")
            XCTAssertGreaterThan(orange.count, 200, "goal \(goal): the mass")
            XCTAssertGreaterThan(yellow, 20, "goal \(goal): path pixels")
            let goalX = red.reduce(0, +) / Double(red.count), massX = orange.reduce(0, +) / Double(orange.count)
            XCTAssertEqual(goalX > massX + 20, goalOnTheRight, "goal \(goal): goal at x \(goalX), mass at x \(massX)")
            XCTAssertEqual(goalX < massX - 20, !goalOnTheRight, "goal \(goal): goal at x \(goalX), mass at x \(massX)")
        }
    }
}
