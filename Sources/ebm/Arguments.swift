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
extension NetworkBenchmark.Strategy: ExpressibleByArgument {}
extension GEMMKernel: ExpressibleByArgument {}

/// `--goal -0.10,0.14`, `--obstacle x,y,z,r`: kept as written and checked where used (with
/// `parsing: .unconditional`, a leading minus sign is the value's, not a flag's).
extension NumberList: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

/// `--clock wall|cpu` of the benchmarks: elapsed time, or this process's CPU time (steadier on a
/// busy machine, meaningful for one thread).
enum BenchClock: String, CaseIterable, ExpressibleByArgument {
    case wall, cpu

    /// Seconds on this clock.
    var seconds: () -> Double { self == .cpu ? processCPUSeconds : wallClockSeconds }
}

/// `--data DIR --split test|train`: the dataset a command reads (the test split unless told).
struct DataOptions: ParsableArguments {
    @Option(help: "Dataset folder.") var data: String
    @Option(help: "Split to read: test or train.") var split: Split = .test
}

/// `--data DIR --split S --episode N --context-start T`: where `ebm predict` and `ebm compose` take
/// their context (episode 0 and state 0 unless told).
struct WindowOptions: ParsableArguments {
    @OptionGroup var dataset: DataOptions
    @Option(help: "Episode (0-based).") var episode: Int = 0
    @Option(name: .customLong("context-start"), help: "State index of the oldest context state.") var contextStart: Int = 0
}
