import Simulation
import Trajectories

/// Turns a robot model and its states (current pose, context, real future, sampled futures,
/// site trails) into a `Scene`. Holds one `RobotState` for forward kinematics, so use one
/// builder per thread.
public final class SceneBuilder {
    public let model: RobotModel
    public var palette: Palette
    public private(set) var drawables: [Drawable] = []
    public private(set) var lines: [Polyline] = []

    private let geoms: [RobotModel.Geom]
    private let state: RobotState
    private let qvelZero: [Double]

    /// A builder for `model`; the world's own geoms (body 0) are added at once on the world layer.
    public init(model: RobotModel, palette: Palette = .standard) throws {
        self.model = model
        self.palette = palette
        geoms = model.geoms
        state = try RobotState(model: model)
        qvelZero = [Double](repeating: 0, count: model.nv)
        addWorld()
    }

    /// Removes everything but the world geoms.
    public func reset() {
        drawables.removeAll { $0.layer != .world }
        lines.removeAll()
    }

    // MARK: - Robots

    /// Adds the robot's geoms (bodies other than the world) at `qpos` [nq] on `layer`.
    public func addRobot(qpos: [Double], layer: Layer = .robot, instance: Int = 0) throws {
        try state.set(qpos: qpos, qvel: qvelZero)
        let (positions, rotations) = state.bodyPoses()
        for (i, g) in geoms.enumerated() where g.body > 0 {
            drawables.append(place(g, index: i, bodyPosition: SIMD3(positions[3 * g.body], positions[3 * g.body + 1], positions[3 * g.body + 2]),
                                   bodyRotation: Rotation(rowMajor: rotations, offset: 9 * g.body),
                                   layer: layer, instance: instance))
        }
    }

    /// Adds `count` robots from `qpos` [count, nq], instance k for row k.
    public func addRobots(qpos: [Double], count: Int, layer: Layer) throws {
        let nq = model.nq
        try requireCount(qpos.count, count * nq, "qpos [\(count), \(nq)]")
        for k in 0..<count { try addRobot(qpos: Array(qpos[k * nq..<(k + 1) * nq]), layer: layer, instance: k) }
    }

    // MARK: - Trails

    /// Adds a trail per site (all sites, or `sites`) through the states `qpos` [steps, nq].
    public func addSiteTrails(qpos: [Double], steps: Int, layer: Layer = .trail, instance: Int = 0,
                              sites: [Int]? = nil) throws {
        let nq = model.nq, nsite = model.nsite
        try requireCount(qpos.count, steps * nq, "qpos [\(steps), \(nq)]")
        guard nsite > 0, steps > 1 else { return }
        // sites: [steps, nsite, 3] from one batched kinematics call
        let positions = try model.kinematics(qpos: qpos, batch: steps, threads: 1).sites
        for s in sites ?? Array(0..<nsite) {
            let points = (0..<steps).map { t in
                let o = (t * nsite + s) * 3
                return SIMD3(positions[o], positions[o + 1], positions[o + 2])
            }
            lines.append(Polyline(points: points, rgba: palette.lineColour(on: layer), layer: layer, instance: instance))
        }
    }

    /// Adds a polyline through world points.
    public func addTrail(points: [SIMD3<Double>], layer: Layer = .trail, instance: Int = 0) {
        lines.append(Polyline(points: points, rgba: palette.lineColour(on: layer), layer: layer, instance: instance))
    }

    // MARK: - Futures

    /// Adds K sampled futures `qpos` [count, steps, nq]: a ghost robot per sample at `shownStep`
    /// (the last step when nil) on `layer`, and the site trail of each sample on the same layer.
    public func addFutures(qpos: [Double], count: Int, steps: Int, shownStep: Int? = nil,
                           layer: Layer = .ghost) throws {
        let nq = model.nq
        try requireCount(qpos.count, count * steps * nq, "futures [\(count), \(steps), \(nq)]")
        guard steps > 0 else { return }
        let t = min(max(shownStep ?? steps - 1, 0), steps - 1)
        for k in 0..<count {
            let sample = Array(qpos[k * steps * nq..<(k + 1) * steps * nq])
            try addRobot(qpos: Array(sample[t * nq..<(t + 1) * nq]), layer: layer, instance: k)
            try addSiteTrails(qpos: sample, steps: steps, layer: layer, instance: k)
        }
    }

