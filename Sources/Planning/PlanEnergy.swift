// PlanEnergy: the protocol every plan term conforms to, the plan's layout, and the composed
// objective (named, weighted terms summed into one energy the optimisers read).

import Foundation
import Sampling
import Trajectories

/// How a plan is laid out: H future states after the current one, each S = nq + nv numbers
/// (qpos then qvel). A batch of plans is (count, H·S), row-major.
public struct PlanLayout: Sendable, Equatable {
    /// Planned states H after the current state.
    public let horizon: Int
    public let nq: Int, nv: Int
    /// Seconds between consecutive planned states.
    public let timestep: Double
    /// Numbers per state S.
    public var stateSize: Int { nq + nv }
    /// Numbers per plan H·S.
    public var dimension: Int { horizon * stateSize }

    public init(horizon: Int, nq: Int, nv: Int, timestep: Double) throws {
        guard horizon >= 1 else { throw PlanningError.invalidArgument("plan horizon must be at least 1, got \(horizon)") }
        guard nq >= 1, nv >= 1 else { throw PlanningError.invalidArgument("plan states need nq, nv >= 1, got \(nq), \(nv)") }
        guard timestep.isFinite, timestep > 0 else { throw PlanningError.invalidArgument("plan timestep must be positive, got \(timestep) s") }
        (self.horizon, self.nq, self.nv, self.timestep) = (horizon, nq, nv, timestep)
    }
}

/// Where a plan starts: the last k executed states, oldest first; the last is the current state.
public struct PlanStart: Sendable {
    /// States (k, S), oldest first.
    public var history: [Double]
    public let stateSize: Int
    /// States held k.
    public var count: Int { history.count / stateSize }
    /// The current state (S).
    public var current: ArraySlice<Double> { history[(count - 1) * stateSize..<count * stateSize] }

    public init(history: [Double], stateSize: Int) throws {
        guard stateSize > 0, !history.isEmpty, history.count % stateSize == 0 else {
            throw PlanningError.invalidArgument("plan start: \(history.count) numbers are not whole states of \(stateSize)")
        }
        (self.history, self.stateSize) = (history, stateSize)
    }

    /// The last `k` states (k, S), the oldest repeated when fewer are held (a robot at rest before it starts).
    public func last(_ k: Int) -> [Double] {
        let S = stateSize
        return (0..<k).flatMap { i -> ArraySlice<Double> in
            let index = Swift.max(0, count - k + i)
            return history[index * S..<(index + 1) * S]
        }
    }
}

/// One term of a plan objective: an energy over batches of plans, differentiable in the plan.
///
/// Conform to add your own term (a keep-out box, a preferred posture) and pass it to
/// `PlanObjective`; energies should be O(1) for a plan that is "off by one unit" of what the
/// term cares about, so that weights stay readable.
public protocol PlanEnergy {
    /// A short name for reports, e.g. `goal`.
    var name: String { get }
    var layout: PlanLayout { get }
    /// E for `count` plans (count, H·S) after `start`, and ∂E/∂plan (count, H·S) when
    /// `gradient` (else an empty array).
    func evaluate(_ plans: [Double], count: Int, start: PlanStart, gradient: Bool) throws -> (energies: [Double], gradients: [Double])
}

/// Σ wᵢ Eᵢ(plan): a product of experts over plans.
public struct PlanObjective {
    public var terms: [(weight: Double, term: any PlanEnergy)]
    public let layout: PlanLayout

    /// Throws when there are no terms, layouts differ or a weight is negative or not finite.
    public init(_ terms: [(weight: Double, term: any PlanEnergy)]) throws {
        guard let first = terms.first else { throw PlanningError.invalidArgument("plan objective: no terms") }
        for t in terms {
            guard t.term.layout == first.term.layout else {
                throw PlanningError.invalidArgument("plan objective: term '\(t.term.name)' has layout \(t.term.layout), '\(first.term.name)' has \(first.term.layout)")
            }
            guard t.weight.isFinite, t.weight >= 0 else { throw PlanningError.invalidArgument("plan objective: term '\(t.term.name)' has weight \(t.weight)") }
        }
        (self.terms, layout) = (terms, first.term.layout)
    }

