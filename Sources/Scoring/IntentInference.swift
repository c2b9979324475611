// IntentInference: which goal is a partially observed trajectory heading for? The goal-conditioned
// energy answers by argmin over goals of its summed window energies; a classifier trained directly
// on the same windows is the baseline; both are attacked by bounded gradient steps on the states.

import EnergyModels
import Foundation
import NeuralCore
import Trajectories

/// Per-goal scores of windows of k + H raw states (higher = that goal more likely), and the
/// gradient of any weighting of those scores with respect to the window's states.
public protocol GoalScorer {
    var name: String { get }
    /// Goals G.
    var goalCount: Int { get }
    /// States per window k + H, and numbers per state S.
    var windowLength: Int { get }
    var stateSize: Int { get }
    /// Scores (B, G) of windows `states` (B, k + H, S).
    func windowScores(states: [Float]) -> [Float]
    /// Σ_g w_bg ∂score_bg/∂states (B, k + H, S) for weights `weights` (B, G).
    func stateGradient(states: [Float], weights: [Float]) -> [Float]
}

/// s_g = −E(future | context, goal g) of a goal-conditioned energy model.
public struct EnergyGoalScorer: GoalScorer {
    public let model: TrajectoryEnergyModel
    public var name: String { "EBM argmin energy" }
    public var goalCount: Int { model.encoding.goalCount }
    public var windowLength: Int { model.encoding.contextLength + model.encoding.horizon }
    public var stateSize: Int { model.encoding.stateSize }

    /// - Throws: `ScoringError` unless the model is conditioned on a goal label and nothing else.
    public init(model: TrajectoryEnergyModel) throws {
        guard model.encoding.goalCount > 1, model.encoding.controlWidth == 0 else {
            throw ScoringError.invalidArgument("intent inference needs a model trained with model.conditionOnGoal (and not conditionOnControls); this one reads "
                               + "\(model.encoding.goalCount) goal features and \(model.encoding.controlWidth) control features")
        }
        self.model = model
    }

    /// Rows (B·G, width): every window under every goal label, goal-major within a window.
    private func rows(_ states: [Float]) -> [Float] {
        let enc = model.encoding, (S, G) = (stateSize, goalCount)
        let (K, L) = (enc.stateContextWidth, windowLength * S), batch = states.count / L
        var context = [Float](), future = [Float](), goals = [Int]()
        context.reserveCapacity(batch * G * K)
        future.reserveCapacity(batch * G * (L - K))
        for b in 0..<batch {
            for g in 0..<G {
                context += states[(b * L)..<(b * L + K)]
                future += states[(b * L + K)..<((b + 1) * L)]
                goals.append(g)
            }
        }
        return enc.encode(context: enc.conditioned(states: context, goals: goals), future: future)
    }

    public func windowScores(states: [Float]) -> [Float] { model.energies(rows: rows(states)).map { -$0 } }

    public func stateGradient(states: [Float], weights: [Float]) -> [Float] {
        let enc = model.encoding, (W, G, L) = (enc.width, goalCount, windowLength * stateSize)
        var (_, g) = model.energyAndRowGradient(rows: rows(states))
        for r in 0..<weights.count { for j in 0..<W { g[r * W + j] *= -weights[r] } }
        let perRow = enc.stateGradient(rowGradient: g)
        let batch = states.count / L
        var out = [Float](repeating: 0, count: states.count)
        for b in 0..<batch { for goal in 0..<G { for j in 0..<L { out[b * L + j] += perRow[(b * G + goal) * L + j] } } }
        return out
    }
}

/// The baseline: an MLP of the energy model's width and depth from the same normalised windows to
/// G logits, trained by softmax cross-entropy on the episodes' goal labels; s_g = log softmax_g.
public final class GoalClassifier: GoalScorer {
    public let encoding: WindowEncoding
    public let network: Sequential
    public let goalCount: Int
    public var name: String { "direct classifier" }
    public var windowLength: Int { encoding.contextLength + encoding.horizon }
    public var stateSize: Int { encoding.stateSize }

