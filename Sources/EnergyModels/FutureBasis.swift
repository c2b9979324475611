// FutureBasis: a window's H future states ↔ the D coefficients a denoising energy model samples,
// y = Pᵀ(u − μ) / unit with u the future (as a delta from the last context state when the encoding
// says so) divided per state coordinate by its spread. Computed from the training windows, stored
// in the checkpoint.

import Foundation
import NeuralCore
import Trajectories

/// A linear basis for whole future windows: principal components of the training futures, or the
/// identity (every future number is a coefficient).
///
/// Any coefficient vector decodes to a linear combination of training futures (plus their mean),
/// so linear relations every real window satisfies — q_{t+1} ≈ q_t + dt·(q̇_t + q̇_{t+1})/2 —
/// survive sampling, once the futures are measured so that the relation has no term in the
/// context (see `timestep`). Coefficients are not whitened: the first has unit variance on the training
/// windows and the others their own smaller ones (`variances`), so a noise level σ blurs every
/// direction by the same amount, as in the window itself.
public struct FutureBasis: Codable, Equatable, Sendable {
    public typealias Kind = FutureBasisKind

    public var kind: Kind
    /// States per window position S and future states H.
    public var stateSize: Int, horizon: Int
    /// Futures as s_{t+h} − s_t.
    public var futureAsDelta: Bool
    /// Spread of each state coordinate over the training futures (S), raw units.
    public var coordinateScale: [Float]
    /// Mean of the scaled futures u (H·S).
    public var mean: [Float]
    /// Basis vectors, rows (D, H·S), orthonormal; empty for `identity`.
    public var components: [Float]
    /// Variance of each coefficient on the training windows (D); the first is 1 for `pca`.
    public var variances: [Float]
    /// Scaled-future units per coefficient unit.
    public var unit: Float
    /// dt when the training states are (q, v) pairs with q_{t+1} − q_t = dt (v_t + v_{t+1})/2
    /// (`TrajectoryDataset.positionVelocityTimestep`), else 0. With it (and `futureAsDelta`) a future is
    /// measured as δq_h = q_{t+h} − q_t − dt v_t / 2 and δv_h = v_{t+h}: the relation then reads
    /// δq_{h+1} − δq_h = dt (δv_h + δv_{h+1})/2 for every h ≥ 0 (h = 0 being the context's last state), with no term in the context — so every combination of
    /// training futures obeys it after any context, and so does every sample.
    public var timestep: Float = 0
    /// `pca`: the variance per scaled-future number of the training futures off the basis, (total
    /// variance − kept variance) / (H·S − D), as probabilistic PCA's σ² (Tipping & Bishop 1999); a
    /// future's residual r off the basis then costs ‖r‖² / (2σ²) (`residuals`). Nil for `identity`
    /// and for bases fitted before it was kept.
    public var residualVariance: Float?
    /// With `futureAsDelta`: future state h is measured from w_h times the origin, w_h = max(0, 1 − h/N) for
    /// N = `originFade` (nil: w = 1 throughout). The first states then carry the context's exact pose, as
    /// deltas do, and from state N on the future is absolute, as the end poses of motions to fixed goals
    /// are — so a model whose training contexts are blurred (`contextNoise`) still starts every future at
    /// its own context, and its basis spans absolute end poses. Every combination of training futures
    /// keeps the kinematic relation up to (w_h − w_{h+1}) times the difference of origins.
    public var originFade: Int?

    /// Coefficients D.
    public var dimension: Int { variances.count }
    /// Future numbers H·S.
    public var futureWidth: Int { horizon * stateSize }

    /// Fits the basis to (at most `maxWindows`, evenly spaced) windows of `windows`.
    /// - Throws: `TrainingError` naming `denoising.basisSize` when it exceeds H·S, or for non-finite data.
    public static func fit(_ windows: TrajectoryWindows, kind: Kind, size: Int, futureAsDelta: Bool,
                           maxWindows: Int = 20_000, originFade: Int? = nil) throws -> FutureBasis {
        try fit(stateSize: windows.dataset.stateSize, context: windows.context, horizon: windows.future, windowCount: windows.count,
                perEpisode: windows.perEpisode, kind: kind, size: size, futureAsDelta: futureAsDelta, maxWindows: maxWindows, originFade: originFade,
                gather: { indices, context, future in windows.gather(indices, context: &context, future: &future) },
                timestep: { windows.dataset.positionVelocityTimestep() })
    }