    /// Total energies (count), gradients (count, H·S; empty without `gradient`) and each term's
    /// weighted energies (terms, count).
    public func evaluate(_ plans: [Double], count: Int, start: PlanStart, gradient: Bool) throws
        -> (energies: [Double], gradients: [Double], perTerm: [[Double]]) {
        var e = [Double](repeating: 0, count: count)
        var g = [Double](repeating: 0, count: gradient ? count * layout.dimension : 0)
        var perTerm: [[Double]] = []
        for (w, term) in terms {
            if w == 0 { perTerm.append([Double](repeating: 0, count: count)); continue }
            let (te, tg) = try term.evaluate(plans, count: count, start: start, gradient: gradient)
            perTerm.append(te.map { w * $0 })
            for i in 0..<count { e[i] += w * te[i] }
            if gradient { for i in 0..<g.count { g[i] += w * tg[i] } }
        }
        return (e, g, perTerm)
    }

    /// The objective after `start` as a sampler's energy over points y of `coordinates`.
    public func energy(after start: PlanStart, coordinates: PlanCoordinates) -> ScaledPlanEnergy {
        ScaledPlanEnergy(objective: self, start: start, coordinates: coordinates)
    }

    /// The objective after `start` over scaled states y = plan / scale (`scale`: S numbers, one
    /// per state coordinate), so that every coordinate moves on unit scale.
    public func energy(after start: PlanStart, scale: [Double]) -> ScaledPlanEnergy {
        energy(after: start, coordinates: .states(scale: scale))
    }
}

/// A `PlanObjective` after a fixed start, over the points y of some `PlanCoordinates` (what the
/// samplers and population optimisers move).
public struct ScaledPlanEnergy: BatchEnergy {
    public let objective: PlanObjective
    public let start: PlanStart
    public let coordinates: PlanCoordinates
    public var dimension: Int { coordinates.dimension(objective.layout) }

    /// Plans (count, H·S) in raw units from points (count, D).
    public func plans(_ y: [Double]) -> [Double] {
        coordinates.plans(y, count: y.count / dimension, layout: objective.layout, current: start.current)
    }

    /// Points (count, D) of raw plans (count, H·S).
    public func points(_ plans: [Double]) -> [Double] {
        coordinates.points(plans, count: plans.count / objective.layout.dimension, layout: objective.layout, current: start.current)
    }

    public func energiesAndGradients(_ y: [Double], count: Int) -> (energies: [Double], gradients: [Double]) {
        guard let (e, g, _) = try? objective.evaluate(plans(y), count: count, start: start, gradient: true) else {
            // a simulator failure makes the point infeasible: MALA rejects it, Langevin reports it
            return ([Double](repeating: .infinity, count: count), [Double](repeating: 0, count: count * dimension))
        }
        return (e, coordinates.pullback(g, count: count, layout: objective.layout))
    }

    public func energies(_ y: [Double], count: Int) -> [Double] {
        (try? objective.evaluate(plans(y), count: count, start: start, gradient: false).energies)
            ?? [Double](repeating: .infinity, count: count)
    }
}

/// A bad argument or a failed planning run, with a message that names the parameter.
public indirect enum PlanningError: FileErrorWrapping, CustomStringConvertible, Equatable {
    /// A bad argument (a size, a site, an energy term that does not fit the robot), in words.
    case invalidArgument(String)
    /// Every candidate's energy is NaN or infinite.
    case nonFinite(String)
    /// A model file (run folder or checkpoint) that does not load or does not fit this setup.
    case file(FileError)
    /// `error`, about the value of command-line option `flag` ("--model"): "FLAG ERROR".
    case option(String, PlanningError)

    public var fileError: FileError? {
        switch self {
        case .file(let error): return error
        case .option(_, let error): return error.fileError
        case .invalidArgument, .nonFinite: return nil
        }
    }

    public var description: String {
        switch self {
        case .invalidArgument(let m), .nonFinite(let m): return m
        case .file(let error): return error.description
        case .option(let flag, let error): return "\(flag) \(error)"
        }
    }
}