    /// Trains on every window of `windows` (labels = their episodes' goals): `steps` Adam steps of
    /// `batchSize` windows (all of them when fewer), seeded.
    /// - Throws: `ScoringError` when an episode has no goal label.
    public init(windows: TrajectoryWindows, goalCount G: Int, hiddenWidth: Int, depth: Int,
                steps: Int, batchSize: Int = 256, learningRate: Float = 1e-3, seed: UInt64) throws {
        guard windows.dataset.goal.allSatisfy({ (0..<Int64(G)).contains($0) }) else {
            throw ScoringError.invalidArgument("the classifier baseline needs goal labels 0..<\(G) on every training episode")
        }
        guard windows.count >= 1 else { throw ScoringError.invalidArgument("no training windows of \(windows.context + windows.future) states") }
        let batchSize = min(batchSize, windows.count)
        encoding = WindowEncoding(windows: windows, futureAsDelta: true)
        goalCount = G
        var configuration = ModelConfiguration()
        (configuration.hiddenWidth, configuration.depth) = (hiddenWidth, depth)
        network = Sequential(TrajectoryEnergyModel.layers(configuration, inputWidth: encoding.width, outputWidth: G, spectralNorm: false), seed: seed)
        var optimizer = Adam(learningRate: learningRate)
        var batches = try MiniBatches(count: windows.count, batchSize: batchSize, seed: seed)
        var context: [Float] = [], future: [Float] = []
        for _ in 0..<steps {
            let indices = try batches.next()
            windows.gather(indices, context: &context, future: &future)
            let rows = encoding.encode(context: context, future: future)
            let logits = network.forward(Tensor(shape: [indices.count, encoding.width], scalars: rows), training: true).scalars
            var gradient = Self.softmax(logits, G)
            for (b, index) in indices.enumerated() {
                gradient[b * G + Int(windows.dataset.goal[windows.location(of: index).episode])] -= 1
            }
            for j in gradient.indices { gradient[j] /= Float(indices.count) }
            network.zeroGradients()
            gradient.withUnsafeBufferPointer { network.backward(outputGradient: $0.baseAddress!, inputGradient: nil, accumulateParameterGradients: true) }
            optimizer.step(parameters: network.parameters, gradients: network.gradients)
        }
    }

    static func softmax(_ logits: [Float], _ G: Int) -> [Float] {
        var p = logits
        for b in 0..<(logits.count / G) {
            let top = logits[(b * G)..<((b + 1) * G)].max()!
            var sum: Float = 0
            for g in 0..<G { p[b * G + g] = exp(logits[b * G + g] - top); sum += p[b * G + g] }
            for g in 0..<G { p[b * G + g] /= sum }
        }
        return p
    }

    private func logits(_ states: [Float]) -> [Float] {
        let L = windowLength * stateSize, K = encoding.stateContextWidth, batch = states.count / L
        var context = [Float](), future = [Float]()
        for b in 0..<batch { context += states[(b * L)..<(b * L + K)]; future += states[(b * L + K)..<((b + 1) * L)] }
        return network.forward(Tensor(shape: [batch, encoding.width], scalars: encoding.encode(context: context, future: future))).scalars
    }

    public func windowScores(states: [Float]) -> [Float] {
        let p = Self.softmax(logits(states), goalCount)
        return p.map { log(max($0, 1e-30)) }
    }

    /// ∂/∂logit_j of Σ_g w_g log softmax_g = w_j − softmax_j Σ_g w_g, then back through the network.
    public func stateGradient(states: [Float], weights: [Float]) -> [Float] {
        let G = goalCount
        let p = Self.softmax(logits(states), G)   // this forward is the one backward reads
        var outputGradient = weights
        for b in 0..<(weights.count / G) {
            let total = weights[(b * G)..<((b + 1) * G)].reduce(0, +)
            for g in 0..<G { outputGradient[b * G + g] -= p[b * G + g] * total }
        }
        let rowGradient = network.inputGradient(outputGradient: Tensor(shape: [weights.count / G, G], scalars: outputGradient)).scalars
        return encoding.stateGradient(rowGradient: rowGradient)
    }
}

