// ForecastEvaluation+Metrics: the metrics.json of `ebm evaluate` — the forecast section's keys,
// JSON without non-finite numbers, and the printed tables' text.

import Foundation
import Trajectories

extension ForecastReport {
    /// The forecast section of metrics.json: what was evaluated (`model` on split `split` of
    /// `data`, `contextStates` k), the sampler, the EBM's and the baseline's (`baselineModel`)
    /// scores, the error-vs-horizon curves, and the goals when the data has them.
    public func metrics(model: String, data: String, split: Split, seed: UInt64, contextStates k: Int, baselineModel: String?,
                        goals: GoalSet?, radius: Double) -> [String: Any] {
        var m: [String: Any] = [
            "model": model, "data": data, "split": split.rawValue, "episodes": contexts, "samples": samplesPerContext, "sampler": sampler.rawValue,
            "steps": steps, "seed": Int(seed), "context_states": k, "future_states": futureStates, "sampling_seconds": seconds,
            "ebm": summary(ebm, samplesPerContext: samplesPerContext), "error_vs_horizon": curves,
        ]
        if let baselineModel, let f = baseline { (m["baseline_model"], m["baseline"]) = (baselineModel, summary(f, samplesPerContext: 1)) }
        if let goals {
            m["goals"] = ["count": goals.positions.count, "positions": goals.positions, "site": goals.siteName,
                          "radius": radius, "truth_validity": truthValidity ?? 0] as [String: Any]
        }
        return m
    }
}

extension ForecastEvaluation {
    /// `value` with every non-finite number replaced by null (JSON has no NaN or infinity).
    public static func jsonSafe(_ value: Any) -> Any {
        switch value {
        case let d as Double: return d.isFinite ? d : NSNull()
        case let a as [Double]: return a.map { $0.isFinite ? $0 as Any : NSNull() }
        case let a as [Any]: return a.map(jsonSafe)
        case let o as [String: Any]: return o.mapValues(jsonSafe)
        default: return value
        }
    }

    /// Writes `metrics` as pretty-printed JSON with sorted keys, non-finite numbers as null.
    public static func write(metrics: [String: Any], to url: URL) throws {
        let json = try JSONSerialization.data(withJSONObject: jsonSafe(metrics), options: [.prettyPrinted, .sortedKeys])
        try AtomicFile.write([UInt8](json), to: url, durable: false)
    }

    /// A section's table as text lines: the first column left-aligned in `first` characters, the
    /// others right-aligned in `other` (at least one space apart).
    public static func tableLines(_ rows: [[String]], first: Int = 12, other: Int = 10) -> [String] {
        rows.map { r in
            r.enumerated().map { $0.offset == 0 ? $0.element.padding(toLength: first, withPad: " ", startingAt: 0)
                                               : String(repeating: " ", count: max(1, other - $0.element.count)) + $0.element }.joined()
        }
    }
}
