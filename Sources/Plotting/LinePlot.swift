// LinePlot: line charts written as SVG text and rasterised to PNG by a small dependency-free
// renderer (stamped line segments and a 5×7 bitmap font), so the figures open anywhere without a
// browser or a plotting library.

import Foundation
import Trajectories

/// A line chart: named series of (x, y) points over shared axes.
public struct LinePlot {
    /// One named line.
    public struct Series {
        public var name: String
        /// 0xRRGGBB.
        public var color: UInt32
        /// Points (n), in data units; a non-finite y breaks the line.
        public var x: [Double], y: [Double]

        public init(name: String, color: UInt32, x: [Double], y: [Double]) {
            (self.name, self.color, self.x, self.y) = (name, color, x, y)
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series] = []
    /// Logarithmic x axis (for step counts); x must then be positive.
    public var logX = false
    /// Logarithmic y axis (for quantities spanning decades); values ≤ 0 are left out.
    public var logY = false
    /// Fixed y range (e.g. 0...1 for shares); nil: 0 (or the minimum, when negative) to 1.05 × the maximum.
    public var yRange: ClosedRange<Double>?
    /// Size, in pixels.
    public var width = 640, height = 400

    public init(title: String, xLabel: String, yLabel: String, series: [Series] = [], logX: Bool = false, logY: Bool = false,
                yRange: ClosedRange<Double>? = nil) {
        (self.title, self.xLabel, self.yLabel, self.series, self.logX, self.logY, self.yRange) = (title, xLabel, yLabel, series, logX, logY, yRange)
    }

    /// Default series colours (0xRRGGBB).
    public static let palette: [UInt32] = [0x1F77B4, 0x2CA02C, 0xD62728, 0xFF7F0E, 0x9467BD, 0x8C564B]

    // MARK: - Layout shared by SVG and PNG

    /// Margins around the plot area, in pixels.
    let left = 70.0, right = 20.0, top = 34.0, bottom = 48.0

    var xBounds: (Double, Double) {
        let xs = series.flatMap(\.x).filter { $0.isFinite && (!logX || $0 > 0) }
        guard var lo = xs.min(), var hi = xs.max() else { return (0, 1) }
        if logX { (lo, hi) = (log10(lo), log10(hi)) }
        return hi > lo ? (lo, hi) : (lo - 0.5, hi + 0.5)
    }

    /// The y range drawn; in log10 units when `logY`.
    var yBounds: (Double, Double) {
        if logY {
            let ys = series.flatMap(\.y).filter { $0.isFinite && $0 > 0 }
            guard let lo = ys.min(), let hi = ys.max() else { return (0, 1) }
            let (a, b) = (log10(lo).rounded(.down), log10(hi).rounded(.up))
            return b > a ? (a, b) : (a, a + 1)
        }
        if let yRange { return (yRange.lowerBound, yRange.upperBound) }
        let ys = series.flatMap(\.y).filter(\.isFinite)
        let hi = max(ys.max() ?? 1, 0), lo = min(ys.min() ?? 0, 0)
        return hi > lo ? (lo, lo + (hi - lo) * 1.05) : (lo, lo + 1)
    }

    /// Screen x (pixels from the left) of a data x.
    public func px(_ x: Double) -> Double {
        let (lo, hi) = xBounds
        let v = logX ? log10(max(x, 1e-300)) : x
        return left + (Double(width) - left - right) * (v - lo) / (hi - lo)
    }

    /// Screen y (pixels from the top) of a data y, clamped to the plot area.
    public func py(_ y: Double) -> Double {
        let (lo, hi) = yBounds
        let v = logY ? log10(max(y, 1e-300)) : y
        return Double(height) - bottom - (Double(height) - top - bottom) * (min(max(v, lo), hi) - lo) / (hi - lo)
    }

    /// Tick values on the x axis: the data's x values when few (step counts), else 5 even ticks.
    var xTicks: [Double] {
        let xs = Array(Set(series.flatMap(\.x).filter(\.isFinite))).sorted()
        if xs.count <= 8 { return xs }
        let (lo, hi) = xBounds
        return (0...4).map { i in let v = lo + (hi - lo) * Double(i) / 4; return logX ? pow(10, v) : v }
    }

    var yTicks: [Double] {
        let (lo, hi) = yBounds
        if logY {
            let stride = max(1, Int((hi - lo) / 6) + 1)
            return Swift.stride(from: Int(lo), through: Int(hi), by: stride).map { pow(10, Double($0)) }
        }
        return (0...4).map { lo + (hi - lo) * Double($0) / 4 }
    }

    static func label(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e6 { return String(Int(v)) }
        return String(format: "%.3g", v)
    }

