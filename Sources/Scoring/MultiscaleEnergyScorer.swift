// MultiscaleEnergyScorer: a denoising model judges a window at several noise levels at once — the
// largest standardised energy over the levels, z_l = (E(y, σ_l | c) − μ_l) / s_l, max over l.

import EnergyModels
import Foundation
import Trajectories

/// The most unusual of a denoising model's views of a window: E(y, σ_l | c) of its basis
/// coefficients y at each noise level σ_l, standardised by the level's mean μ_l and standard
/// deviation s_l over training windows, and the largest of them.
///
/// Why several levels: at σmin the energy reads the finest detail of the window, where a model
/// trained on noisy motions is least sure; at larger σ it reads the window's coarse shape (where it
/// goes, how fast) — an average of two motions to different goals is a clean motion to a pose no
/// episode ends at, typical in its detail and unusual only in that shape. Each level alone is best
/// on some dataset (benchmarks/README.md, "which noise level judges averages"); standardising puts
/// the levels on one scale, so no level has to be picked per dataset. Levels run geometrically from
/// σmin to 0.3 (`defaultLevels`): above it the noise is a third of the leading coefficient's unit
/// spread, and the energies no longer separate anything (AUROC ≤ 0.45 at σ = 1 on every dataset).
/// The part of the window off the basis is not read (the whole-window energy scores it).
public struct MultiscaleEnergyScorer: EncodedWindowScorer {
    public let model: DenoisingEnergyModel
    /// Noise levels σ_l, ascending.
    public let levels: [Float]
    /// Mean μ_l and standard deviation s_l (> 0) of each level's energy over the calibration windows.
    public let mean: [Double], deviation: [Double]
    public var name: String { "EBM energy, most unusual noise level" }
    public var encoding: WindowEncoding { model.encoding }
    public var contextLength: Int { model.encoding.contextLength }
    public var horizon: Int { model.encoding.horizon }
    public var stateSize: Int { model.encoding.stateSize }

    /// `count` levels spaced geometrically from the model's σmin to `highest` (or its σmax when lower).
    public static func defaultLevels(_ model: DenoisingEnergyModel, count: Int = 5, highest: Float = 0.3) -> [Float] {
        let low = Double(model.denoising.sigmaMin), high = Double(min(highest, model.denoising.sigmaMax))
        guard count > 1, high > low else { return [Float(low)] }
        return (0..<count).map { Float(low * pow(high / low, Double($0) / Double(count - 1))) }
    }

    /// Calibrates each level on at most `maxWindows` evenly spaced windows of `windows` (training data).
    /// - Throws: `ScoringError` when the window geometry differs from the model's, fewer than 2 windows
    ///   remain, or a level's energy does not vary over them.
    public init(model: DenoisingEnergyModel, calibration windows: TrajectoryWindows, levels: [Float]? = nil, maxWindows: Int = 1_000) throws {
        let levels = levels ?? Self.defaultLevels(model)
        let enc = model.encoding
        guard windows.context == enc.contextLength, windows.future == enc.horizon, windows.dataset.stateSize == enc.stateSize else {
            throw ScoringError.invalidArgument("multiscale energy: windows of \(windows.context)+\(windows.future) states of \(windows.dataset.stateSize), the model reads \(enc.contextLength)+\(enc.horizon) of \(enc.stateSize)")
        }
        guard !levels.isEmpty, levels.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw ScoringError.invalidArgument("multiscale energy: noise levels must be positive and finite") }
        let stride = max(1, (windows.count + maxWindows - 1) / max(1, maxWindows))
        let indices = Array(Swift.stride(from: 0, to: windows.count, by: stride))
        guard indices.count >= 2 else { throw ScoringError.invalidArgument("multiscale energy: \(indices.count) calibration windows; need at least 2") }
        var sum = [Double](repeating: 0, count: levels.count), square = sum
        var context: [Float] = [], future: [Float] = []
        let chunk = 256
        for start in Swift.stride(from: 0, to: indices.count, by: chunk) {
            let part = Array(indices[start..<min(start + chunk, indices.count)])
            enc.gather(windows, part, context: &context, future: &future)
            for (l, e) in Self.levelEnergies(model, levels, context: context, future: future).enumerated() {
                for x in e { sum[l] += x; square[l] += x * x }
            }
        }
        let n = Double(indices.count)
        let mean = sum.map { $0 / n }
        let deviation = zip(square, mean).map { (max(0, $0 / n - $1 * $1) * n / (n - 1)).squareRoot() }
        if let l = deviation.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
            throw ScoringError.invalidArgument("multiscale energy: the energy at σ = \(levels[l]) does not vary over \(indices.count) training windows")
        }
        try self.init(model: model, levels: levels, mean: mean, deviation: deviation)
    }

    /// A scorer from stored calibration (one mean and positive deviation per level).
    public init(model: DenoisingEnergyModel, levels: [Float], mean: [Double], deviation: [Double]) throws {
        guard !levels.isEmpty, levels.count == mean.count, levels.count == deviation.count,
              deviation.allSatisfy({ $0 > 0 && $0.isFinite }), mean.allSatisfy(\.isFinite) else {
            throw ScoringError.invalidArgument("multiscale energy: \(levels.count) levels need as many finite means and positive deviations (\(mean.count), \(deviation.count))")
        }
        (self.model, self.levels, self.mean, self.deviation) = (model, levels, mean, deviation)
    }

    /// E(y, σ_l | c) of raw windows at every level: [level][window].
    static func levelEnergies(_ model: DenoisingEnergyModel, _ levels: [Float], context: [Float], future: [Float]) -> [[Double]] {
        let (c, y) = model.normalizedContextsAndCoefficients(context: context, future: future)
        let batch = context.count / model.encoding.contextWidth
        return levels.map { sigma in
            model.energies(normalizedContexts: c, coefficients: y, sigma: [Float](repeating: sigma, count: batch)).map(Double.init)
        }
    }

    /// The standardised energy of each window at each level: [level][window].
    public func standardizedEnergies(context: [Float], future: [Float]) -> [[Double]] {
        Self.levelEnergies(model, levels, context: context, future: future).enumerated().map { l, e in
            e.map { ($0 - mean[l]) / deviation[l] }
        }
    }

    public func scores(context: [Float], future: [Float]) -> [Double] {
        let z = standardizedEnergies(context: context, future: future)
        return (0..<(z.first?.count ?? 0)).map { b in z.map { $0[b] }.max() ?? 0 }
    }
}
