import Simulation
import Trajectories

/// Scenes of a prediction over its horizon: the context (earlier states faded, the last one solid),
/// the real future (solid green), K sampled futures as ghost robots with site trails coloured by
/// energy, and the feedforward prediction in its own colour, each on its own layer. Trails are
/// computed once per set of futures; a frame only places K + 3 robots.
public final class PredictionScene {
    public let builder: SceneBuilder
    public private(set) var prediction: PredictionFile
    /// Sampler steps behind the current futures (live refinement), nil for a file.
    public var refinementStep: Int?
    private var trails: [Polyline] = []
    private var framed: Camera?

    /// Future states shown, one per frame.
    public var length: Int { prediction.horizon }

    public init(model: RobotModel, prediction: PredictionFile, palette: Palette = .standard) throws {
        guard prediction.stateSize == model.nq + model.nv, prediction.nq == model.nq else {
            throw SceneError.file(FileError(.mismatched, path: prediction.path, "states have \(prediction.stateSize) numbers, but \(model.source) has nq + nv = \(model.nq + model.nv)"))
        }
        builder = try SceneBuilder(model: model, palette: palette)
        self.prediction = prediction
        try makeTrails()
    }

    /// Replaces the sampled futures [K, H, S] (same K and H) and their energies [K].
    public func setFutures(_ futures: [Double], energies: [Double]?) throws {
        guard futures.count == prediction.futures.count else {
            throw SceneError.invalidArgument("futures have \(futures.count) values, expected [\(prediction.count), \(prediction.horizon), \(prediction.stateSize)]")
        }
        prediction.futures = futures
        prediction.energies = energies
        prediction.sites = nil
        try makeTrails()
    }

    /// The scene at future state `step` (clamped). Without a camera, a framing of the whole prediction.
    public func scene(step: Int, camera: Camera? = nil, hidden: Set<Layer> = []) throws -> Scene {
        let t = min(max(step, 0), length - 1)
        let view = try camera ?? framing()
        try place(step: t)
        return builder.build(camera: view, hidden: hidden)
    }

    /// A camera framing the context, every future's trail and robot at the last step; computed once.
    public func framing() throws -> Camera {
        if let framed { return framed }
        try place(step: length - 1)
        let camera = builder.build().camera
        framed = camera
        return camera
    }

    /// Colour of the trail of a future by its energy rank in [0, 1] (0: the lowest energy):
    /// the ghost colour for the most likely futures, fading to blue for the least.
    public func trailColour(rank: Double) -> SIMD4<Float> {
        let ghost = builder.palette.lineColour(on: .ghost)
        let low = SIMD3(ghost.x, ghost.y, ghost.z), high = SIMD3<Float>(0.20, 0.45, 0.95)
        let r = Float(min(max(rank, 0), 1))
        return SIMD4(low + (high - low) * r, ghost.w)
    }

    // MARK: - Building

    private func place(step t: Int) throws {
        let p = prediction, nq = p.nq, S = p.stateSize
        builder.reset()
        builder.add(drawables: [], lines: trails)
        let context = p.positions(p.context[...])
        for i in 0..<p.contextLength - 1 {
            try builder.addRobot(qpos: Array(context[(i * nq)..<((i + 1) * nq)]), layer: .context, instance: i)
        }
        try builder.addRobot(qpos: Array(context[((p.contextLength - 1) * nq)...]), layer: .robot)
        if let truth = p.truth {
            let tt = min(t, truth.count / S - 1)
            try builder.addRobot(qpos: Array(truth[(tt * S)..<(tt * S + nq)]), layer: .future)
        }
        for k in 0..<p.count {
            let o = (k * p.horizon + t) * S
            try builder.addRobot(qpos: Array(p.futures[o..<(o + nq)]), layer: .ghost, instance: k)
        }
        if let ff = p.feedforward {
            try builder.addRobot(qpos: Array(ff[(t * S)..<(t * S + nq)]), layer: .prediction)
        }
    }

    /// Site trails: the context's (trail layer), the real future's, each sample's (coloured by
    /// energy rank) and the feedforward prediction's, each starting at the last context state.
    private func makeTrails() throws {
        let p = prediction, nq = p.nq, nsite = builder.model.nsite
        let last = Array(p.positions(p.context[...]).suffix(nq))
        builder.reset()
        try builder.addSiteTrails(qpos: p.positions(p.context[...]), steps: p.contextLength, layer: .trail)
        if let truth = p.truth {
            try builder.addSiteTrails(qpos: last + p.positions(truth[...]), steps: 1 + truth.count / p.stateSize, layer: .future)
        }
        if let ff = p.feedforward {
            try builder.addSiteTrails(qpos: last + p.positions(ff[...]), steps: 1 + p.horizon, layer: .prediction)
        }
        var lines = builder.lines
        // ranks of the energies: 0 for the lowest
        var rank = [Double](repeating: 0, count: p.count)
        if let e = p.energies, p.count > 1 {
            for (r, k) in (0..<p.count).sorted(by: { e[$0] < e[$1] }).enumerated() { rank[k] = Double(r) / Double(p.count - 1) }
        }
        if nsite > 0 {
            // the start: sites of the last context state
            builder.reset()
            try builder.addSiteTrails(qpos: last + last, steps: 2, layer: .ghost)
            let start = builder.lines.map { $0.points[0] }
            builder.reset()
            for k in 0..<p.count {
                let colour = trailColour(rank: rank[k])
                if let sites = p.sites {
                    for s in 0..<nsite {
                        let points = (0..<p.horizon).map { t -> SIMD3<Double> in
                            let o = ((k * p.horizon + t) * nsite + s) * 3
                            return SIMD3(sites[o], sites[o + 1], sites[o + 2])
                        }
                        lines.append(Polyline(points: [start[s]] + points, rgba: colour, layer: .ghost, instance: k))
                    }
                } else {
                    builder.reset()
                    try builder.addSiteTrails(qpos: last + p.future(k), steps: 1 + p.horizon, layer: .ghost, instance: k)
                    lines += builder.lines.map { var l = $0; l.rgba = colour; return l }
                }
            }
        }
        trails = lines
        builder.reset()
    }
}
