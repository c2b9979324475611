import Foundation
import XCTest
@testable import Plotting

/// The rasterised chart: size, series colours, where the axes put a point, and broken lines.
final class LinePlotTests: XCTestCase {
    func testPNGDecodesWithItsSizeAndTheSeriesColours() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lineplot-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var plot = LinePlot(title: "error vs horizon", xLabel: "step", yLabel: "error")
        plot.series = [.init(name: "a", color: 0xFF0000, x: [1, 2, 3, 4], y: [0, 1, 2, 3]),
                       .init(name: "b", color: 0x0000FF, x: [1, 2, 3, 4], y: [3, 2, .nan, 0])]
        let files = try plot.write(to: folder, name: "p")
        XCTAssertEqual(files.map { URL(fileURLWithPath: $0).lastPathComponent }, ["p.svg", "p.png"])
        let image = try Image(contentsOfPNG: folder.appendingPathComponent("p.png").path)
        XCTAssertEqual(image.width, 640)
        XCTAssertEqual(image.height, 400)
        // corners stay background; the series' pixels carry their colours
        XCTAssertEqual(image[0, 0], SIMD4(255, 255, 255, 255))
        var counts: [UInt32: Int] = [:]
        for y in 0..<image.height {
            for x in 0..<image.width {
                let p = image[x, y]
                counts[UInt32(p.x) << 16 | UInt32(p.y) << 8 | UInt32(p.z), default: 0] += 1
            }
        }
        XCTAssertGreaterThan(counts[0xFF0000] ?? 0, 500, "red line pixels")
        XCTAssertGreaterThan(counts[0x0000FF] ?? 0, 300, "blue line pixels")
        XCTAssertGreaterThan(counts[0x000000] ?? 0, 500, "axes and text")
        // the red line's middle point (x = 2.5, y = 1.5) is drawn where the axes put it
        let (px, py) = (Int(plot.px(2.5).rounded()), Int(plot.py(1.5).rounded()))
        XCTAssertEqual(image[px, py], SIMD4(255, 0, 0, 255))
        // the NaN at x = 3 breaks the blue line: nothing is drawn where (2, 2)–(4, 0) would cross x = 3
        let (gx, gy) = (Int(plot.px(3).rounded()), Int(plot.py(1).rounded()))
        XCTAssertNotEqual(image[gx, gy], SIMD4(0, 0, 255, 255))
        let svg = try String(contentsOf: folder.appendingPathComponent("p.svg"), encoding: .utf8)
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 3, "one line for a, two pieces for b")
    }

    func testBoundsTicksAndLabels() {
        var plot = LinePlot(title: "t", xLabel: "x", yLabel: "y", series: [.init(name: "a", color: 0, x: [1, 10, 100], y: [1, 10, 1000])])
        // linear y from 0 to 1.05 × the maximum; few x values are their own ticks
        XCTAssertEqual(plot.yBounds.0, 0)
        XCTAssertEqual(plot.yBounds.1, 1050, accuracy: 1e-9)
        XCTAssertEqual(plot.xTicks, [1, 10, 100])
        XCTAssertEqual(plot.px(1), plot.left)
        XCTAssertEqual(plot.px(100), Double(plot.width) - plot.right)
        // log axes: decades
        plot.logX = true
        plot.logY = true
        XCTAssertEqual(plot.xBounds.0, 0)
        XCTAssertEqual(plot.xBounds.1, 2)
        XCTAssertEqual(plot.yBounds.0, 0)
        XCTAssertEqual(plot.yBounds.1, 3)
        XCTAssertEqual(plot.py(1), Double(plot.height) - plot.bottom)
        XCTAssertEqual(LinePlot.label(3), "3")
        XCTAssertEqual(LinePlot.label(0.12345), "0.123")
    }
}
