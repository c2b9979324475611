import Foundation
import XCTest
@testable import Viewer

/// The live views' background worker: versions count published snapshots, and requests made while
/// one runs collapse into the newest.
final class SnapshotWorkerTests: XCTestCase {
    func testSynchronousRunsPublishInOrder() {
        let worker = SnapshotWorker<Int, String>(name: "test") { "snapshot \($0)" }
        XCTAssertNil(worker.snapshot().latest)
        XCTAssertEqual(worker.snapshot().version, 0)
        XCTAssertEqual(worker.runSynchronously(3), "snapshot 3")
        XCTAssertEqual(worker.runSynchronously(4), "snapshot 4")
        let s = worker.snapshot()
        XCTAssertEqual(s.latest, "snapshot 4")
        XCTAssertEqual(s.version, 2)
        XCTAssertFalse(s.working)
    }

    func testBackgroundRequestsCollapseIntoTheNewest() {
        let (gate, started) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
        var seen: [Int] = []
        let lock = NSLock()
        let worker = SnapshotWorker<Int, Int>(name: "test") { r in
            if r == 0 { started.signal(); gate.wait() }   // the first request blocks until the others are queued
            lock.lock(); seen.append(r); lock.unlock()
            return r * 10
        }
        worker.start(first: 0)
        started.wait()
        XCTAssertTrue(worker.snapshot().working)
        for r in 1...5 { worker.request(r) }
        gate.signal()
        let deadline = Date().addingTimeInterval(10)
        while worker.snapshot().latest != 50 && Date() < deadline { usleep(1000) }
        worker.stop()
        XCTAssertEqual(worker.snapshot().latest, 50)
        lock.lock(); defer { lock.unlock() }
        XCTAssertEqual(seen.first, 0)
        XCTAssertEqual(seen.last, 5)
        XCTAssertLessThanOrEqual(seen.count, 3, "requests 1…4 were replaced while 0 ran: \(seen)")
    }
}

/// HUD lines wider than the window wrap at spaces; a word wider than a line is cut.
final class HUDWrapTests: XCTestCase {
    func testLinesWrapAtSpacesAndLongWordsAreCut() {
        let width: (String) -> Float = { Float($0.count) * 10 }
        XCTAssertEqual(TextRenderer.wrap("short line", maxWidth: 200, width: width), ["short line"])
        XCTAssertEqual(TextRenderer.wrap("aaa bbb ccc ddd", maxWidth: 75, width: width), ["aaa bbb", "ccc ddd"])
        XCTAssertEqual(TextRenderer.wrap("abcdefghij xy", maxWidth: 40, width: width), ["abcd", "efgh", "ij", "xy"])
        XCTAssertEqual(TextRenderer.wrap("", maxWidth: 40, width: width), [""])
        for piece in TextRenderer.wrap("episode 1/20  step 40/100  speed x1  frame 3.2 ms  hidden: ghost trail", maxWidth: 120, width: width) {
            XCTAssertLessThanOrEqual(width(piece), 120, piece)
        }
    }
}
