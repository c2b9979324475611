import ArgumentParser
import EnergyModels
import NeuralCore
import Planning
import Sampling
import Simulation
import Trajectories
import Viewer

// The library's enums as argument types: `--split test`, `--planner mppi-sim`, `--integrator rk4`, …
// (the raw values are the spellings; ArgumentParser lists them in the help and in its errors).
extension Split: ExpressibleByArgument {}
extension Integrator: ExpressibleByArgument {}
extension ModelKind: ExpressibleByArgument {}
extension TrainingObjective: ExpressibleByArgument {}
extension FutureSamplerKind: ExpressibleByArgument {}
extension PlannerKind: ExpressibleByArgument {}
extension PlanningSetup.Coordinates: ExpressibleByArgument {}
extension Renderer.Translucency: ExpressibleByArgument {}

/// `--clock wall|cpu` of the benchmarks: elapsed time, or this process's CPU time (steadier on a
/// busy machine, meaningful for one thread).
enum BenchClock: String, CaseIterable, ExpressibleByArgument {
    case wall, cpu

    /// Seconds on this clock.
    var seconds: () -> Double { self == .cpu ? processCPUSeconds : wallClockSeconds }
}