    /// Adds drawables and lines made earlier (cached layers such as sampled futures).
    public func add(drawables more: [Drawable], lines moreLines: [Polyline] = []) {
        drawables += more
        lines += moreLines
    }

    // MARK: - Contacts

    /// Adds the contacts of the robot at `qpos` [nq] on the contact layer, as the simulator finds
    /// them after forward dynamics: a dot of `radius` metres at each contact point and, when `qvel`
    /// [nv] is given (with `ctrl` [nu], zero when nil), an arrow along the force the second geom
    /// receives (the first geom's, when only the first one moves: the arrow shows the force on the
    /// robot), `metresPerWeight` long for a force equal to the robot's weight. Returns the contacts.
    @discardableResult
    public func addContacts(qpos: [Double], qvel: [Double]? = nil, ctrl: [Double]? = nil,
                            radius: Double = 0.012, metresPerWeight: Double = 0.25) throws -> [Contact] {
        try state.set(qpos: qpos, qvel: qvel ?? qvelZero, ctrl: ctrl ?? [Double](repeating: 0, count: model.nu))
        try state.forward()
        let contacts = try state.contacts()
        let colour = palette.colour(of: SIMD4(1, 1, 1, 1), on: .contact)
        for (k, c) in contacts.enumerated() {
            let p = SIMD3(c.position[0], c.position[1], c.position[2])
            drawables.append(Drawable(shape: .sphere(radius: radius), position: p, rgba: colour, layer: .contact, instance: k))
            guard qvel != nil, weight > 0 else { continue }
            let onFirst = geoms[c.geom2].body == 0 && geoms[c.geom1].body != 0
            let f = c.worldForce * ((onFirst ? -1 : 1) * metresPerWeight / weight), length = (f * f).sum().squareRoot()
            guard length > radius else { continue }
            // shaft and a two-stroke head in the plane of the force and the contact's first tangent
            // (or its normal, for a force along that tangent)
            let along = f / length, tangent = SIMD3(c.frame[3], c.frame[4], c.frame[5])
            var side = tangent - (tangent * along).sum() * along
            if (side * side).sum() < 1e-12 { side = c.normal - (c.normal * along).sum() * along }
            side /= max((side * side).sum().squareRoot(), 1e-300)
            let tip = p + f, head = min(0.3 * length, 4 * radius)
            lines.append(Polyline(points: [p, tip], rgba: colour, layer: .contact, instance: k))
            lines.append(Polyline(points: [tip - head * along + 0.5 * head * side, tip, tip - head * along - 0.5 * head * side],
                                  rgba: colour, layer: .contact, instance: k))
        }
        return contacts
    }

    /// The robot's weight, Σ body masses × |gravity|, in newtons: the force scale of contact arrows.
    private lazy var weight: Double = {
        let g = model.options.gravity
        return model.bodies.mass.reduce(0, +) * (g * g).sum().squareRoot()
    }()

    // MARK: - Result

    /// The scene so far. Without a camera, a default view is framed on everything but the world
    /// geoms, with a ground grid under it.
    public func build(camera: Camera? = nil, hidden: Set<Layer> = []) -> Scene {
        var scene = Scene(drawables: drawables, lines: lines, background: palette.background, hidden: hidden)
        let bounds = scene.bounds() ?? scene.bounds(layers: [.world]) ?? (SIMD3(0, 0, 0), 1)
        if let camera {
            scene.camera = camera
        } else {
            // frame everything but the world geoms (the world alone when there is nothing else)
            let own = scene.boundingSpheres()
            let spheres = own.isEmpty ? scene.boundingSpheres(layers: [.world]) : own
            scene.camera = spheres.isEmpty ? Camera().framing(centre: bounds.centre, radius: bounds.radius) : Camera().framing(spheres: spheres)
        }
        let spacing = gridSpacing(forRadius: bounds.radius)
        scene.grid = Scene.Grid(centre: SIMD2((bounds.centre.x / spacing).rounded() * spacing, (bounds.centre.y / spacing).rounded() * spacing),
                                halfExtent: spacing * 8, spacing: spacing, height: min(0, lowestPoint(scene)), rgba: palette.grid)
        return scene
    }