    /// `fit` on the windows of a split read chunk by chunk (the same windows, the same numbers).
    public static func fit(_ windows: SplitWindows, kind: Kind, size: Int, futureAsDelta: Bool,
                           maxWindows: Int = 20_000, originFade: Int? = nil) throws -> FutureBasis {
        try fit(stateSize: windows.split.stateSize, context: windows.context, horizon: windows.future, windowCount: windows.count,
                perEpisode: windows.perEpisode, kind: kind, size: size, futureAsDelta: futureAsDelta, maxWindows: maxWindows, originFade: originFade,
                gather: { indices, context, future in try windows.gather(indices, context: &context, future: &future) },
                timestep: { windows.padEnd ? windows.restTimestep : try windows.split.positionVelocityTimestep() })
    }

    /// `fit` on `windowCount` windows whose raw contexts and futures `gather` reads; `timestep`: the
    /// states' (q, v) timestep.
    private static func fit(stateSize S: Int, context k: Int, horizon H: Int, windowCount: Int, perEpisode: Int, kind: Kind, size: Int, futureAsDelta: Bool,
                            maxWindows: Int, originFade: Int?, gather: ([Int], inout [Float], inout [Float]) throws -> Void,
                            timestep: () throws -> Double?) throws -> FutureBasis {
        let F = H * S
        guard kind == .identity || (1...F).contains(size) else {
            throw TrainingError.invalidConfiguration("denoising.basisSize \(size) must lie in 1...\(F) (H·S of the \(H)-state future window)")
        }
        let count = min(maxWindows, windowCount)
        guard count > 0 else { throw TrainingError.invalidData("no windows to fit a future basis to") }
        let indices = basisWindowIndices(windowCount: windowCount, count: count, perEpisode: perEpisode)
        var context: [Float] = [], future: [Float] = []
        try gather(indices, &context, &future)
        let dt = futureAsDelta ? try timestep() ?? 0 : 0
        var u = [Double](repeating: 0, count: count * F)
        for b in 0..<count {
            for j in 0..<F { u[b * F + j] = Double(future[b * F + j]) - Self.origin(context, b: b, k: k, S: S, j: j, delta: futureAsDelta, dt: dt, fade: originFade) }
        }
        // per-coordinate spread (about the coordinate's mean over all future positions)
        var scale = [Double](repeating: 0, count: S)
        for d in 0..<S {
            var sum = 0.0, squares = 0.0
            for b in 0..<count { for t in 0..<H { sum += u[b * F + t * S + d] } }
            let m = sum / Double(count * H)
            for b in 0..<count { for t in 0..<H { let r = u[b * F + t * S + d] - m; squares += r * r } }
            scale[d] = max((squares / Double(count * H)).squareRoot(), 1e-6)
        }
        for i in 0..<u.count { u[i] /= scale[i % S] }
        guard u.allSatisfy(\.isFinite) else { throw TrainingError.invalidData("non-finite futures: cannot fit a basis") }
        var basis = FutureBasis(kind: kind, stateSize: S, horizon: H, futureAsDelta: futureAsDelta,
                                coordinateScale: scale.map(Float.init), mean: [], components: [], variances: [], unit: 1,
                                timestep: Float(dt), originFade: futureAsDelta ? originFade : nil)
        switch kind {
        case .pca:
            guard let pca = PrincipalComponents(rows: u, width: F, count: size) else { throw TrainingError.invalidData("the future basis could not be computed") }
            let unit = max(pca.variances[0].squareRoot(), 1e-12)
            basis.mean = pca.mean.map(Float.init)
            basis.components = pca.components.map(Float.init)
            basis.variances = pca.variances.map { Float($0 / (unit * unit)) }
            basis.unit = Float(unit)
            if F > size {
                var total = 0.0
                for b in 0..<count { for j in 0..<F { let r = u[b * F + j] - pca.mean[j]; total += r * r / Double(count) } }
                basis.residualVariance = Float(max(total - pca.variances.reduce(0, +), 1e-12 * total) / Double(F - size))
            }
        case .identity:
            var mean = [Double](repeating: 0, count: F), variance = [Double](repeating: 0, count: F)
            for b in 0..<count { for j in 0..<F { mean[j] += u[b * F + j] / Double(count) } }
            for b in 0..<count { for j in 0..<F { let r = u[b * F + j] - mean[j]; variance[j] += r * r / Double(count) } }
            let unit = max(variance.max()!.squareRoot(), 1e-12)
            basis.mean = mean.map(Float.init)
            basis.variances = variance.map { Float(max($0, 1e-12) / (unit * unit)) }
            basis.unit = Float(unit)
        }
        return basis
    }

