import ArgumentParser
import Foundation
import Planning
import XCTest
@testable import ebm

/// Modes as subcommands (`ebm evaluate ood`, `ebm view plan FILE`), with the old flags still choosing them.
final class ModeSubcommandTests: XCTestCase {
    let required = ["--model", "run", "--data", "data", "--out", "out"]

    func testEvaluateModes() throws {
        XCTAssertTrue(try EBM.parseAsRoot(["evaluate", "ood"] + required) is EvaluateCommand.OOD)
        XCTAssertTrue(try EBM.parseAsRoot(["evaluate", "intent"] + required) is EvaluateCommand.Intent)
        XCTAssertTrue(try EBM.parseAsRoot(["evaluate", "forecast"] + required) is EvaluateCommand.Forecast)
        // the old spellings: the default mode reads the flags
        let old = try XCTUnwrap(try EBM.parseAsRoot(["evaluate", "--ood"] + required) as? EvaluateCommand.Forecast)
        XCTAssertTrue(old.options.ood)
        XCTAssertEqual(old.options.model, "run")
        XCTAssertThrowsError(try EBM.parseAsRoot(["evaluate", "ood", "--intent"] + required))
        XCTAssertThrowsError(try EBM.parseAsRoot(["evaluate", "--ood", "--intent"] + required))
    }

    func testViewModes() throws {
        let plan = try XCTUnwrap(try EBM.parseAsRoot(["view", "plan", "out/plan.npz", "--robot", "arm7"]) as? ViewCommand.PlanMode)
        XCTAssertEqual(plan.input, "out/plan.npz")
        XCTAssertEqual(plan.options.robot, "arm7")
        XCTAssertTrue(try EBM.parseAsRoot(["view", "plan-live", "--robot", "pointmass2d", "--goal", "-0.1,0.2"]) is ViewCommand.PlanLive)
        XCTAssertTrue(try EBM.parseAsRoot(["view", "episodes", "data"]) is ViewCommand.Episodes)
        XCTAssertTrue(try EBM.parseAsRoot(["view", "prediction", "p.npz", "--robot", "reacher2"]) is ViewCommand.Prediction)
        XCTAssertTrue(try EBM.parseAsRoot(["view", "live", "run", "--data", "data"]) is ViewCommand.Live)
        let old = try XCTUnwrap(try EBM.parseAsRoot(["view", "--plan-live", "--robot", "pointmass2d", "--goal", "-0.1,0.2"]) as? ViewCommand.ByFlags)
        XCTAssertTrue(old.options.planLive)
        XCTAssertEqual(old.options.goal?.text, "-0.1,0.2")
    }

    func testModeWithoutItsInputIsAClearError() throws {
        let r = try EBMProcess.run(["view", "plan", "--robot", "arm7"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("`ebm view plan` needs a plan.npz"), r.stderr)
    }
}
