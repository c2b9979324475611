// IntentBenchmark+Report: the benchmark's results as one typed value, its Markdown tables and its
// figures (SVG and PNG through Plotting, no GL), as `ebm evaluate intent` prints and writes them.

import Foundation
import Plotting

/// Each scorer's goal accuracy as more states are observed, and under bounded attacks.
public struct IntentReport: Codable, Equatable, Sendable {
    /// Scorer names, in order.
    public var scorers: [String]
    public var episodes: Int, goalCount: Int
    /// Observed state indices n, and accuracy[scorer][n] on the prefixes s_0 … s_n.
    public var observed: [Int], accuracy: [[Double]]
    /// Attacked prefix lengths, attack radii, and adversarialAccuracy[length][scorer][epsilon].
    public var attackLengths: [Int], epsilons: [Double], adversarialAccuracy: [[[Double]]]

    /// The Markdown tables: accuracy by observed n, then accuracy by ε for each attacked length.
    public var markdown: String {
        let header = { (first: String) in "| \(first) | " + scorers.joined(separator: " | ") + " |\n|---:|" + scorers.map { _ in "---:" }.joined(separator: "|") + "|\n" }
        var md = header("observed n")
        for (j, step) in observed.enumerated() { md += "| \(step) | " + accuracy.map { String(format: "%.3f", $0[j]) }.joined(separator: " | ") + " |\n" }
        for (a, n) in attackLengths.enumerated() {
            md += header("ε (n = \(n))")
            for (j, epsilon) in epsilons.enumerated() {
                md += "| \(epsilon) | " + adversarialAccuracy[a].map { String(format: "%.3f", $0[j]) }.joined(separator: " | ") + " |\n"
            }
        }
        return md
    }

    /// intent_accuracy (with chance, 1/goals) and intent_adversarial, each .svg and .png; the paths written.
    public func plots(to dir: URL) throws -> [String] {
        let chance = 1 / Double(goalCount)
        var written = try LinePlot(title: "Intent inference: accuracy vs observed states (\(episodes) episodes, \(goalCount) goals)", xLabel: "observed state index n",
                                   yLabel: "accuracy", series: zip(scorers, accuracy).enumerated().map { i, p in
                                       LinePlot.Series(name: p.0, color: LinePlot.palette[i], x: observed.map(Double.init), y: p.1) }
                                   + [LinePlot.Series(name: "chance", color: 0x888888, x: [Double(observed.first!), Double(observed.last!)], y: [chance, chance])],
                                   yRange: 0...1).write(to: dir, name: "intent_accuracy")
        var attackSeries: [LinePlot.Series] = []
        for (j, n) in attackLengths.enumerated() {
            for (i, name) in scorers.enumerated() {
                attackSeries.append(LinePlot.Series(name: "\(name), n = \(n)", color: LinePlot.palette[(i + 2 * j) % LinePlot.palette.count],
                                                    x: epsilons, y: adversarialAccuracy[j][i]))
            }
        }
        written += try LinePlot(title: "Intent under bounded attacks", xLabel: "epsilon (training std units)", yLabel: "accuracy",
                                series: attackSeries, yRange: 0...1).write(to: dir, name: "intent_adversarial")
        return written
    }
}

extension IntentBenchmark {
    /// Accuracy on the prefixes ending at each of `observed`, and after attacks (`adversarialAccuracy`) on those ending at `attackLengths`.
    public func report(observed: [Int], attackLengths: [Int], epsilons: [Double], scale: [Float], iterations: Int) -> IntentReport {
        IntentReport(scorers: scorers.map(\.name), episodes: episodes, goalCount: goalCount, observed: observed, accuracy: accuracy(observed: observed),
                     attackLengths: attackLengths, epsilons: epsilons,
                     adversarialAccuracy: adversarialAccuracy(lengths: attackLengths, epsilons: epsilons, scale: scale, iterations: iterations))
    }
}