    /// The `count` windows (of `windowCount`, `perEpisode` per episode) a basis is fitted to: evenly spaced —
    /// unless the spacing is (nearly) a multiple of the episode's window count, when evenly spaced windows start
    /// at fewer than 4 different steps of their episodes (at 10× and 100× reacher2-goals4 every one started at
    /// step 0, so the basis never saw motion and training diverged to a loss of 13.7): then window i also
    /// steps i mod perEpisode into its episode.
    static func basisWindowIndices(windowCount: Int, count: Int, perEpisode: Int) -> [Int] {
        let even = (0..<count).map { $0 * windowCount / count }
        guard perEpisode > 1, Set(even.map { $0 % perEpisode }).count < min(4, perEpisode, count) else { return even }
        return even.enumerated().map { i, start in min(start + i % perEpisode, windowCount - 1) }
    }

    /// What future number j of window b is measured from: nothing (absolute futures); the last
    /// context state (deltas); or, for (q, v) states with `dt` > 0, q_t + dt v_t / 2 for positions and
    /// nothing for velocities (see `timestep`); times w_h of `originFade` when it is set.
    @inline(__always)
    static func origin<T: BinaryFloatingPoint>(_ context: [T], b: Int, k: Int, S: Int, j: Int, delta: Bool, dt: Double, fade: Int?) -> Double {
        guard delta else { return 0 }
        let d = j % S, last = (b * k + k - 1) * S
        let w = fade.map { max(0, 1 - Double(j / S) / Double($0)) } ?? 1
        guard w > 0 else { return 0 }
        guard dt > 0 else { return w * Double(context[last + d]) }
        return d < S / 2 ? w * (Double(context[last + d]) + dt / 2 * Double(context[last + d + S / 2])) : 0
    }

    /// Coefficients (B, D) of raw futures (B, H, S) after raw context states (B, k, S).
    public func encode(context: [Float], contextLength k: Int, future: [Float]) -> [Float] {
        let (S, F, D) = (stateSize, futureWidth, dimension)
        let batch = future.count / F
        precondition(future.count == batch * F && context.count == batch * k * S, "FutureBasis.encode: sizes")
        var out = [Float](repeating: 0, count: batch * D)
        var u = [Float](repeating: 0, count: F)
        for b in 0..<batch {
            centred(context: context, contextLength: k, future: future, window: b, into: &u)
            switch kind {
            case .pca:
                // the projections Pᵢ·u: the training step's data path, eight lanes at a time
                components.withUnsafeBufferPointer { P in
                    u.withUnsafeBufferPointer { u in
                        for i in 0..<D { out[b * D + i] = Self.dot(P.baseAddress! + i * F, u.baseAddress!, count: F) / unit }
                    }
                }
            case .identity:
                for j in 0..<F { out[b * D + j] = u[j] / unit }
            }
        }
        return out
    }

