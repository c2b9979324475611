/// A frame to draw: drawables, polylines, a camera and a ground grid. A pure value with no
/// graphics dependency, built by `SceneBuilder` and rendered by `Viewer` or `SVGWriter`.
public struct Scene: Equatable, Sendable {
    public var drawables: [Drawable]
    public var lines: [Polyline]
    public var camera: Camera
    public var background: SIMD3<Float>
    public var grid: Grid?
    /// Layers not drawn.
    public var hidden: Set<Layer>

    /// A square grid of lines on the plane z = `height`.
    public struct Grid: Equatable, Sendable {
        public var centre: SIMD2<Double>
        /// Half the side of the grid, in metres.
        public var halfExtent: Double
        /// Distance between lines, in metres.
        public var spacing: Double
        public var height: Double
        public var rgba: SIMD4<Float>

        public init(centre: SIMD2<Double> = .zero, halfExtent: Double = 2, spacing: Double = 0.25,
                    height: Double = 0, rgba: SIMD4<Float>) {
            self.centre = centre
            self.halfExtent = halfExtent
            self.spacing = spacing
            self.height = height
            self.rgba = rgba
        }

        /// End point pairs of the grid lines, world coordinates.
        public var segments: [(SIMD3<Double>, SIMD3<Double>)] {
            let n = Int((halfExtent / spacing).rounded(.down))
            var out: [(SIMD3<Double>, SIMD3<Double>)] = []
            for i in -n...n {
                let o = Double(i) * spacing
                out.append((SIMD3(centre.x + o, centre.y - halfExtent, height), SIMD3(centre.x + o, centre.y + halfExtent, height)))
                out.append((SIMD3(centre.x - halfExtent, centre.y + o, height), SIMD3(centre.x + halfExtent, centre.y + o, height)))
            }
            return out
        }
    }

    public init(drawables: [Drawable] = [], lines: [Polyline] = [], camera: Camera = Camera(),
                background: SIMD3<Float> = Palette.standard.background, grid: Grid? = nil, hidden: Set<Layer> = []) {
        self.drawables = drawables
        self.lines = lines
        self.camera = camera
        self.background = background
        self.grid = grid
        self.hidden = hidden
    }

    public var visibleDrawables: [Drawable] { drawables.filter { !hidden.contains($0.layer) } }
    public var visibleLines: [Polyline] { lines.filter { !hidden.contains($0.layer) && $0.points.count > 1 } }

    /// Bounding spheres of the drawables on `layers` (all but the world and the contacts by
    /// default) and the points (radius 0) of their lines: what a camera frames (`Camera.framing(spheres:)`).
    public func boundingSpheres(layers: Set<Layer> = Set(Layer.allCases).subtracting([.world, .contact])) -> [(centre: SIMD3<Double>, radius: Double)] {
        drawables.filter { layers.contains($0.layer) }.map { ($0.position, $0.shape.boundingRadius) }
            + lines.filter { layers.contains($0.layer) }.flatMap { $0.points.map { ($0, 0.0) } }
    }

    /// A sphere containing the drawables and lines of `layers` (all but the world and the contacts
    /// by default): its centre and radius in metres; nil when there is nothing.
    public func bounds(layers: Set<Layer> = Set(Layer.allCases).subtracting([.world, .contact])) -> (centre: SIMD3<Double>, radius: Double)? {
        var lo = SIMD3<Double>(repeating: .infinity), hi = SIMD3<Double>(repeating: -.infinity)
        for d in drawables where layers.contains(d.layer) {
            let r = d.shape.boundingRadius
            lo = pointwiseMin(lo, d.position - r)
            hi = pointwiseMax(hi, d.position + r)
        }
        for l in lines where layers.contains(l.layer) {
            for p in l.points {
                lo = pointwiseMin(lo, p)
                hi = pointwiseMax(hi, p)
            }
        }
        guard lo.x.isFinite, hi.x.isFinite else { return nil }
        return ((lo + hi) / 2, length(hi - lo) / 2)
    }
}
