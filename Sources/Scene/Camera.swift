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
