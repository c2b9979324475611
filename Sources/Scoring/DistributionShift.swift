// DistributionShift: the out-of-distribution benchmark's shifted trajectories — changed physics
// and a changed controller (regenerated from a modified recipe, same episode seeds), and data
// transforms of real trajectories (time reversal, averaging, glitches, noise).

import Foundation
import Simulation
import Trajectories

/// One way of producing trajectories a model never saw.
public enum DistributionShift: String, CaseIterable, Sendable {
    /// Link masses and inertias ×2 (recipe `physics.mass_scale`) under the controller built from the
    /// nominal robot (`controller_model: nominal`): its gravity compensation and feedforward are off.
    case mass
    /// For reference, the earlier definition: mass ×2 with the controller rebuilt from the changed
    /// robot, which a model-based controller (arm7-goals4) compensates almost exactly.
    case massRetuned = "mass-retuned"
    /// Joint damping ×5 (`physics.damping_scale`).
    case damping
    /// Actuator gears ×0.5 (`physics.gear_scale`), controller from the nominal robot: visible under a
    /// compliant (low-gain) controller, hidden by a stiff PD one.
    case gear
    /// Random (Ornstein–Uhlenbeck) torques instead of the recipe's policy.
    case controller
    /// Each episode played backwards: states in reverse order, velocities negated.
    case reversed
    /// The state-wise mean of two real episodes with different goals, kept only where the averaged
    /// final pose puts the goal site ≥ 3 cm from every goal (`AveragedEndpointRule`); without a
    /// rule, as `averagedAny`.
    case averaged
    /// For reference, the earlier definition: every episode averaged with the next one of another goal
    /// (some averages end on a goal, in distribution).
    case averagedAny = "averaged-any"
    /// A few single steps corrupted by large noise (sensor glitches).
    case glitch
    /// Gaussian noise added to every state.
    case noise

    /// What the shift does, for tables.
    public var summary: String {
        switch self {
        case .mass: return "link mass ×2, nominal controller"
        case .massRetuned: return "link mass ×2, controller retuned"
        case .damping: return "joint damping ×5"
        case .gear: return "gear ×0.5"
        case .controller: return "random controller"
        case .reversed: return "time reversed"
        case .averaged: return "two episodes averaged, end ≥ 3 cm off goals"
        case .averagedAny: return "two episodes averaged (any pair)"
        case .glitch: return "glitches (3 steps, 1 std)"
        case .noise: return "noise (0.05 std)"
        }
    }

    /// Whether the shift regenerates episodes in the simulator (else it transforms given ones).
    public var regenerates: Bool { [.mass, .massRetuned, .damping, .gear, .controller].contains(self) }

    // MARK: - Recipe shifts

    /// The recipe `original` (JSON, as `meta.json` stores it) changed by this shift: a `physics`
    /// object, or the policy replaced by `random` torques. Name gets a suffix.
    public func recipe(from original: JSONValue) throws -> JSONValue {
        guard case .object(var entries) = original else { throw ScoringError.invalidArgument("the dataset's recipe is not a JSON object") }
        func set(_ key: String, _ value: JSONValue) {
            if let i = entries.firstIndex(where: { $0.0 == key }) { entries[i].1 = value } else { entries.append((key, value)) }
        }
        func number(_ x: Double) -> JSONValue { .number(x, isInteger: false) }
        switch self {
        case .mass: set("physics", .object([("mass_scale", number(2)), ("controller_model", .string("nominal"))]))
        case .massRetuned: set("physics", .object([("mass_scale", number(2))]))
        case .damping: set("physics", .object([("damping_scale", number(5))]))
        case .gear: set("physics", .object([("gear_scale", number(0.5)), ("controller_model", .string("nominal"))]))
        case .controller: set("policy", .object([("type", .string("random")), ("theta", number(5)), ("sigma", number(0.3))]))
        default: throw ScoringError.invalidArgument("shift \(rawValue) transforms trajectories; it has no recipe")
        }
        if case .string(let name)? = original["name"] { set("name", .string(name + "-" + rawValue)) }
        return .object(entries)
    }

