// ViewRequestTests: a view request picks its input from what is given, parses its size, and
// refuses settings out of range and inputs that do not go together, with `ebm view`'s messages.

import Foundation
import Sampling
import Scene
import Simulation
import XCTest
@testable import Viewer

final class ViewRequestTests: XCTestCase {
    private func request(_ change: (inout ViewRequest) -> Void) -> ViewRequest {
        var r = ViewRequest()
        r.robot = "reacher2"
        change(&r)
        return r
    }

    private func assertRefused(_ r: ViewRequest, _ expected: ViewRequestError, _ message: String, line: UInt = #line) {
        XCTAssertThrowsError(try r.validate(), line: line) { error in
            XCTAssertEqual(error as? ViewRequestError, expected, line: line)
            XCTAssertEqual("\(error)", message, line: line)
        }
    }

    func testInputFollowsWhatIsGiven() throws {
        XCTAssertEqual(request { _ in }.input, .episodes)
        XCTAssertEqual(request { $0.prediction = "p.npz" }.input, .prediction)
        XCTAssertEqual(request { ($0.model, $0.data) = ("run", "data") }.input, .live)
        XCTAssertEqual(request { $0.plan = "plan" }.input, .plan)
        XCTAssertEqual(request { ($0.planLive, $0.model) = (true, "run") }.input, .planLive, "with live planning, --model is the learned term")
        XCTAssertNoThrow(try request { ($0.planLive, $0.model) = (true, "run") }.validate())
        XCTAssertFalse(request { _ in }.headless)
        XCTAssertTrue(request { $0.svg = "a.svg" }.headless)
        XCTAssertTrue(request { $0.benchFrames = 3 }.headless)
        XCTAssertEqual(ViewRequest.Input.prediction.what.flag, "--predict")
        XCTAssertEqual(ViewRequest.Input.plan.what.noun, "a plan.npz or the --out folder of `ebm plan`")
        XCTAssertEqual(ViewRequest.Input.planLive.rawValue, "plan-live")
    }

    func testSizeIsWidthByHeightWithinBounds() {
        XCTAssertEqual(request { $0.size = "320X240" }.pixelSize?.width, 320)
        XCTAssertEqual(request { $0.size = "320x240" }.pixelSize?.height, 240)
        for bad in ["320", "0x10", "10x8193", "axb", "1x2x3"] {
            assertRefused(request { $0.size = bad }, .size(bad), "--size '\(bad)' must be WxH with both between 1 and 8192, e.g. 1280x720")
        }
    }

    func testSettingsOutOfRangeNameTheirFlag() {
        assertRefused(request { $0.episode = -1 }, .outOfRange(flag: "--episode", value: "-1", requirement: "must be >= 0"), "--episode -1 must be >= 0")
        assertRefused(request { $0.rate = 0 }, .outOfRange(flag: "--rate", value: "0.0", requirement: "must be a positive number of states per second"),
                      "--rate 0.0 must be a positive number of states per second")
        assertRefused(request { $0.render.multisamples = 17 }, .outOfRange(flag: "--msaa", value: "17", requirement: "must be between 0 and 16"), "--msaa 17 must be between 0 and 16")
        assertRefused(request { $0.render.ghostCaps = 3 }, .outOfRange(flag: "--ghost-caps", value: "3", requirement: "must be 1 or 2"), "--ghost-caps 3 must be 1 or 2")
        assertRefused(request { $0.fps = 0 }, .outOfRange(flag: "--fps", value: "0", requirement: "must be between 1 and 240"), "--fps 0 must be between 1 and 240")
        XCTAssertNoThrow(try request { ($0.render.multisamples, $0.render.ghostSlices, $0.fps) = (16, 3, 240) }.validate())
    }

    func testInputsThatDoNotGoTogether() {
        assertRefused(request { ($0.prediction, $0.plan) = ("p.npz", "plan") }, .severalInputs, "give one of --predict, --model, --plan, --plan-live")
        assertRefused(request { ($0.robot, $0.planLive) = (nil, true) }, .planLiveNeedsRobot, "--plan-live needs --robot reacher2, pointmass2d or arm7")
        assertRefused(request { $0.planningSettings = ["--goal", "--obstacle"] }, .planningSettingWithoutPlanLive(flag: "--goal"), "--goal is for live planning: add --plan-live")
        XCTAssertNoThrow(try request { ($0.planLive, $0.planningSettings) = (true, ["--goal"]) }.validate())
        assertRefused(request { $0.model = "run" }, .liveNeedsData, "--model needs --data DIR (the dataset whose context is refined)")
        assertRefused(request { ($0.model, $0.data, $0.sampler) = ("run", "d", .hmc) },
                      .outOfRange(flag: "--sampler", value: "hmc", requirement: "must be langevin or mala"), "--sampler hmc must be langevin or mala")
        assertRefused(request { ($0.model, $0.data, $0.samples) = ("run", "d", 0) },
                      .outOfRange(flag: "--samples", value: "0", requirement: "must be >= 1"), "--samples 0 must be >= 1")
        assertRefused(request { $0.robot = nil }, .noRobot, "give --robot NAME, --data FILE, or both")
        XCTAssertNoThrow(try request { ($0.robot, $0.data) = (nil, "d") }.validate())
    }

    /// `writeHeadless` (no GL for SVG): the still frame is written and its line printed; a frame past
    /// the timeline is `ViewRequestError.frame` and writes nothing.
    func testHeadlessStillWritesTheSVGOrRefusesAFramePastTheEnd() throws {
        let m = try RobotModel.load("pointmass2d")
        let timeline = try Timeline.episodes(EpisodeFile(qpos: [0, 0, 0.05, 0.05, 0.1, 0.1], count: 1, length: 3, nq: m.nq, path: "three"), model: m)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("view-request-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let svg = dir.appendingPathComponent("a.svg").path
        var r = request { ($0.svg, $0.frame, $0.size) = (svg, 3, "64x48") }
        var lines: [String] = []
        XCTAssertThrowsError(try r.writeHeadless(timeline) { lines.append($0) }) { error in
            XCTAssertEqual(error as? ViewRequestError, .frame(3, title: timeline.title, length: 3))
            XCTAssertEqual("\(error)", "--frame 3: \(timeline.title) has 3 states (0...2)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: svg))
        r.frame = 2
        try r.writeHeadless(timeline) { lines.append($0) }
        XCTAssertEqual(lines, ["wrote \(svg): \(timeline.title), state 2"])
        let text = try String(contentsOfFile: svg, encoding: .utf8)
        XCTAssertTrue(text.contains("<svg") && text.contains("width=\"64\""), String(text.prefix(200)))
    }
}