/// Goal predictions from episode prefixes, and bounded attacks on them.
public enum IntentInference {
    /// The windows (stride 1) of the prefixes s_0 … s_n of every episode of `states` (E, T + 1, S).
    static func prefixWindows(_ states: [Float], episodes E: Int, length T1: Int, stateSize S: Int, observed n: Int, windowLength L: Int) -> (windows: [Float], perEpisode: Int) {
        let count = max(0, n + 2 - L)
        var out = [Float]()
        out.reserveCapacity(E * count * L * S)
        for e in 0..<E { for w in 0..<count { out += states[((e * T1 + w) * S)..<((e * T1 + w + L) * S)] } }
        return (out, count)
    }

    /// Prefix scores (E, G): each goal's window scores summed over the windows inside s_0 … s_n
    /// (all zero when no window fits: no evidence).
    public static func prefixScores(_ scorer: any GoalScorer, states: [Float], episodes E: Int, length T1: Int, observed n: Int) -> [Float] {
        let (S, L, G) = (scorer.stateSize, scorer.windowLength, scorer.goalCount)
        let (windows, W) = prefixWindows(states, episodes: E, length: T1, stateSize: S, observed: n, windowLength: L)
        var total = [Float](repeating: 0, count: E * G)
        guard W > 0 else { return total }
        let scores = scorer.windowScores(states: windows)
        for e in 0..<E { for w in 0..<W { for g in 0..<G { total[e * G + g] += scores[(e * W + w) * G + g] } } }
        return total
    }

    /// Share of episodes whose highest prefix score is their label; ties share credit (no evidence = chance).
    public static func accuracy(scores: [Float], labels: [Int], goalCount G: Int) -> Double {
        var correct = 0.0
        for (e, label) in labels.enumerated() {
            let row = scores[(e * G)..<((e + 1) * G)], best = row.max()!
            let winners = row.indices.filter { row[$0] == best }
            if winners.contains(e * G + label) { correct += 1 / Double(winners.count) }
        }
        return correct / Double(max(labels.count, 1))
    }

    /// Projected gradient ascent on the margin max_{g≠y} s_g − s_y of the prefix scores: `iterations`
    /// signed steps of 2.5·ε/iterations, each state coordinate d of s_0 … s_n kept within ±ε·scale[d]
    /// of its observed value (L∞ ball in units of the data's spread). Returns the perturbed states.
    public static func attack(_ scorer: any GoalScorer, states: [Float], episodes E: Int, length T1: Int, observed n: Int,
                              labels: [Int], epsilon: Float, scale: [Float], iterations: Int = 10) -> [Float] {
        let (S, L, G) = (scorer.stateSize, scorer.windowLength, scorer.goalCount)
        var x = states
        guard epsilon > 0, iterations > 0, n + 2 - L > 0 else { return x }
        let step = 2.5 * epsilon / Float(iterations)
        for _ in 0..<iterations {
            let scores = prefixScores(scorer, states: x, episodes: E, length: T1, observed: n)
            let (windows, W) = prefixWindows(x, episodes: E, length: T1, stateSize: S, observed: n, windowLength: L)
            var weights = [Float](repeating: 0, count: E * W * G)
            for e in 0..<E {
                var rival = -1
                for g in 0..<G where g != labels[e] && (rival < 0 || scores[e * G + g] > scores[e * G + rival]) { rival = g }
                for w in 0..<W { weights[(e * W + w) * G + rival] += 1; weights[(e * W + w) * G + labels[e]] -= 1 }
            }
            let windowGradient = scorer.stateGradient(states: windows, weights: weights)
            var gradient = [Float](repeating: 0, count: x.count)
            for e in 0..<E { for w in 0..<W { for j in 0..<(L * S) { gradient[(e * T1 + w) * S + j] += windowGradient[(e * W + w) * L * S + j] } } }
            for e in 0..<E {
                for i in ((e * T1) * S)..<((e * T1 + n + 1) * S) {
                    let bound = epsilon * scale[i % S]
                    let moved = x[i] + step * scale[i % S] * (gradient[i] > 0 ? 1 : gradient[i] < 0 ? -1 : 0)
                    x[i] = min(max(moved, states[i] - bound), states[i] + bound)
                }
            }
        }
        return x
    }
}