    /// The points of a series as screen segments; a non-finite y breaks the line.
    func polylines(_ s: Series) -> [[(Double, Double)]] {
        var lines: [[(Double, Double)]] = [[]]
        for (x, y) in zip(s.x, s.y) {
            if x.isFinite && y.isFinite && (!logX || x > 0) && (!logY || y > 0) { lines[lines.count - 1].append((px(x), py(y))) } else if !lines[lines.count - 1].isEmpty { lines.append([]) }
        }
        return lines.filter { !$0.isEmpty }
    }

    // MARK: - SVG

    /// The chart as an SVG document.
    public func svg() -> String {
        func hex(_ c: UInt32) -> String { String(format: "#%06X", c) }
        func esc(_ t: String) -> String { t.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;") }
        let (w, h) = (Double(width), Double(height))
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(w / 2)\" y=\"18\" text-anchor=\"middle\">\(esc(title))</text>\n"
        for v in yTicks {
            s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>\n", left, py(v), w - right, py(v))
            s += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%@</text>\n", left - 5, py(v) + 4, Self.label(v))
        }
        for v in xTicks { s += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%@</text>\n", px(v), h - bottom + 16, Self.label(v)) }
        s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", left, h - bottom, w - right, h - bottom)
        s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", left, top, left, h - bottom)
        s += "<text x=\"\((left + w - right) / 2)\" y=\"\(h - 10)\" text-anchor=\"middle\">\(esc(xLabel))</text>\n"
        s += "<text transform=\"translate(16 \((top + h - bottom) / 2)) rotate(-90)\" text-anchor=\"middle\">\(esc(yLabel))</text>\n"
        for (i, series) in series.enumerated() {
            for line in polylines(series) {
                let points = line.map { String(format: "%.1f,%.1f", $0.0, $0.1) }.joined(separator: " ")
                s += "<polyline fill=\"none\" stroke=\"\(hex(series.color))\" stroke-width=\"2\" points=\"\(points)\"/>\n"
            }
            let ly = top + 10 + 16 * Double(i)
            s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"2\"/>", left + 10, ly, left + 30, ly, hex(series.color))
            s += String(format: "<text x=\"%.1f\" y=\"%.1f\">%@</text>\n", left + 35, ly + 4, esc(series.name))
        }
        return s + "</svg>\n"
    }

    // MARK: - PNG

    /// The chart rasterised: white background, grey grid, black axes, 2-pixel lines, 5×7 text.
    public func image() -> Image {
        var canvas = Canvas(width: width, height: height)
        let (w, h) = (Double(width), Double(height))
        for v in yTicks {
            canvas.line(left, py(v), w - right, py(v), color: 0xE0E0E0, thickness: 1)
            let text = Self.label(v)
            canvas.text(text, x: Int(left) - 6 - Canvas.textWidth(text), y: Int(py(v)) - 3, color: 0x000000)
        }
        for v in xTicks {
            let text = Self.label(v)
            canvas.text(text, x: Int(px(v)) - Canvas.textWidth(text) / 2, y: Int(h - bottom) + 8, color: 0x000000)
        }
        canvas.line(left, h - bottom, w - right, h - bottom, color: 0x000000, thickness: 1)
        canvas.line(left, top, left, h - bottom, color: 0x000000, thickness: 1)
        canvas.text(title, x: width / 2 - Canvas.textWidth(title) / 2, y: 10, color: 0x000000)
        canvas.text(xLabel, x: Int((left + w - right) / 2) - Canvas.textWidth(xLabel) / 2, y: height - 16, color: 0x000000)
        canvas.text(yLabel, x: 4, y: Int(top) - 14, color: 0x000000)
        for (i, series) in series.enumerated() {
            for line in polylines(series) {
                if line.count == 1 { canvas.line(line[0].0, line[0].1, line[0].0, line[0].1, color: series.color, thickness: 4) }
                for (a, b) in zip(line, line.dropFirst()) { canvas.line(a.0, a.1, b.0, b.1, color: series.color, thickness: 2) }
            }
            let ly = top + 10 + 16 * Double(i)
            canvas.line(left + 10, ly, left + 30, ly, color: series.color, thickness: 2)
            canvas.text(series.name, x: Int(left) + 35, y: Int(ly) - 3, color: 0x000000)
        }
        return Image(width: width, height: height, rgba: canvas.rgba)
    }

    /// Writes `folder/name.svg` and `folder/name.png` (each atomically); returns their paths.
    @discardableResult
    public func write(to folder: URL, name: String) throws -> [String] {
        let svgURL = folder.appendingPathComponent(name + ".svg"), pngURL = folder.appendingPathComponent(name + ".png")
        try AtomicFile.write(Array(svg().utf8), to: svgURL, durable: false)
        try image().writePNG(atomicallyTo: pngURL.path)
        return [svgURL.path, pngURL.path]
    }
}

