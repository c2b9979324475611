import Foundation

/// Pixels back to the world: the inverse of `project`, for dragging things with the mouse.
extension Camera {
    /// The ray from the eye through pixel (x, y) of a `width` × `height` image (x right, y down,
    /// origin top left, as in `project`): its origin (the eye) and unit direction, world frame.
    public func ray(throughPixel x: Double, _ y: Double, width: Int, height: Int) -> (origin: SIMD3<Double>, direction: SIMD3<Double>) {
        let (r, u, b) = axes
        let f = Double(height) / 2 / tan(fieldOfView * .pi / 360)
        // the point at depth 1 that `project` sends to (x, y)
        let d = r * ((x - Double(width) / 2) / f) + u * ((Double(height) / 2 - y) / f) - b
        return (eye, normalize(d))
    }

    /// Where the ray through pixel (x, y) meets the horizontal plane z = `planeZ` (metres); nil
    /// when the ray runs parallel to it, meets it behind the eye, or beyond the far clip plane
    /// (a cursor near the horizon would throw the point kilometres away).
    public func pick(pixel x: Double, _ y: Double, width: Int, height: Int, planeZ: Double) -> SIMD3<Double>? {
        let (o, d) = ray(throughPixel: x, y, width: width, height: height)
        guard abs(d.z) > 1e-12 else { return nil }
        let t = (planeZ - o.z) / d.z
        guard t > 0, t <= clipPlanes.far else { return nil }
        return o + d * t
    }

    /// The index of the sphere (`centres`, `radii` in metres) whose projected disc, widened by
    /// `tolerance` pixels, holds pixel (x, y) — the one whose edge is nearest when several do; nil
    /// when none does. What a mouse press grabs.
    public func nearest(toPixel x: Double, _ y: Double, centres: [SIMD3<Double>], radii: [Double], width: Int, height: Int,
                        tolerance: Double = 12) -> Int? {
        var best: (index: Int, gap: Double)?
        for (i, c) in centres.enumerated() {
            guard let p = project(c, width: width, height: height) else { continue }
            let r = i < radii.count ? radii[i] * pixelsPerMetre(atDepth: p.depth, height: height) : 0
            let gap = ((p.x - x) * (p.x - x) + (p.y - y) * (p.y - y)).squareRoot() - r
            if gap <= tolerance, gap < (best?.gap ?? .infinity) { best = (i, gap) }
        }
        return best?.index
    }
}
