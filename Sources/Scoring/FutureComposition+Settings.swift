// FutureComposition+Settings: the numbers of a composition run — weights, annealing, labels,
// chains, steps, horizon, temperature — checked together before any model is read.

import Foundation

/// Composition settings that do not go together; the descriptions name `ebm compose`'s flags.
public enum CompositionSettingsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No expert.
    case noModels
    /// `given` entries of the per-model list `flag` for `models` models.
    case perModelCount(flag: String, given: Int, models: Int)
    /// A weight of `flag` is not finite.
    case notFinite(flag: String)
    /// Anneal stages outside 1...steps.
    case annealStages(steps: Int)
    /// Chains or steps below 1.
    case tooFew
    /// A horizon below 1.
    case horizon
    /// Chains, steps or horizon above their bounds.
    case tooMany
    /// A temperature that is not a positive number.
    case temperature

    public var description: String {
        switch self {
        case .noModels: return "give at least one --model"
        case .perModelCount(let flag, let given, let models):
            return flag == "--label" ? "--label: \(given) labels for \(models) models (give one per --model, -1 for none, or none at all)"
                : "\(flag): \(given) weights for \(models) models (give one per --model, or none)"
        case .notFinite(let flag): return "\(flag) must be finite"
        case .annealStages(let steps): return "--anneal-stages must be between 1 and --steps (\(steps))"
        case .tooFew: return "--samples and --steps must be at least 1"
        case .horizon: return "--horizon must be at least 1"
        case .tooMany: return "--samples must be at most 100000, --steps at most 1000000 and --horizon at most 100000"
        case .temperature: return "--temperature must be positive"
        }
    }
}

extension FutureComposition {
    /// What a composition run asks for besides its models: per-model weights, initial weights and
    /// labels (empty: 1 each, no annealing, no label), annealing stages, chains K, sampler steps per
    /// block, future states (nil: H) and temperature (nil: the sampler's default).
    public struct Settings: Codable, Equatable, Sendable {
        public var models: Int
        public var weights: [Double] = [], initialWeights: [Double] = [], labels: [Int] = []
        public var annealStages = 4, steps = 200, samples = 32
        public var horizon: Int?, temperature: Double?

        public init(models: Int) { self.models = models }

        /// The weights, 1 for each model when none were given.
        public var resolvedWeights: [Double] { weights.isEmpty ? [Double](repeating: 1, count: models) : weights }
        /// The label asked of each model (nil: none; a negative label means none).
        public var resolvedLabels: [Int?] { labels.isEmpty ? [Int?](repeating: nil, count: models) : labels.map { $0 < 0 ? nil : $0 } }

        /// Throws the first problem (`CompositionSettingsError`), in `ebm compose`'s order.
        public func validate() throws {
            guard models > 0 else { throw CompositionSettingsError.noModels }
            for (flag, list) in [("--weight", weights), ("--initial-weight", initialWeights)] {
                guard list.isEmpty || list.count == models else { throw CompositionSettingsError.perModelCount(flag: flag, given: list.count, models: models) }
                guard list.allSatisfy(\.isFinite) else { throw CompositionSettingsError.notFinite(flag: flag) }
            }
            guard annealStages >= 1, annealStages <= steps else { throw CompositionSettingsError.annealStages(steps: steps) }
            guard labels.isEmpty || labels.count == models else { throw CompositionSettingsError.perModelCount(flag: "--label", given: labels.count, models: models) }
            guard samples >= 1, steps >= 1 else { throw CompositionSettingsError.tooFew }
            if let horizon, horizon < 1 { throw CompositionSettingsError.horizon }
            guard samples <= 100_000, steps <= 1_000_000, (horizon ?? 1) <= 100_000 else { throw CompositionSettingsError.tooMany }
            if let temperature, !(temperature > 0 && temperature.isFinite) { throw CompositionSettingsError.temperature }
        }
    }
}
