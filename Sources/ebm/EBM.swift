import ArgumentParser

/// `ebm`: the EnergyDynamics command-line tool. One subcommand per capability, each in its own file.
@main
struct EBM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ebm",
        abstract: "Simulate robots, train energy-based models of their dynamics, sample and plan.",
        version: "0.1.0",
        subcommands: [Simulate.self, Model.self, Bench.self, Generate.self, Dataset.self, ViewCommand.self, Train.self, Predict.self, EvaluateCommand.self, Plan.self, Score.self, Compose.self]
    )
}

/// `ebm bench …`: speed measurements (use a release build).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure speed (build with -c release).",
        subcommands: [BenchSim.self, BenchNN.self, BenchDSM.self, BenchSample.self, BenchPlan.self]
    )
}
