// PlanningSetup+Preset: the tuned defaults of the built-in robots as an enum, and the same numbers
// for any robot model (built-in or MJCF file) with a site to steer.

import Simulation

extension PlanningSetup {
    /// The built-in robots with tuned planning defaults.
    public enum Preset: String, CaseIterable, Sendable {
        case reacher2, pointmass2d, arm7

        /// The site steered to the goal.
        public var site: String {
            switch self {
            case .reacher2: return "fingertip"
            case .pointmass2d: return "center"
            case .arm7: return "ee"
            }
        }

        /// Timestep (s) and substeps of the preset's plan datasets; nil keeps the model's own.
        public var integration: (timestep: Double?, substeps: Int?) {
            switch self {
            case .reacher2: return (nil, nil)
            case .pointmass2d: return (0.05, 5)
            case .arm7: return (0.01, 5)
            }
        }

        /// The built-in robot with the preset's integration.
        public func model() throws -> RobotModel { try Self.integrated(RobotModel.builtin(rawValue), integration) }

        static func integrated(_ m: RobotModel, _ integration: (timestep: Double?, substeps: Int?)) throws -> RobotModel {
            guard integration.timestep != nil || integration.substeps != nil else { return m }
            var o = m.options
            if let timestep = integration.timestep { o.timestep = timestep }
            if let substeps = integration.substeps { o.substeps = substeps }
            return try m.with(options: o)
        }
    }

    /// Defaults for `reacher2`, `pointmass2d` and `arm7`.
    public static func defaults(robot: String) throws -> PlanningSetup {
        guard let preset = Preset(rawValue: robot) else {
            throw PlanningError.invalidArgument("no planning defaults for robot '\(robot)' (known: reacher2, pointmass2d, arm7)")
        }
        return try PlanningSetup(preset: preset)
    }

    /// The tuned defaults of a built-in robot.
    public init(preset: Preset) throws {
        try self.init(model: try preset.model(), site: preset.site, like: preset, integration: false)
    }

    /// A planning problem for any robot (built-in or MJCF file) steering `site`, with the numbers
    /// of `preset` (horizon, weights, per-joint scales repeated for every joint) and its timestep and
    /// substeps (so that the horizon spans the same time).
    public init(model: RobotModel, site: String, like preset: Preset = .arm7) throws {
        try self.init(model: model, site: site, like: preset, integration: true)
    }

    private init(model given: RobotModel, site: String, like preset: Preset, integration: Bool) throws {
        guard given.index(of: .site, named: site) != nil else {
            throw PlanningError.invalidArgument("\(given.source) has no site '\(site)' (sites: \(given.names(.site).joined(separator: ", ")))")
        }
        let model = integration ? try Preset.integrated(given, preset.integration) : given
        let (nq, nv) = (model.nq, model.nv)
        /// Per-state scale: `position` for each of nq, `velocity` for each of nv.
        func scale(_ position: Double, _ velocity: Double) -> [Double] {
            [Double](repeating: position, count: nq) + [Double](repeating: velocity, count: nv)
        }
        // what the presets share; each then sets what differs
        self.init(model: model, site: site, horizon: 16, chains: 32, replanEvery: 4, maxSteps: 200, tolerance: 0.01, scale: [],
                  goalWeight: 400, obstacleWeight: 1e4, limitWeight: 100, smoothnessWeight: 0.05, effortWeight: 0, modelWeight: 0.1,
                  margin: 0.01, velocityLimit: 0, trackingFrequency: 0)
        switch preset {
        case .reacher2:
            // no effort term: reacher2's motors (200 N m) rarely bind, and the effort gradient's
            // batched RNEA differences would cost most of the 20 ms replanning budget
            (self.scale, obstacleWeight, velocityLimit, trackingFrequency) = (scale(0.5, 5), 1e5, 20, 20)
            // armature 1 kg m² per joint and 200 N m motors: up to ~150 rad/s²
            accelerationScale = [Double](repeating: 100, count: nv)
        case .pointmass2d:
            (replanEvery, maxSteps, tolerance, self.scale) = (2, 100, 0.02, scale(0.1, 0.3))
            (goalWeight, smoothnessWeight, modelWeight, margin, velocityLimit, trackingFrequency) = (100, 1, 0.05, 0.02, 1, 8)
            // 1 kg against 1 N motors: up to 1 m/s²
            accelerationScale = [Double](repeating: 0.5, count: nv)
            malaStepSize = 0.1
        case .arm7:
            (self.scale, effortWeight, velocityLimit, trackingFrequency) = (scale(0.3, 2), 0.05, 5, 12)
            accelerationScale = [Double](repeating: 20, count: nv)
            // control-space baselines: σ 0.1 of the half range; 0.5 throws the arm about (0 of 6
            // suite goals), 0.05 / 0.2 reached 0–1 of 6, 0.1 reached 2–3 of 6 (benchmarks/README.md)
            simNoise = 0.1
            // 12 optimiser steps per replan instead of 20: every suite goal is still reached (50/50 for Langevin
            // and MALA) in 6 % / 19 % more executed steps, at 16.8 / 18.4 ms per replan instead of 28.4 / 29.7
            // (one thread, AMD EPYC Zen 4; benchmarks/README.md, Planning, session 10)
            (langevinSteps, malaSteps) = (12, 12)
        }
    }

    /// A goal for the steered site: (x, y, z) in m, z the site's height at `qpos` (nq) when not given.
    public func goal(x: Double, y: Double, z: Double? = nil, qpos: [Double]) throws -> SIMD3<Double> {
        if let z { return SIMD3(x, y, z) }
        return SIMD3(x, y, try sitePosition(qpos: qpos).z)
    }

    /// The position (m) of the steered site at `qpos` (nq).
    public func sitePosition(qpos: [Double]) throws -> SIMD3<Double> {
        guard let i = model.index(of: .site, named: site) else { throw PlanningError.invalidArgument("\(model.source) has no site '\(site)'") }
        let s = try model.kinematics(qpos: qpos, batch: 1).sites
        return SIMD3(s[i * 3], s[i * 3 + 1], s[i * 3 + 2])
    }
}