    /// Episodes `0..<count` of the test split of `original` regenerated under this shift: the same
    /// episode seeds as the unshifted test episodes (same start states, goals and control noise),
    /// so the pair differs only by the shift. Returns the dataset and the changed model's SHA-256.
    public func regenerate(from original: JSONValue, episodes count: Int, threads: Int = 0) throws -> (data: TrajectoryDataset, modelHash: String) {
        let json = try recipe(from: original)
        let recipe: Recipe
        let generator: DatasetGenerator
        do {
            recipe = try Recipe(json: Array(json.serialized().utf8), file: "<\(rawValue) shift of the dataset's recipe>")
            generator = try DatasetGenerator(recipe: recipe)
        } catch let error as DatasetError { throw error.fileError.map(ScoringError.file) ?? ScoringError.invalidArgument("\(error)") }
        let n = min(count, recipe.testEpisodes)
        guard n >= 1 else { throw ScoringError.invalidArgument("the dataset's recipe has no test episodes to regenerate") }
        do { return (try generator.generate(.test, range: 0..<n, threads: threads), generator.modelHash) } catch let error as DatasetError {
            throw ScoringError.invalidArgument("\(rawValue) shift: \(error)")
        }
    }

    // MARK: - Data shifts

    /// `data` transformed by this shift; `positionCount` (nq) splits each state into qpos and qvel,
    /// `seed` draws glitch steps, glitch and noise values (per episode, so any subset agrees); `endpoints`
    /// keeps only averaged pairs that end off every goal (`averaged`; fewer episodes come back).
    public func transform(_ data: TrajectoryDataset, positionCount nq: Int, seed: UInt64,
                          endpoints: AveragedEndpointRule? = nil) throws -> TrajectoryDataset {
        let (E, T, S) = (data.episodes, data.steps, data.stateSize)
        guard nq >= 0, nq <= S else { throw ScoringError.invalidArgument("nq \(nq) does not fit states of \(S) numbers") }
        var out = data
        let rows = T + 1
        func index(_ e: Int, _ t: Int) -> Int { (e * rows + t) * S }
        switch self {
        case .reversed:
            let sitesPerState = data.siteCount * 3
            for e in 0..<E {
                for t in 0..<rows {
                    for d in 0..<S { out.states[index(e, t) + d] = (d < nq ? 1 : -1) * data.states[index(e, T - t) + d] }
                    for j in 0..<sitesPerState { out.sites[(e * rows + t) * sitesPerState + j] = data.sites[(e * rows + T - t) * sitesPerState + j] }
                }
                let nu = data.controlSize
                for t in 0..<T { for j in 0..<nu { out.controls[(e * T + t) * nu + j] = data.controls[(e * T + T - 1 - t) * nu + j] } }
            }
        case .averaged, .averagedAny:
            guard E >= 2 else { throw ScoringError.invalidArgument("averaging needs at least two episodes") }
            var pairs = (0..<E).map { (episode: $0, partner: Self.partner(of: $0, goals: data.goal)) }
            if self == .averaged, let endpoints {
                pairs = try endpoints.pairs(data, positionCount: nq)
                guard !pairs.isEmpty else { throw ScoringError.invalidArgument("no two episodes average to a pose \(endpoints.minimumDistance) m or more from every goal") }
            }
            out = data.episodes(pairs.map(\.episode))
            let (w, c) = (rows * data.siteCount * 3, T * data.controlSize)
            for (o, (e, partner)) in pairs.enumerated() {
                for i in 0..<(rows * S) { out.states[o * rows * S + i] = 0.5 * (data.states[e * rows * S + i] + data.states[partner * rows * S + i]) }
                for i in 0..<w { out.sites[o * w + i] = 0.5 * (data.sites[e * w + i] + data.sites[partner * w + i]) }
                for i in 0..<c { out.controls[o * c + i] = 0.5 * (data.controls[e * c + i] + data.controls[partner * c + i]) }
                out.goal[o] = -1
            }
        case .glitch, .noise:
            let spread = Self.standardDeviation(data)
            for e in 0..<E {
                var g = EpisodeGenerator(seed: EpisodeGenerator.episodeSeed(master: seed, index: e))
                if self == .noise {
                    for t in 0..<rows { for d in 0..<S { out.states[index(e, t) + d] += 0.05 * spread[d] * g.gaussian() } }
                } else {
                    // three distinct steps after the first (the start state is never corrupted)
                    var steps = Set<Int>()
                    while steps.count < min(3, T) { steps.insert(1 + g.index(below: T)) }
                    for t in steps.sorted() { for d in 0..<S { out.states[index(e, t) + d] += spread[d] * g.gaussian() } }
                }
            }
        default:
            throw ScoringError.invalidArgument("shift \(rawValue) regenerates trajectories in the simulator; it does not transform them")
        }
        return out
    }

