import Foundation
import Trajectories

/// Writes a quick flat-shaded SVG projection of a scene for reports: shapes as circles, thick
/// round-capped strokes and polygons, painted far to near; lines as polylines. No lighting.
public enum SVGWriter {
    /// The SVG text of `scene` seen through its camera in a `width` × `height` image.
    public static func svg(_ scene: Scene, width: Int, height: Int) -> String {
        let camera = scene.camera
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"\(hex(scene.background))\"/>\n"
        func pt(_ p: SIMD3<Double>) -> (x: Double, y: Double, depth: Double)? { camera.project(p, width: width, height: height) }

        if let grid = scene.grid {
            out += "<g stroke=\"\(hex(SIMD3(grid.rgba.x, grid.rgba.y, grid.rgba.z)))\" stroke-width=\"1\">\n"
            for (a, b) in grid.segments {
                if let p = pt(a), let q = pt(b) { out += "<line x1=\"\(f(p.x))\" y1=\"\(f(p.y))\" x2=\"\(f(q.x))\" y2=\"\(f(q.y))\"/>\n" }
            }
            out += "</g>\n"
        }

        // painter's order: farthest first
        var items: [(depth: Double, text: String)] = []
        for d in scene.visibleDrawables {
            guard let c = pt(d.position) else { continue }
            let fill = hex(SIMD3(d.rgba.x, d.rgba.y, d.rgba.z)), opacity = f(Double(d.rgba.w))
            let scale = camera.pixelsPerMetre(atDepth: c.depth, height: height)
            switch d.shape {
            case .sphere(let r):
                items.append((c.depth, "<circle cx=\"\(f(c.x))\" cy=\"\(f(c.y))\" r=\"\(f(r * scale))\" fill=\"\(fill)\" fill-opacity=\"\(opacity)\"/>"))
            case .ellipsoid(let r):
                items.append((c.depth, "<circle cx=\"\(f(c.x))\" cy=\"\(f(c.y))\" r=\"\(f(r.max() * scale))\" fill=\"\(fill)\" fill-opacity=\"\(opacity)\"/>"))
            case .capsule(let r, _), .cylinder(let r, _):
                guard let (a, b) = d.axisEndpoints, let p = pt(a), let q = pt(b) else { continue }
                let cap: String
                if case .capsule = d.shape { cap = "round" } else { cap = "butt" }
                items.append((c.depth, "<line x1=\"\(f(p.x))\" y1=\"\(f(p.y))\" x2=\"\(f(q.x))\" y2=\"\(f(q.y))\" stroke=\"\(fill)\" stroke-opacity=\"\(opacity)\" stroke-width=\"\(f(2 * r * scale))\" stroke-linecap=\"\(cap)\"/>"))
            case .box(let e):
                let corners = [-1.0, 1].flatMap { x in [-1.0, 1].flatMap { y in [-1.0, 1].map { z in d.position + d.rotation * (SIMD3(x, y, z) * e) } } }
                let projected = corners.compactMap(pt).map { SIMD2($0.x, $0.y) }
                guard projected.count == 8 else { continue }
                let hull = convexHull(projected).map { "\(f($0.x)),\(f($0.y))" }.joined(separator: " ")
                items.append((c.depth, "<polygon points=\"\(hull)\" fill=\"\(fill)\" fill-opacity=\"\(opacity)\"/>"))
            case .plane:
                continue
            }
        }
        for l in scene.visibleLines {
            let points = l.points.compactMap(pt)
            guard points.count > 1 else { continue }
            let depth = points.map(\.depth).reduce(0, +) / Double(points.count)
            let list = points.map { "\(f($0.x)),\(f($0.y))" }.joined(separator: " ")
            items.append((depth, "<polyline points=\"\(list)\" fill=\"none\" stroke=\"\(hex(SIMD3(l.rgba.x, l.rgba.y, l.rgba.z)))\" stroke-opacity=\"\(f(Double(l.rgba.w)))\" stroke-width=\"2\"/>"))
        }
        for item in items.sorted(by: { $0.depth > $1.depth }) { out += item.text + "\n" }
        return out + "</svg>\n"
    }

    /// Writes the SVG of `scene` to `path`.
    public static func write(_ scene: Scene, width: Int, height: Int, to path: String) throws {
        do {
            try svg(scene, width: width, height: height).write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw SceneError.file(FileError(.writeFailed, path: path, "cannot write the SVG (\(error.localizedDescription))"))
        }
    }

    static func hex(_ c: SIMD3<Float>) -> String {
        func byte(_ v: Float) -> Int { Int((max(0, min(1, v)) * 255).rounded()) }
        return String(format: "#%02x%02x%02x", byte(c.x), byte(c.y), byte(c.z))
    }

    private static func f(_ v: Double) -> String { String(format: "%.2f", v) }

    /// Andrew's monotone chain, counter-clockwise.
    static func convexHull(_ points: [SIMD2<Double>]) -> [SIMD2<Double>] {
        let p = points.sorted { $0.x != $1.x ? $0.x < $1.x : $0.y < $1.y }
        guard p.count > 2 else { return p }
        func turn(_ o: SIMD2<Double>, _ a: SIMD2<Double>, _ b: SIMD2<Double>) -> Double {
            (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
        }
        var lower: [SIMD2<Double>] = [], upper: [SIMD2<Double>] = []
        for q in p {
            while lower.count >= 2 && turn(lower[lower.count - 2], lower[lower.count - 1], q) <= 0 { lower.removeLast() }
            lower.append(q)
        }
        for q in p.reversed() {
            while upper.count >= 2 && turn(upper[upper.count - 2], upper[upper.count - 1], q) <= 0 { upper.removeLast() }
            upper.append(q)
        }
        return Array(lower.dropLast() + upper.dropLast())
    }
}
