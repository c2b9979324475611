import Foundation

/// An orbit camera around a target point in a z-up world, with a perspective projection.
/// Angles in degrees; distances in metres.
public struct Camera: Equatable, Sendable {
    /// The point looked at (and orbited around).
    public var target: SIMD3<Double>
    /// Eye distance from the target, in metres.
    public var distance: Double
    /// Heading of the eye around the target, degrees from +x towards +y.
    public var azimuth: Double
    /// Height of the eye, degrees above the horizontal plane through the target (clamped to ±89).
    public var elevation: Double
    /// Vertical field of view, in degrees.
    public var fieldOfView: Double

    public init(target: SIMD3<Double> = .zero, distance: Double = 3, azimuth: Double = -75,
                elevation: Double = 20, fieldOfView: Double = 45) {
        self.target = target
        self.distance = distance
        self.azimuth = azimuth
        self.elevation = elevation
        self.fieldOfView = fieldOfView
    }

    // MARK: - Frame

    /// Unit vector from the target towards the eye.
    public var backward: SIMD3<Double> {
        let az = azimuth * .pi / 180, el = max(-89, min(89, elevation)) * .pi / 180
        return SIMD3(cos(el) * cos(az), cos(el) * sin(az), sin(el))
    }

    public var eye: SIMD3<Double> { target + backward * distance }

    /// Camera axes in world coordinates: right, up, backward (a right-handed frame).
    public var axes: (right: SIMD3<Double>, up: SIMD3<Double>, backward: SIMD3<Double>) {
        let b = backward
        let right = normalize(cross(SIMD3(0, 0, 1), b))
        return (right, cross(b, right), b)
    }

    /// Clip planes that scale with the distance, so that near objects are not cut.
    public var clipPlanes: (near: Double, far: Double) { (max(distance * 0.01, 1e-3), distance * 100 + 10) }

    // MARK: - Matrices (column-major, OpenGL conventions)

    /// World → eye coordinates (the eye looks down its −z).
    public var viewMatrix: Matrix4 {
        let (r, u, b) = axes, e = eye
        return Matrix4(columns: [SIMD4(r.x, u.x, b.x, 0), SIMD4(r.y, u.y, b.y, 0), SIMD4(r.z, u.z, b.z, 0),
                                 SIMD4(-dot(r, e), -dot(u, e), -dot(b, e), 1)])
    }

    /// Eye → clip coordinates for a viewport of `aspect` = width / height.
    public func projectionMatrix(aspect: Double) -> Matrix4 {
        let f = 1 / tan(fieldOfView * .pi / 360), (n, fa) = clipPlanes
        return Matrix4(columns: [SIMD4(f / aspect, 0, 0, 0), SIMD4(0, f, 0, 0),
                                 SIMD4(0, 0, (fa + n) / (n - fa), -1), SIMD4(0, 0, 2 * fa * n / (n - fa), 0)])
    }

    /// Pixel coordinates (x right, y down, origin top-left) of a world point in a `width` × `height`
    /// image, and its distance in front of the eye; nil when it is behind the eye.
    public func project(_ p: SIMD3<Double>, width: Int, height: Int) -> (x: Double, y: Double, depth: Double)? {
        let (r, u, b) = axes, d = p - eye
        let depth = -dot(d, b)
        guard depth > 1e-9 else { return nil }
        let f = Double(height) / 2 / tan(fieldOfView * .pi / 360)
        return (Double(width) / 2 + f * dot(d, r) / depth, Double(height) / 2 - f * dot(d, u) / depth, depth)
    }

    /// Pixels per metre at `depth` metres in front of the eye, in an image `height` pixels tall.
    public func pixelsPerMetre(atDepth depth: Double, height: Int) -> Double {
        Double(height) / 2 / tan(fieldOfView * .pi / 360) / depth
    }

    // MARK: - Framing

    /// This camera's angles, moved so that a sphere (`centre`, `radius`) fills the view with a margin.
    public func framing(centre: SIMD3<Double>, radius: Double, margin: Double = 1.15) -> Camera {
        var c = self
        c.target = centre
        c.distance = max(radius, 0.05) * margin / sin(fieldOfView * .pi / 360)
        return c
    }

    /// This camera's angles, moved so that every sphere (centre, radius) lies in view with a margin and
    /// the set fills the view's height (the smaller side of a landscape window): the target is the middle of
    /// the spheres' projected extent and the distance the least that keeps each sphere inside the field of
    /// view. A sphere of radius ρ at lateral offset x and depth z (towards the eye) stays in view when
    /// (|x| + ρ)·margin ≤ tan(fov/2)·(d − z), so d = max over spheres and both view axes of z + (|x| + ρ)·margin / tan(fov/2).
    public func framing(spheres: [(centre: SIMD3<Double>, radius: Double)], margin: Double = 1.08) -> Camera {
        guard !spheres.isEmpty else { return self }
        var c = self
        let (r, u, b) = axes, tanHalf = tan(fieldOfView * .pi / 360)
        var lo = SIMD3<Double>(repeating: .infinity), hi = SIMD3<Double>(repeating: -.infinity)
        for (p, rho) in spheres {
            let local = SIMD3(dot(p, r), dot(p, u), dot(p, b))
            lo = pointwiseMin(lo, local - rho)
            hi = pointwiseMax(hi, local + rho)
        }
        // the middle of the box in view coordinates, then (twice) re-centred on the projected extent
        var middle = (lo + hi) / 2
        var distance = 0.0
        for _ in 0..<3 {
            distance = 0
            for (p, rho) in spheres {
                let x = dot(p, r) - middle.x, y = dot(p, u) - middle.y, z = dot(p, b) - middle.z
                distance = max(distance, z + (abs(x) + rho) * margin / tanHalf, z + (abs(y) + rho) * margin / tanHalf, z + rho + 0.05)
            }
            // projected extents (as tangents) at this distance, and the shift that centres them
            var (xl, xh, yl, yh) = (Double.infinity, -Double.infinity, Double.infinity, -Double.infinity)
            for (p, rho) in spheres {
                let x = dot(p, r) - middle.x, y = dot(p, u) - middle.y, depth = distance - (dot(p, b) - middle.z)
                (xl, xh) = (min(xl, (x - rho) / depth), max(xh, (x + rho) / depth))
                (yl, yh) = (min(yl, (y - rho) / depth), max(yh, (y + rho) / depth))
            }
            middle.x += (xl + xh) / 2 * distance
            middle.y += (yl + yh) / 2 * distance
        }
        c.target = r * middle.x + u * middle.y + b * middle.z
        c.distance = max(distance, 0.05)
        return c
    }

    // MARK: - Interaction (the viewer maps mouse motion to these)

    /// Turns around the target by degrees.
    public mutating func orbit(azimuth da: Double, elevation de: Double) {
        azimuth = (azimuth + da).truncatingRemainder(dividingBy: 360)
        elevation = max(-89, min(89, elevation + de))
    }

    /// Moves the target in the view plane by fractions of the view height.
    public mutating func pan(right dx: Double, up dy: Double) {
        let (r, u, _) = axes
        let span = 2 * distance * tan(fieldOfView * .pi / 360)
        target += (r * dx + u * dy) * span
    }

    /// Multiplies the distance by `factor` (< 1 moves closer).
    public mutating func zoom(by factor: Double) {
        distance = max(0.02, min(1e4, distance * factor))
    }
}
