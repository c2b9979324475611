// DetectionMetrics: how well an anomaly score separates unusual trajectories (positives) from
// normal ones (negatives) — AUROC and the false-positive rate at a fixed true-positive rate.

import Foundation
import Trajectories

/// Threshold-free and fixed-recall quality of an anomaly score; higher scores mean "more unusual".
public struct DetectionMetrics: Equatable, Sendable {
    /// Area under the ROC curve: P(positive scores above negative) + ½ P(tie), in [0, 1]; 0.5 is chance.
    public var auroc: Double
    /// Share of negatives flagged when the threshold flags at least `truePositiveRate` of the positives.
    public var falsePositiveRate: Double
    /// The recall the false-positive rate is read at (0.95 by default).
    public var truePositiveRate: Double
    /// Standard error of `auroc` (Hanley & McNeil 1982, eq. 2), for telling a real difference
    /// between two detectors from sampling noise.
    public var aurocStandardError: Double

    /// Both metrics for `negatives` (normal) and `positives` (shifted) scores.
    /// - Throws: `ScoringError` when a side is empty or a score is NaN (±∞ are ordered as usual).
    public init(negatives: [Double], positives: [Double], truePositiveRate: Double = 0.95) throws {
        guard !negatives.isEmpty, !positives.isEmpty else {
            throw ScoringError.invalidArgument("detection metrics need both normal and shifted scores (got \(negatives.count) and \(positives.count))")
        }
        guard !negatives.contains(where: \.isNaN), !positives.contains(where: \.isNaN) else {
            throw ScoringError.invalidArgument("a score is NaN; AUROC is undefined")
        }
        guard truePositiveRate > 0, truePositiveRate <= 1 else { throw ScoringError.invalidArgument("true-positive rate \(truePositiveRate) must be in (0, 1]") }
        auroc = Self.auroc(negatives: negatives, positives: positives)
        falsePositiveRate = Self.falsePositiveRate(negatives: negatives, positives: positives, truePositiveRate: truePositiveRate)
        self.truePositiveRate = truePositiveRate
        aurocStandardError = Self.aurocStandardError(auroc, positives: positives.count, negatives: negatives.count)
    }

    /// SE² = [A(1 − A) + (n₊ − 1)(Q₁ − A²) + (n₋ − 1)(Q₂ − A²)] / (n₊ n₋), Q₁ = A / (2 − A),
    /// Q₂ = 2A² / (1 + A) (Hanley & McNeil 1982, eq. 2).
    static func aurocStandardError(_ a: Double, positives: Int, negatives: Int) -> Double {
        let (p, n) = (Double(positives), Double(negatives))
        let q1 = a / (2 - a), q2 = 2 * a * a / (1 + a)
        return (max(0, a * (1 - a) + (p - 1) * (q1 - a * a) + (n - 1) * (q2 - a * a)) / (p * n)).squareRoot()
    }

    /// Whether detector `self` separates better than `other` by more than `z` standard errors of
    /// the difference (the two treated as independent, which overstates the error of two scores of
    /// the same episodes, so the test is conservative).
    public func isClearlyBetter(than other: DetectionMetrics, z: Double = 2) -> Bool {
        auroc - other.auroc > z * (aurocStandardError * aurocStandardError + other.aurocStandardError * other.aurocStandardError).squareRoot()
    }

    /// The Mann–Whitney statistic U / (n₊ n₋) with mid-ranks for ties: O(n log n).
    static func auroc(negatives: [Double], positives: [Double]) -> Double {
        let all = (negatives.map { ($0, false) } + positives.map { ($0, true) }).sorted { $0.0 < $1.0 }
        // sum of the positives' ranks (1-based), tied groups sharing their mean rank
        var rankSum = 0.0
        var i = 0
        while i < all.count {
            var j = i
            while j + 1 < all.count && all[j + 1].0 == all[i].0 { j += 1 }
            let meanRank = Double(i + j) / 2 + 1
            for k in i...j where all[k].1 { rankSum += meanRank }
            i = j + 1
        }
        let (p, n) = (Double(positives.count), Double(negatives.count))
        return (rankSum - p * (p + 1) / 2) / (p * n)
    }

    /// Threshold τ = the ⌈r·n₊⌉-th largest positive score; flagged means score ≥ τ, so ties at τ
    /// count on both sides (the conservative reading).
    static func falsePositiveRate(negatives: [Double], positives: [Double], truePositiveRate r: Double) -> Double {
        let sorted = positives.sorted(by: >)
        // 0.95 · 20 is 19.000000000000004 in binary: the tolerance keeps ⌈·⌉ at 19
        let needed = min(max(1, Int((r * Double(sorted.count) - 1e-9).rounded(.up))), sorted.count)
        let threshold = sorted[needed - 1]
        return Double(negatives.filter { $0 >= threshold }.count) / Double(negatives.count)
    }
}

/// A bad argument or input to a scoring computation.
///
/// A dataset or meta.json that cannot be read or does not fit the model is `.file`, naming the path
/// and its kind; anything else is `.invalidArgument`, in words that name the parameter.
public enum ScoringError: FileCaseError, CustomStringConvertible, Equatable, Sendable {
    /// A dataset file or its meta.json that cannot be read, or does not fit the model or recipe.
    case file(FileError)
    /// A bad argument or input, in words.
    case invalidArgument(String)

    public var content: FileErrorOrWords {
        switch self {
        case .file(let error): return .file(error)
        case .invalidArgument(let message): return .words(message)
        }
    }
}
