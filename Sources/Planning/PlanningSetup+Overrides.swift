// PlanningSetup+Overrides: changes to a setup's numbers from outside (the `ebm plan` options, a
// JSON file), typed, checked and applied in one place and one order.

extension PlanningSetup.Term: Codable {}

extension PlanningSetup {
    /// What the state planners' optimisers move: accelerations, integrated into consistent plans
    /// (the presets' choice), or the states themselves.
    public enum Coordinates: String, Codable, CaseIterable, Sendable {
        case accelerations, states
    }

    /// One term's weight in the objective.
    public struct TermWeight: Codable, Equatable, Sendable {
        public var term: Term
        public var value: Double

        public init(term: Term, value: Double) { (self.term, self.value) = (term, value) }

        /// `NAME=VALUE`: a term's name and a finite number ≥ 0, e.g. `goal=400`.
        public init(parsing text: String) throws {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = Double(parts[1]), value.isFinite, value >= 0 else {
                throw OverrideError.malformed(.weight, text, "expected NAME=VALUE with VALUE >= 0")
            }
            guard let term = Term(rawValue: parts[0]) else {
                throw OverrideError.malformed(.weight, text, "unknown term '\(parts[0])' (\(Term.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            self.init(term: term, value: value)
        }
    }

    /// Changes to a setup's numbers; nil keeps the setup's own. `apply(_:)` sets them in the order
    /// of the properties and names the first that does not fit.
    public struct Overrides: Codable, Equatable, Sendable {
        /// Alternatives K, planned states H (replanEvery is lowered to H when above it), simulator
        /// steps before giving up, simulator worker threads (0: every core).
        public var chains: Int?, horizon: Int?, maxSteps: Int?, threads: Int?
        /// Term weights, applied in order (a later one of the same term wins).
        public var weights: [TermWeight]?
        /// Optimiser steps per replan: Langevin and MALA steps, MPPI and CEM iterations (≥ 1).
        public var steps: Int?
        /// Langevin η₀ and MALA η, in scaled plan units.
        public var stepSize: Double?
        /// Langevin η at the last step.
        public var finalStepSize: Double?
        /// Langevin σ₀, the MPPI/CEM σ and the simulator planners' σ, in scaled units.
        public var noise: Double?
        /// MPPI/CEM samples per iteration.
        public var samples: Int?
        /// Steps executed between replans, in 1...horizon.
        public var replanEvery: Int?
        /// Per-element gradient clamp of Langevin and of MALA's drift (> 0).
        public var gradientClip: Double?
        /// Obstacle safety margin in m (≥ 0).
        public var margin: Double?
        /// Optimiser runs of the first replan (≥ 1).
        public var coldStartRounds: Int?
        /// MALA temperature T in energy units (> 0).
        public var temperature: Double?
        /// `.states` drops the acceleration coordinates.
        public var coordinates: Coordinates?
        /// Acceleration units of the optimiser (rad/s² or m/s²): one for every joint or one per joint, each > 0.
        public var accelerationScale: [Double]?

        public init() {}
    }

    /// An override out of its range. Fields are named as the options of `ebm plan`.
    public enum OverrideError: Error, Equatable, CustomStringConvertible {
        public enum Field: String, Sendable {
            case weight, steps, temperature, margin, coordinates
            case replanEvery = "replan-every", gradientClip = "gradient-clip", coldStartRounds = "cold-start-rounds"
            case accelerationScale = "acceleration-scale"
        }
        /// The field and what it must be ("must be positive").
        case outOfRange(Field, String)
        /// The field, its text and what is wrong with it.
        case malformed(Field, String, String)
        /// The field needs another field at a value.
        case needs(Field, Field, String)

        /// The message with each field's name after `prefix` ("--" gives the command line's spelling).
        public func message(prefix: String = "") -> String {
            switch self {
            case .outOfRange(let f, let requirement): return "\(prefix)\(f.rawValue) \(requirement)"
            case .malformed(let f, let text, let reason): return "\(prefix)\(f.rawValue) '\(text)': \(reason)"
            case .needs(let f, let other, let value): return "\(prefix)\(f.rawValue) needs \(prefix)\(other.rawValue) \(value)"
            }
        }

        public var description: String { message() }
    }

    /// The setup with `o` applied, in the order of `Overrides`' properties; throws `OverrideError`
    /// for the first value out of its range (`validate()` still checks the whole setup after).
    public mutating func apply(_ o: Overrides) throws {
        if let chains = o.chains { self.chains = chains }
        if let horizon = o.horizon { (self.horizon, replanEvery) = (horizon, min(replanEvery, horizon)) }
        if let maxSteps = o.maxSteps { self.maxSteps = maxSteps }
        if let threads = o.threads { self.threads = threads }
        for w in o.weights ?? [] {
            guard w.value.isFinite, w.value >= 0 else { throw OverrideError.malformed(.weight, "\(w.term.rawValue)=\(w.value)", "expected NAME=VALUE with VALUE >= 0") }
            self[weight: w.term] = w.value
        }
        if let steps = o.steps {
            guard steps >= 1 else { throw OverrideError.outOfRange(.steps, "must be at least 1") }
            optimizerSteps = steps
        }
        if let s = o.stepSize { (langevinStepSize, malaStepSize) = (s, s) }
        if let s = o.finalStepSize { langevinFinalStepSize = s }
        if let s = o.noise { (langevinNoise, populationNoise, simNoise) = (s, s, s) }
        if let n = o.samples { populationSamples = n }
        if let r = o.replanEvery {
            guard r >= 1, r <= horizon else { throw OverrideError.outOfRange(.replanEvery, "must lie in 1...\(horizon)") }
            replanEvery = r
        }
        if let c = o.gradientClip {
            guard c > 0, c.isFinite else { throw OverrideError.outOfRange(.gradientClip, "must be positive") }
            (gradientClip, malaGradientClip) = (c, c)
        }
        if let m = o.margin {
            guard m >= 0, m.isFinite else { throw OverrideError.outOfRange(.margin, "must be >= 0 m") }
            margin = m
        }
        if let r = o.coldStartRounds {
            guard r >= 1 else { throw OverrideError.outOfRange(.coldStartRounds, "must be at least 1") }
            coldStartRounds = r
        }
        if let t = o.temperature {
            guard t > 0, t.isFinite else { throw OverrideError.outOfRange(.temperature, "must be positive") }
            malaTemperature = t
        }
        if o.coordinates == .states { accelerationScale = nil }
        if let scale = o.accelerationScale {
            guard o.coordinates != .states else { throw OverrideError.needs(.accelerationScale, .coordinates, "accelerations") }
            let nv = model.nv, text = scale.map { "\($0)" }.joined(separator: ",")
            guard scale.count == 1 || scale.count == nv else { throw OverrideError.malformed(.accelerationScale, text, "expected 1 or \(nv) values") }
            guard scale.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw OverrideError.malformed(.accelerationScale, text, "every value must be positive") }
            accelerationScale = scale.count == 1 ? [Double](repeating: scale[0], count: nv) : scale
        }
    }
}
