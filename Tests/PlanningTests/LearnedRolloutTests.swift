import EnergyModels
import Foundation
import NeuralCore
import Simulation
import Trajectories
import XCTest
@testable import Planning

/// The learned-rollout baselines (`mppi-ff`, `cem-ff`): a feedforward transition model rolled out
/// over control sequences must follow the simulator, and models it cannot use are refused.
final class LearnedRolloutTests: XCTestCase {
    /// pointmass2d under random controls, and a transition model s_{t+1} = f(s_{t−1}, s_t, u_{t−1}, u_t) trained on it.
    func trainedTransition(conditionOnControls: Bool = true) throws -> (RobotModel, FeedforwardPredictor) {
        let model = try PlanFixtures.pointmass()
        let (E, T) = (64, 20)
        var g = SeededGenerator(seed: 5)
        let q0 = (0..<(E * 2)).map { _ in 0.2 * Double(g.nextGaussian()) }
        let controls = (0..<(E * T * 2)).map { _ in 2 * g.nextUnitDouble() - 1 }
        let r = try model.rollout(qpos: q0, qvel: [Double](repeating: 0, count: E * 2), batch: E, steps: T, controls: controls)
        var c = TrainingConfiguration()
        c.seed = 4
        (c.model.contextLength, c.model.horizon, c.model.hiddenWidth, c.model.depth, c.model.conditionOnControls) = (2, 1, 64, 2, conditionOnControls)
        (c.optimization.steps, c.optimization.batchSize, c.optimization.learningRate, c.optimization.beta1) = (600, 64, 1e-3, 0.9)
        (c.checkpointEvery, c.logEvery) = (10_000, 10_000)
        let trainer = try PlanFixtures.trained(.feedforward, c, on: r, episodes: E, steps: T, controls: controls)
        return (model, try XCTUnwrap(trainer.predictor))
    }

    func testLearnedRolloutFollowsTheSimulator() throws {
        let (model, transition) = try trainedTransition()
        let layout = try PlanLayout(horizon: 8, nq: 2, nv: 2, timestep: 0.05)
        let objective = try PlanObjective([(1, try GoalEnergy(model: model, target: .site(0, position: SIMD3(0.2, 0, 0)), layout: layout, threads: 1))])
        let start = try PlanStart(history: [0.05, -0.02, 0.1, 0.05, 0.055, -0.017, 0.1, 0.05], stateSize: 4)
        var energy = SimulatorRolloutEnergy(model: model, objective: objective, start: start, effortWeight: 0, threads: 1)
        var g = SeededGenerator(seed: 9)
        let count = 16
        let x = (0..<(count * energy.dimension)).map { _ in 2 * g.nextUnitDouble() - 1 }
        let simulated = try energy.states(x, count: count)
        energy.rollout = .learned(transition, previousControls: [0.3, -0.2])
        let predicted = try energy.states(x, count: count)
        // positions after 8 steps of 0.05 s: error against the distance travelled
        var (error, travelled) = (0.0, 0.0)
        for b in 0..<count {
            let last = ((b * 8) + 7) * 4
            for i in 0..<2 {
                error += abs(predicted[last + i] - simulated[last + i])
                travelled += abs(simulated[last + i] - start.current[start.current.startIndex + i])
            }
        }
        XCTAssertLessThan(error / travelled, 0.15, "mean final position error \(error / Double(2 * count)) m")
    }

    func testModelsWithoutControlsAreRefused() throws {
        let (model, unconditioned) = try trainedTransition(conditionOnControls: false)
        let layout = try PlanLayout(horizon: 8, nq: 2, nv: 2, timestep: 0.05)
        let objective = try PlanObjective([(1, try GoalEnergy(model: model, target: .site(0, position: SIMD3(0.2, 0, 0)), layout: layout, threads: 1))])
        XCTAssertThrowsError(try SimulatorPlanner(model: model, objective: objective, method: .mppi(MPPIPlanOptimizer(iterations: 2, samples: 8, noise: 0.5)),
                                                  effortWeight: 0, chains: 4, dynamics: unconditioned)) { error in
            XCTAssertTrue("\(error)".contains("conditioned on controls"), "\(error)")
        }
    }
}
