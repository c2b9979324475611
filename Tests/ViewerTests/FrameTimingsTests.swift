import XCTest
@testable import Viewer

/// Frame-time statistics: the median and 90th percentile by rank, whatever the order of the frames.
final class FrameTimingsTests: XCTestCase {
    func testMedianAndPercentileByRank() {
        let frames = (1...20).map(Double.init).reversed().map { $0 }   // 20 … 1 ms
        let t = FrameTimings(frames: frames, builds: [3, 1, 2])
        XCTAssertEqual(t.median, 11)   // rank 10 of 0…19
        XCTAssertEqual(t.p90, 19)      // rank 18
        XCTAssertEqual(t.build, 2)
        let one = FrameTimings(frames: [4], builds: [1])
        XCTAssertEqual(one, FrameTimings(frames: [4], builds: [1]))
        XCTAssertEqual([one.median, one.p90, one.build], [4, 4, 1])
    }
}
