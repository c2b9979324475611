// GoalPDPolicy+Recipe: the `goal-pd` policy read from a recipe's `policy` object — gains, timing,
// speed variants, and goals given as joints or as site points solved by inverse kinematics.

import Foundation
import Simulation

extension GoalPDPolicy {
    /// The policy of a recipe's `policy` object (keys as documented on `GoalPDPolicy`); errors name the key.
    public init(parameters p: RecipeObject, model: RobotModel) throws {
        try p.rejectUnknownKeys(["type", "goals", "kp", "kd", "natural_frequency", "damping_ratio", "reaction_delay", "move_steps", "move_steps_range", "control_noise",
                                 "gravity_compensation", "feedforward", "ik", "move_steps_choices", "label", "exclude"])
        let (nq, nu) = (model.nq, model.nu)
        guard model.nq == model.nv else {
            throw p.error("type", "goal-pd needs nq == nv (hinge and slide joints); \(model.source) has nq \(nq), nv \(model.nv)")
        }
        guard nu > 0 else { throw p.error("type", "goal-pd needs actuators; \(model.source) has none") }
        if p["natural_frequency"] != nil {
            guard p["kp"] == nil, p["kd"] == nil else { throw p.error("natural_frequency", "give kp and kd, or natural_frequency, not both") }
            let omega = try p.double("natural_frequency", in: 1e-9...1e6)
            let zeta = try p.double("damping_ratio", default: 1, in: 0...1e6)
            (kp, kd, gainSchedule) = try Self.resolved(.scheduled(naturalFrequency: omega, dampingRatio: zeta), model: model)
        } else {
            gainSchedule = nil
            kp = try p.vector("kp", count: nu, countName: "one per actuator", default: .nan)
            kd = try p.vector("kd", count: nu, countName: "one per actuator", default: .nan)
            guard !kp.contains(where: { $0.isNaN }) else { throw p.error("kp", "missing (PD gains kp and kd, or natural_frequency, are required)") }
            guard !kd.contains(where: { $0.isNaN }) else { throw p.error("kd", "missing (PD gains kp and kd, or natural_frequency, are required)") }
        }
        reactionDelay = try p.int("reaction_delay", default: 0, minimum: 0)
        moveSteps = try p.int("move_steps", default: 40, minimum: 1)
        if p["move_steps_range"] != nil {
            let range = try p.doubles("move_steps_range", count: 2, countName: "shortest and longest move, in steps")
            guard range.allSatisfy({ $0 >= 1 && $0 == $0.rounded() }), range[0] <= range[1] else {
                throw p.error("move_steps_range", "expected two whole numbers 1 <= shortest <= longest, found \(range)")
            }
            guard p["natural_frequency"] == nil else { throw p.error("move_steps_range", "scheduled gains (natural_frequency) follow one nominal move; give kp and kd") }
            moveStepsRange = Int(range[0])...Int(range[1])
        }
        if p["move_steps_choices"] != nil {
            let choices = try p.doubles("move_steps_choices", countName: "move durations, in steps")
            guard !choices.isEmpty, choices.allSatisfy({ $0 >= 1 && $0 == $0.rounded() }) else {
                throw p.error("move_steps_choices", "expected whole numbers >= 1, found \(choices)")
            }
            guard p["move_steps_range"] == nil, p["natural_frequency"] == nil else {
                throw p.error("move_steps_choices", "give move_steps_choices without move_steps_range and natural_frequency (fixed kp and kd)")
            }
            moveStepsChoices = choices.map { Int($0) }
        }
        switch p["label"] {
        case nil, .string("goal")?: labelsMoveSteps = false
        case .string("move_steps")?:
            guard moveStepsChoices != nil else { throw p.error("label", "label move_steps needs move_steps_choices") }
            labelsMoveSteps = true
        case let other?: throw p.error("label", "expected \"goal\" or \"move_steps\", found \(other)")
        }
        if let pairs = p["exclude"] {
            guard let choices = moveStepsChoices, case .array(let items) = pairs else {
                throw p.error("exclude", "expected an array of [goal, choice] pairs, with move_steps_choices")
            }
            for (k, item) in items.enumerated() {
                let pair = try RecipeObject.doubles(item, path: p.fieldPath("exclude") + "[\(k)]", count: 2, countName: "goal index, choice index", file: p.file)
                guard pair.allSatisfy({ $0 >= 0 && $0 == $0.rounded() }), Int(pair[1]) < choices.count else {
                    throw p.error("exclude", "pair \(k) \(pair): expected a goal index and a move_steps_choices index")
                }
                excluded.insert(pair.map { Int($0) })
            }
        }
        controlNoise = try p.double("control_noise", default: 0, in: 0...1e6)
        if let g = p["gravity_compensation"] {
            guard case .bool(let flag) = g else { throw p.error("gravity_compensation", "expected true or false, found \(g.kindName)") }
            gravityCompensation = flag
        } else {
            gravityCompensation = true
        }
        if let f = p["feedforward"] {
            guard case .bool(let flag) = f else { throw p.error("feedforward", "expected true or false, found \(f.kindName)") }
            feedforward = flag
        } else {
            feedforward = false
        }
        dt = model.options.timestep

        // goals → joint configurations
        guard let spec = try p.object("goals") else { throw p.error("goals", "missing (site goals or joint goals)") }
        try spec.rejectUnknownKeys(["site", "circle", "points", "joints"])
        if spec["joints"] != nil {
            guard case .array(let items) = spec["joints"]! , !items.isEmpty else {
                throw spec.error("joints", "expected a non-empty array of joint configurations")
            }
            goalQpos = try items.enumerated().map { k, item in
                try RecipeObject.doubles(item, path: spec.fieldPath("joints") + "[\(k)]", count: nq,
                                         countName: "nq of \(model.source)", file: p.file)
            }
            goals = ("joints", goalQpos)
            return
        }
        let siteName = try spec.string("site")
        guard let site = model.index(of: .site, named: siteName) else {
            let known = model.names(.site).filter { !$0.isEmpty }
            throw spec.error("site", "\(model.source) has no site '\(siteName)' (sites: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
        }
        var ik = InverseKinematics(model: model, site: site)
        var seed = model.joints.qpos0
        var tolerance = 1e-3
        if let options = try p.object("ik") {
            try options.rejectUnknownKeys(["seed", "iterations", "damping", "tolerance"])
            if options["seed"] != nil { seed = try options.doubles("seed", count: nq, countName: "nq of \(model.source)") }
            ik.iterations = try options.int("iterations", default: ik.iterations, minimum: 1)
            ik.damping = try options.double("damping", default: ik.damping, in: 0...1e6)
            tolerance = try options.double("tolerance", default: tolerance, in: 0...1e6)
        }
        var targets: [[Double]]
        if let circle = try spec.object("circle") {
            try circle.rejectUnknownKeys(["radius", "count", "center", "phase"])
            let radius = try circle.double("radius", in: 0...1e6)
            // bounded: every goal is solved for by inverse kinematics and kept in memory (the fuzzer's
            // 2³² goals asked for 34 GB)
            let count = try circle.int("count", minimum: 1, maximum: 10_000)
            let phase = try circle.double("phase", default: 0)
            var centre: [Double]
            if circle["center"] != nil {
                centre = try circle.doubles("center", count: 3, countName: "x, y, z")
            } else {
                let z = try model.kinematics(qpos: seed, batch: 1).sites[site * 3 + 2]
                centre = [0, 0, z]
            }
            targets = (0..<count).map { k in
                let angle = phase + 2 * Double.pi * Double(k) / Double(count)
                return [centre[0] + radius * cos(angle), centre[1] + radius * sin(angle), centre[2]]
            }
        } else if let points = spec["points"] {
            guard case .array(let items) = points, !items.isEmpty else {
                throw spec.error("points", "expected a non-empty array of [x, y, z] points")
            }
            targets = try items.enumerated().map { k, item in
                try RecipeObject.doubles(item, path: spec.fieldPath("points") + "[\(k)]", count: 3, countName: "x, y, z", file: p.file)
            }
        } else {
            throw spec.error("site", "site goals need \"circle\" or \"points\"")
        }
        let solution = try ik.solve(targets: targets, seed: seed)
        for (k, residual) in solution.residual.enumerated() where !(residual <= tolerance) {
            throw spec.error("site", String(format: "goal %d %@ is not reachable: inverse kinematics ends %.4g m away (tolerance %.4g m); move the goal or change ik.seed",
                                            k, "\(targets[k])", residual, tolerance))
        }
        goalQpos = (0..<targets.count).map { Array(solution.qpos[($0 * nq)..<(($0 + 1) * nq)]) }
        goals = ("site:" + siteName, targets)
    }
}