    /// The next episode after `e` (cyclically) with a different goal; the next one when no goals differ.
    static func partner(of e: Int, goals: [Int64]) -> Int {
        let n = goals.count
        for k in 1..<n where goals[(e + k) % n] != goals[e] || goals[e] < 0 { return (e + k) % n }
        return (e + 1) % n
    }

    /// Per-coordinate standard deviation of the states over all episodes and steps [S].
    static func standardDeviation(_ data: TrajectoryDataset) -> [Double] {
        let S = data.stateSize, n = data.states.count / S
        var mean = [Double](repeating: 0, count: S), square = [Double](repeating: 0, count: S)
        for r in 0..<n { for d in 0..<S { mean[d] += data.states[r * S + d] / Double(n) } }
        for r in 0..<n { for d in 0..<S { let x = data.states[r * S + d] - mean[d]; square[d] += x * x / Double(n) } }
        return square.map { $0.squareRoot() }
    }
}

/// Which averaged pairs the `averaged` shift keeps: those whose averaged final pose (forward
/// kinematics of the mean final qpos) puts the goal site at least `minimumDistance` from every goal,
/// so that no averaged episode ends as a real one would.
public struct AveragedEndpointRule {
    public var robot: RobotModel
    /// The goal site's index in the robot.
    public var site: Int
    /// Goal positions (metres; `GoalSet` averages them from a dataset).
    public var goals: [[Double]]
    public var minimumDistance: Double

    public init(robot: RobotModel, site: Int, goals: [[Double]], minimumDistance: Double = 0.03) {
        (self.robot, self.site, self.goals, self.minimumDistance) = (robot, site, goals, minimumDistance)
    }

    /// For each episode in order, the first partner after it (cyclically) with another goal whose
    /// average ends far enough from every goal; episodes with none are left out.
    public func pairs(_ data: TrajectoryDataset, positionCount nq: Int) throws -> [(episode: Int, partner: Int)] {
        let (E, rows, S) = (data.episodes, data.steps + 1, data.stateSize)
        guard nq == robot.nq, site < robot.nsite else { throw ScoringError.invalidArgument("the averaged-endpoint rule's robot has nq \(robot.nq) and \(robot.nsite) sites") }
        var result: [(episode: Int, partner: Int)] = []
        for e in 0..<E {
            // every candidate's averaged final qpos, one batched forward-kinematics call per episode
            let partners = (1..<E).map { (e + $0) % E }.filter { data.goal[$0] != data.goal[e] || data.goal[e] < 0 }
            guard !partners.isEmpty else { continue }
            var qpos: [Double] = []
            qpos.reserveCapacity(partners.count * nq)
            for p in partners {
                for d in 0..<nq { qpos.append(0.5 * (data.states[(e * rows + rows - 1) * S + d] + data.states[(p * rows + rows - 1) * S + d])) }
            }
            let sites: [Double]
            do { sites = try robot.kinematics(qpos: qpos, batch: partners.count).sites } catch { throw ScoringError.invalidArgument("forward kinematics: \(error)") }
            if let i = partners.indices.first(where: { i in
                let x = (0..<3).map { sites[(i * robot.nsite + site) * 3 + $0] }
                return goals.allSatisfy { g in zip(x, g).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot() >= minimumDistance }
            }) { result.append((e, partners[i])) }
        }
        return result
    }
}
