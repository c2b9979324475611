/// What a scene is made of: solid shapes placed in the world and polylines, each on a layer.

/// A layer groups drawables that the viewer shows, hides and colours together.
public enum Layer: String, CaseIterable, Sendable, Comparable {
    /// The robot at the shown time step (solid, its own MJCF colours).
    case robot
    /// Past states given to a model as context.
    case context
    /// The real future (solid).
    case future
    /// Sampled futures: translucent ghost robots.
    case ghost
    /// A feedforward prediction, in its own colour.
    case prediction
    /// Site trails (end-effector paths) of the real trajectory or of samples.
    case trail
    /// Goals and obstacles (planning).
    case goal
    /// Fixed world geometry from the model (floor, rails, bases).
    case world
    /// Contact points and the forces at them (models with contacts).
    case contact

    public static func < (a: Layer, b: Layer) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A solid primitive in MuJoCo's size convention, centred at the origin of its frame, its axis
/// (capsule, cylinder) along the frame's z.
public enum Shape: Equatable, Sendable {
    case sphere(radius: Double)
    /// A cylinder of `halfLength` with hemispherical caps of `radius` beyond each end.
    case capsule(radius: Double, halfLength: Double)
    case cylinder(radius: Double, halfLength: Double)
    case box(halfExtents: SIMD3<Double>)
    case ellipsoid(radii: SIMD3<Double>)
    /// A finite plane z = 0 in its frame, `halfExtents` along x and y.
    case plane(halfExtents: SIMD2<Double>)

    /// Radius of a sphere about the frame origin that contains the shape, in metres.
    public var boundingRadius: Double {
        switch self {
        case .sphere(let r): return r
        case .capsule(let r, let h): return r + h
        case .cylinder(let r, let h): return (r * r + h * h).squareRoot()
        case .box(let e): return (e * e).sum().squareRoot()
        case .ellipsoid(let r): return r.max()
        case .plane(let e): return (e * e).sum().squareRoot()
        }
    }
}

/// A shape placed in the world with a colour, on a layer.
public struct Drawable: Equatable, Sendable {
    public var shape: Shape
    /// World position of the shape's centre, in metres.
    public var position: SIMD3<Double>
    /// World orientation of the shape's frame.
    public var rotation: Rotation
    /// Linear RGB in [0, 1] and opacity.
    public var rgba: SIMD4<Float>
    public var layer: Layer
    /// The model geom it was made from, or nil.
    public var geom: Int?
    /// Which copy of the robot (sample k for ghosts, step t for context); 0 otherwise.
    public var instance: Int

    public init(shape: Shape, position: SIMD3<Double>, rotation: Rotation = .identity, rgba: SIMD4<Float>,
                layer: Layer, geom: Int? = nil, instance: Int = 0) {
        self.shape = shape
        self.position = position
        self.rotation = rotation
        self.rgba = rgba
        self.layer = layer
        self.geom = geom
        self.instance = instance
    }

    /// End points of the axis of a capsule or cylinder (centre ± halfLength · z), else nil.
    public var axisEndpoints: (SIMD3<Double>, SIMD3<Double>)? {
        switch shape {
        case .capsule(_, let h), .cylinder(_, let h):
            let axis = rotation.column(2) * h
            return (position - axis, position + axis)
        default: return nil
        }
    }

    /// Shape-to-world transform of the unit mesh the viewer uses for this shape: unit sphere
    /// (radius 1), unit cylinder (radius 1, z in [-1, 1]), unit cube ([-1, 1]³), unit square.
    /// Capsules are a cylinder plus two spheres, see `capsuleCapTransforms`.
    public var unitMeshTransform: Matrix4 {
        let scale: SIMD3<Double>
        switch shape {
        case .sphere(let r): scale = SIMD3(r, r, r)
        case .capsule(let r, let h), .cylinder(let r, let h): scale = SIMD3(r, r, h)
        case .box(let e), .ellipsoid(let e): scale = e
        case .plane(let e): scale = SIMD3(e.x, e.y, 1)
        }
        return Matrix4(rotation: rotation, scale: scale, translation: position)
    }

    /// Transforms of the unit sphere for the two caps of a capsule; empty for other shapes.
    public var capsuleCapTransforms: [Matrix4] {
        guard case .capsule(let r, _) = shape, let (a, b) = axisEndpoints else { return [] }
        let s = SIMD3(r, r, r)
        return [Matrix4(rotation: rotation, scale: s, translation: a),
                Matrix4(rotation: rotation, scale: s, translation: b)]
    }
}

/// A line through world points (a site trail, a path), drawn with a colour on a layer.
public struct Polyline: Equatable, Sendable {
    /// Points in order, world coordinates in metres.
    public var points: [SIMD3<Double>]
    public var rgba: SIMD4<Float>
    public var layer: Layer
    public var instance: Int

    public init(points: [SIMD3<Double>], rgba: SIMD4<Float>, layer: Layer, instance: Int = 0) {
        self.points = points
        self.rgba = rgba
        self.layer = layer
        self.instance = instance
    }
}
