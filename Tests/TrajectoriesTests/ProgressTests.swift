// ProgressTests: the lines of `ProgressBar` (plain and terminal), `SectionProgress` and the flag of
// `InterruptRequest`, captured through their output sinks.

import Foundation
import XCTest
@testable import Trajectories
#if canImport(Glibc)
import Glibc
#endif

final class ProgressTests: XCTestCase {
    /// A sink that keeps what it is given.
    final class Captured: @unchecked Sendable {
        var text = ""
        func write(_ s: String) { text += s }
    }

    func testPlainLinesWaitForTheIntervalAndAlwaysShowTheEnd() {
        let out = Captured()
        let bar = ProgressBar(total: 4, unit: "it", interactive: false, logInterval: 3600, output: out.write)
        bar.update(1)
        bar.update(2)
        XCTAssertEqual(out.text, "", "no line before the first interval")
        bar.update(4, detail: "loss 0.5")
        XCTAssertTrue(out.text.hasPrefix("4/4 it (100%)  "), out.text)
        XCTAssertTrue(out.text.hasSuffix("/s  ETA 0.0 s  loss 0.5\n"), out.text)
        XCTAssertEqual(out.text.filter { $0 == "\n" }.count, 1)
    }

    func testTerminalBarRedrawsInPlaceAndEndsTheLine() {
        let out = Captured()
        let bar = ProgressBar(total: 4, unit: "blocks", interactive: true, output: out.write)
        bar.update(2)
        XCTAssertTrue(out.text.hasPrefix("\r[" + String(repeating: "#", count: 15) + String(repeating: "-", count: 15) + "] 2/4 blocks  "), out.text)
        XCTAssertFalse(out.text.hasSuffix("\n"))
        bar.update(4)
        XCTAssertTrue(out.text.contains("\r[" + String(repeating: "#", count: 30) + "] 4/4 blocks  "), out.text)
        XCTAssertTrue(out.text.hasSuffix(" \n"), out.text)
    }

    func testDisabledBarPrintsNothing() {
        let out = Captured()
        let bar = ProgressBar(total: 2, unit: "it", enabled: false, interactive: false, output: out.write)
        bar.update(2)
        XCTAssertEqual(out.text, "")
    }

    func testSectionsAreNumberedWithTheirTimes() {
        let out = Captured()
        let progress = SectionProgress(command: "evaluate", sections: 2, output: out.write)
        progress.start("forecast")
        progress.start("long horizon")
        progress.finish()
        let lines = out.text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3)
        // the times depend on the machine (a busy CI runner may stall): only their form is fixed
        XCTAssertTrue(lines[0].hasPrefix("evaluate: section 1/2, forecast …  ") && lines[0].hasSuffix(" s elapsed"), lines[0])
        XCTAssertFalse(lines[0].contains("took"))
        XCTAssertTrue(lines[1].hasPrefix("evaluate: section 2/2, long horizon …") && lines[1].contains("(section 1 took ")
                      && lines[1].hasSuffix(" s)"), lines[1])
        XCTAssertTrue(lines[2].hasPrefix("evaluate: 2/2 sections done in "), lines[2])
    }

    func testInterruptSetsTheFlagWhileWatched() {
        InterruptRequest.watch()
        XCTAssertFalse(InterruptRequest.isRequested)
        raise(SIGINT)
        XCTAssertTrue(InterruptRequest.isRequested)
        InterruptRequest.watch()
        XCTAssertFalse(InterruptRequest.isRequested, "watch() clears the flag")
        InterruptRequest.stopWatching()
    }
}