    /// Σⱼ a[j] b[j] over `count` elements: eight partial sums (j mod 8, the tail in the first lanes), then
    /// their total in lane order — deterministic, not the left-to-right order of a scalar loop.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var sums = SIMD8<Float>(repeating: 0)
        var j = 0
        while j + 8 <= count {
            sums += UnsafeRawPointer(a + j).loadUnaligned(as: SIMD8<Float>.self) * UnsafeRawPointer(b + j).loadUnaligned(as: SIMD8<Float>.self)
            j += 8
        }
        for lane in 0..<(count - j) { sums[lane] += a[j + lane] * b[j + lane] }
        return sums.sum()
    }

    /// The scaled, centred future u − mean of window `b` (H·S numbers), what `encode` projects.
    private func centred(context: [Float], contextLength k: Int, future: [Float], window b: Int, into u: inout [Float]) {
        let (S, F) = (stateSize, futureWidth)
        for j in 0..<F {
            let origin = Float(Self.origin(context, b: b, k: k, S: S, j: j, delta: futureAsDelta, dt: Double(timestep), fade: originFade))
            u[j] = (future[b * F + j] - origin) / coordinateScale[j % S] - mean[j]
        }
    }

    /// ‖r‖² (B) of each raw future's residual off the basis, in scaled-future units (the units of
    /// `residualVariance`): u − mean − Σᵢ cᵢ vᵢ for the scaled future u, with c the future's
    /// coefficients (`encode`'s, passed when the caller has them). Zeros for `identity`.
    public func residuals(context: [Float], contextLength k: Int, future: [Float], coefficients: [Float]? = nil) -> [Float] {
        let F = futureWidth
        let r = residualVectors(context: context, contextLength: k, future: future, coefficients: coefficients)
        return (0..<(future.count / F)).map { b in
            var sum = 0.0
            for j in 0..<F { sum += r[b * F + j] * r[b * F + j] }
            return Float(sum)
        }
    }

    /// The residuals r themselves (B, H·S) of `residuals`; zeros for `identity`.
    public func residualVectors(context: [Float], contextLength k: Int, future: [Float], coefficients: [Float]? = nil) -> [Double] {
        let (F, D) = (futureWidth, dimension)
        let batch = future.count / F
        var out = [Double](repeating: 0, count: batch * F)
        guard kind == .pca else { return out }
        let c = coefficients ?? encode(context: context, contextLength: k, future: future)
        var u = [Float](repeating: 0, count: F)
        for b in 0..<batch {
            centred(context: context, contextLength: k, future: future, window: b, into: &u)
            for j in 0..<F {
                var r = Double(u[j])
                for i in 0..<D { r -= Double(components[i * F + j]) * Double(c[b * D + i]) * Double(unit) }
                out[b * F + j] = r
            }
        }
        return out
    }

    /// ∂L/∂future (B, H·S) from ∂L/∂y (B, D) and, optionally, ∂L/∂u (B, H·S) of the scaled future u:
    /// the transpose of the Jacobians of `encode` (y = Pᵀu/unit) and of u = (future − origin)/scale.
    public func encodePullback(coefficientGradient gy: [Double], scaledFutureGradient gu: [Double]? = nil) -> [Double] {
        let (S, F, D) = (stateSize, futureWidth, dimension)
        let batch = gy.count / D
        var out = gu ?? [Double](repeating: 0, count: batch * F)
        for b in 0..<batch {
            for j in 0..<F {
                var g = out[b * F + j]
                switch kind {
                case .pca: for i in 0..<D { g += Double(components[i * F + j]) * gy[b * D + i] / Double(unit) }
                case .identity: g += gy[b * D + j] / Double(unit)
                }
                out[b * F + j] = g / Double(coordinateScale[j % S])
            }
        }
        return out
    }

    /// ∂L/∂y (B, D) from ∂L/∂future (B, H·S): the transpose of `decode`'s Jacobian.
    public func decodePullback(_ gx: [Double]) -> [Double] {
        let (S, F, D) = (stateSize, futureWidth, dimension)
        let batch = gx.count / F
        var out = [Double](repeating: 0, count: batch * D)
        for b in 0..<batch {
            for j in 0..<F {
                let g = gx[b * F + j] * Double(coordinateScale[j % S]) * Double(unit)
                switch kind {
                case .pca: for i in 0..<D { out[b * D + i] += Double(components[i * F + j]) * g }
                case .identity: out[b * D + j] += g
                }
            }
        }
        return out
    }

    /// Raw futures (B, H, S) from coefficients (B, D) after raw context states (B, k, S).
    public func decode(_ coefficients: [Float], context: [Float], contextLength k: Int) -> [Float] {
        let (S, F, D) = (stateSize, futureWidth, dimension)
        let batch = coefficients.count / D
        precondition(coefficients.count == batch * D && context.count == batch * k * S, "FutureBasis.decode: sizes")
        var out = [Float](repeating: 0, count: batch * F)
        for b in 0..<batch {
            for j in 0..<F {
                // in Double: futures are sums of D terms of values near 1, and kinematic relations hold to 1e-6
                var u = Double(mean[j])
                switch kind {
                case .pca: for i in 0..<D { u += Double(components[i * F + j]) * Double(coefficients[b * D + i]) * Double(unit) }
                case .identity: u += Double(coefficients[b * D + j]) * Double(unit)
                }
                out[b * F + j] = Float(u * Double(coordinateScale[j % S]) + Self.origin(context, b: b, k: k, S: S, j: j, delta: futureAsDelta, dt: Double(timestep), fade: originFade))
            }
        }
        return out
    }
}