    // MARK: - Helpers

    private func addWorld() {
        for (i, g) in geoms.enumerated() where g.body == 0 {
            drawables.append(place(g, index: i, bodyPosition: .zero, bodyRotation: .identity, layer: .world, instance: 0))
        }
    }

    /// World placement of geom `g`: p = p_body + R_body p_geom, R = R_body R(q_geom).
    private func place(_ g: RobotModel.Geom, index: Int, bodyPosition: SIMD3<Double>, bodyRotation: Rotation,
                       layer: Layer, instance: Int) -> Drawable {
        Drawable(shape: Self.shape(of: g), position: bodyPosition + bodyRotation * g.position,
                 rotation: bodyRotation * Rotation(quaternion: g.quaternion),
                 rgba: palette.colour(of: g.rgba, on: layer), layer: layer, geom: index, instance: instance)
    }

    /// The drawable shape of a geom in MuJoCo's size convention (a plane of size 0 is drawn 5 m wide).
    public static func shape(of g: RobotModel.Geom) -> Shape {
        let s = g.size
        switch g.shape {
        case .sphere: return .sphere(radius: s.x)
        case .capsule: return .capsule(radius: s.x, halfLength: s.y)
        case .cylinder: return .cylinder(radius: s.x, halfLength: s.y)
        case .box, .mesh: return .box(halfExtents: s)  // a mesh is drawn as its bounding box for now
        case .ellipsoid: return .ellipsoid(radii: s)
        case .plane: return .plane(halfExtents: SIMD2(s.x > 0 ? s.x : 5, s.y > 0 ? s.y : 5))
        }
    }

    /// Lowest z of the robot layers (not the world, not the contacts: the grid stays put while
    /// contacts come and go), so that a hanging robot stays above the grid.
    private func lowestPoint(_ scene: Scene) -> Double {
        var z = Double.infinity
        for d in scene.drawables where d.layer != .world && d.layer != .contact { z = min(z, d.position.z - d.shape.boundingRadius) }
        for l in scene.lines where l.layer != .contact { for p in l.points { z = min(z, p.z) } }
        return z.isFinite ? z : 0
    }

    private func gridSpacing(forRadius r: Double) -> Double {
        // 1-2-5 steps giving about 8 cells across the radius
        let raw = max(r, 0.05) / 4, decade = pow10(floorLog10(raw))
        for m in [1.0, 2.0, 5.0, 10.0] where raw <= m * decade { return m * decade }
        return 10 * decade
    }

    private func requireCount(_ count: Int, _ expected: Int, _ what: String) throws {
        if count != expected {
            throw SceneError.invalidArgument("\(what) needs \(expected) values, got \(count)")
        }
    }
}

private func floorLog10(_ x: Double) -> Int { var e = 0, v = x; while v >= 10 { v /= 10; e += 1 }; while v < 1 { v *= 10; e -= 1 }; return e }
private func pow10(_ e: Int) -> Double { var v = 1.0; for _ in 0..<abs(e) { v *= 10 }; return e >= 0 ? v : 1 / v }

/// A problem building a scene or loading what it shows.
///
/// A file to show (episodes, a prediction, a plan) that is missing, unreadable, malformed or of
/// another robot, or an SVG that cannot be written, is `.file`, naming the path and its kind;
/// arrays given in memory that do not fit are `.invalidArgument`.
public enum SceneError: FileCaseError, CustomStringConvertible, Equatable {
    /// A file to show or to write that cannot be used.
    case file(FileError)
    /// Values in memory of the wrong size, in words.
    case invalidArgument(String)

    public var content: FileErrorOrWords {
        switch self {
        case .file(let error): return .file(error)
        case .invalidArgument(let message): return .words(message)
        }
    }
}
