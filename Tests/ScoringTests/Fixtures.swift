import EnergyModels
import NeuralCore
@testable import Scoring

/// A random tiny energy model: k = 2, H = 2, S = 2.
func tinyEnergyModel(seed: UInt64, shift: Float) -> TrajectoryEnergyModel {
    var c = ModelConfiguration()
    (c.contextLength, c.horizon, c.hiddenWidth, c.depth) = (2, 2, 8, 2)
    let enc = WindowEncoding(stateSize: 2, contextLength: 2, horizon: 2, futureAsDelta: true,
                             mean: (0..<8).map { Float($0) * 0.1 + shift }, standardDeviation: (0..<8).map { 0.5 + Float($0) * 0.2 })
    return TrajectoryEnergyModel(configuration: c, encoding: enc, seed: seed)
}

/// A window scorer from a closure over each window's future (H, S).
struct FutureScorer: WindowScorer {
    var name: String { "fixture" }
    var contextLength: Int, horizon: Int, stateSize: Int
    var score: (ArraySlice<Float>) -> Double
    func scores(context: [Float], future: [Float]) -> [Double] {
        let width = horizon * stateSize
        return (0..<(future.count / width)).map { score(future[$0 * width..<($0 + 1) * width]) }
    }
}
