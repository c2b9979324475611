// Plot: the line charts of `ebm evaluate`, written as SVG text and rasterised to PNG by a small
// dependency-free renderer (stamped line segments and a 5×7 bitmap font), so the figures open
// anywhere without a browser or a plotting library.

import Foundation
import Trajectories
import Viewer

/// A line chart: named series of (x, y) points over shared axes.
struct LinePlot {
    struct Series {
        var name: String
        /// 0xRRGGBB.
        var color: UInt32
        var x: [Double], y: [Double]
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var series: [Series] = []
    /// Logarithmic x axis (for step counts); x must then be positive.
    var logX = false
    /// Logarithmic y axis (for quantities spanning decades); values ≤ 0 are left out.
    var logY = false
    /// Fixed y range (e.g. 0...1 for shares); nil: 0 (or the minimum, when negative) to 1.05 × the maximum.
    var yRange: ClosedRange<Double>?
    var width = 640, height = 400

    static let palette: [UInt32] = [0x1F77B4, 0x2CA02C, 0xD62728, 0xFF7F0E, 0x9467BD, 0x8C564B]

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

    func px(_ x: Double) -> Double {
        let (lo, hi) = xBounds
        let v = logX ? log10(max(x, 1e-300)) : x
        return left + (Double(width) - left - right) * (v - lo) / (hi - lo)
    }

    func py(_ y: Double) -> Double {
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

    func svg() -> String {
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
    func image() -> Image {
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
    func write(to folder: URL, name: String) throws -> [String] {
        let svgURL = folder.appendingPathComponent(name + ".svg"), pngURL = folder.appendingPathComponent(name + ".png")
        try AtomicFile.write(Array(svg().utf8), to: svgURL, durable: false)
        // libpng writes a path; write beside the target, then rename over it (atomic within a folder)
        let temporary = folder.appendingPathComponent(".\(name).png.\(getpid()).tmp")
        do {
            try image().writePNG(to: temporary.path)
            guard rename(temporary.path, pngURL.path) == 0 else { throw CLIError("\(pngURL.path): cannot rename the written PNG into place (errno \(errno))") }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        return [svgURL.path, pngURL.path]
    }
}

/// An RGBA pixel buffer with the two primitives a line chart needs.
struct Canvas {
    let width: Int, height: Int
    /// Pixels [height, width, 4], top row first; starts opaque white.
    var rgba: [UInt8]

    init(width: Int, height: Int) {
        (self.width, self.height) = (width, height)
        rgba = [UInt8](repeating: 255, count: width * height * 4)
    }

    mutating func set(_ x: Int, _ y: Int, _ color: UInt32) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let o = (y * width + x) * 4
        rgba[o] = UInt8((color >> 16) & 0xFF); rgba[o + 1] = UInt8((color >> 8) & 0xFF); rgba[o + 2] = UInt8(color & 0xFF); rgba[o + 3] = 255
    }

    /// A segment drawn by stamping a `thickness`-pixel square every half pixel along it.
    mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, color: UInt32, thickness: Int) {
        let length = ((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0)).squareRoot()
        let n = max(1, Int((2 * length).rounded(.up)))
        let lo = -(thickness - 1) / 2, hi = thickness / 2
        for i in 0...n {
            let t = Double(i) / Double(n)
            let (cx, cy) = (Int((x0 + t * (x1 - x0)).rounded()), Int((y0 + t * (y1 - y0)).rounded()))
            for dy in lo...hi { for dx in lo...hi { set(cx + dx, cy + dy, color) } }
        }
    }

    /// Pixels `text` takes across (6 per character).
    static func textWidth(_ text: String) -> Int { 6 * text.count }

    /// `text` with its top-left corner at (x, y); lower case is drawn as upper case, other
    /// characters outside the font as '?'.
    mutating func text(_ text: String, x: Int, y: Int, color: UInt32) {
        for (i, ch) in text.uppercased().enumerated() {
            let rows = Canvas.font[ch] ?? (ch == " " ? [0, 0, 0, 0, 0, 0, 0] : Canvas.font["?"]!)
            for (r, bits) in rows.enumerated() {
                for c in 0..<5 where bits & (0x10 >> c) != 0 { set(x + 6 * i + c, y + r, color) }
            }
        }
    }

    /// A 5×7 bitmap font: seven rows per glyph, bit 4 the leftmost column.
    static let font: [Character: [UInt8]] = [
        "0": [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E], "1": [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        "2": [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F], "3": [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        "4": [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02], "5": [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        "6": [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E], "7": [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        "8": [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E], "9": [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        "A": [0x0E, 0x11, 0x11, 0x11, 0x1F, 0x11, 0x11], "B": [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
        "C": [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E], "D": [0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C],
        "E": [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F], "F": [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
        "G": [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F], "H": [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        "I": [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E], "J": [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C],
        "K": [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11], "L": [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
        "M": [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11], "N": [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        "O": [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E], "P": [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
        "Q": [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D], "R": [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        "S": [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E], "T": [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        "U": [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E], "V": [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
        "W": [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A], "X": [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
        "Y": [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04], "Z": [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
        ".": [0, 0, 0, 0, 0, 0x0C, 0x0C], "-": [0, 0, 0, 0x1F, 0, 0, 0], "+": [0, 0x04, 0x04, 0x1F, 0x04, 0x04, 0],
        ",": [0, 0, 0, 0, 0x0C, 0x04, 0x08], ":": [0, 0x0C, 0x0C, 0, 0x0C, 0x0C, 0],
        "(": [0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02], ")": [0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08],
        "/": [0, 0x01, 0x02, 0x04, 0x08, 0x10, 0], "%": [0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03],
        "=": [0, 0, 0x1F, 0, 0x1F, 0, 0], "_": [0, 0, 0, 0, 0, 0, 0x1F], "|": [0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        "<": [0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02], ">": [0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08],
        "?": [0x0E, 0x11, 0x01, 0x02, 0x04, 0, 0x04], "^": [0x04, 0x0A, 0x11, 0, 0, 0, 0], "'": [0x04, 0x04, 0x08, 0, 0, 0, 0],
    ]
}
