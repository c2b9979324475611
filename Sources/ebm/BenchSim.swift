import ArgumentParser
import Foundation
import Simulation

/// `ebm bench sim`: simulator steps per second per robot, integrator and thread count.
struct BenchSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Simulator steps/s per robot and integrator, on 1 thread and on all threads.")

    @Option(parsing: .upToNextOption, help: "Robots to measure.")
    var robots: [String] = ["pendulum", "cartpole", "acrobot", "pointmass2d", "reacher2", "arm7",
                            "chain8", "chain32", "chain128"]
    @Option(parsing: .upToNextOption, help: "Integrators to measure (euler, rk4, implicit, implicitfast).")
    var integrators: [Integrator] = [.euler, .rk4]
    @Option(help: "Timestep in seconds.") var dt: Double = 0.002
    @Option(help: "Minimum seconds of measurement per row.") var minTime: Double = 0.3
    @Option(help: "Steps per trajectory in each timed rollout.") var steps: Int = 1000
    @Option(help: "wall: elapsed time; cpu: this process's CPU time (steadier for 1 thread on a busy machine).")
    var clock: BenchClock = .wall
    @Option(parsing: .upToNextOption, help: "Thread counts to measure (default: 1 and every core).")
    var threads: [Int] = []
    @Flag(inversion: .prefixedNo, help: "Geoms collide (--no-contacts: as <flag contact=\"disable\"/>, joint constraints stay).") var contacts = true
    @Flag(help: "Print one JSON array instead of a table.") var json = false

    func validate() throws {
        guard dt > 0, dt.isFinite else { throw ValidationError("--dt \(dt) must be a positive number of seconds") }
        guard minTime > 0 else { throw ValidationError("--min-time must be positive") }
        guard steps > 0 else { throw ValidationError("--steps must be positive") }
        for t in threads where t < 1 { throw ValidationError("--threads \(t) must be >= 1") }
    }

    func run() throws {
        let rows = try SimulatorBenchmark.run(robots: robots, integrators: integrators, dt: dt, threads: threads, steps: steps, minTime: minTime,
                                              contacts: contacts, clock: clock.seconds) { row in
            guard !json else { return }
            print(String(format: "%-12@ %-6@ dt %.4f  threads %2d  %12.0f steps/s  (%.3f µs/step/thread)", row.robot as NSString,
                         row.integrator as NSString, row.dt, row.threads, row.steps_per_second, 1e6 * Double(row.threads) / row.steps_per_second))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
        }
    }
}
