// RobotModel+Benchmark: the simulator's speed as `ebm bench sim` measures it — steps per second of
// batched open-loop rollouts on a given number of threads.

import Foundation

extension RobotModel {
    /// Simulator steps per second of open-loop rollouts of `8 × threads` trajectories of `steps` steps
    /// from a slightly perturbed rest pose, repeated until `minTime` seconds of `clock` have passed
    /// (after one untimed 50-step rollout). Sites are not computed.
    public func rolloutStepsPerSecond(threads: Int, steps: Int, minTime: Double, clock: () -> Double) throws -> Double {
        let batch = 8 * threads
        let q0 = joints.qpos0
        var qpos = [Double](), qvel = [Double]()
        for b in 0..<batch {
            qpos += q0.enumerated().map { $0.element + 0.1 * sin(Double($0.offset + b)) }
            qvel += (0..<nv).map { 0.1 * cos(Double($0 * 7 + b)) }
        }
        _ = try rollout(qpos: qpos, qvel: qvel, batch: batch, steps: 50, sites: false, threads: threads)
        var total = 0
        let start = clock()
        var elapsed = 0.0
        repeat {
            _ = try rollout(qpos: qpos, qvel: qvel, batch: batch, steps: steps, sites: false, threads: threads)
            total += batch * steps
            elapsed = clock() - start
        } while elapsed < minTime
        return Double(total) / elapsed
    }
}

/// `ebm bench sim`'s table: simulator steps per second per robot, integrator and thread count.
public enum SimulatorBenchmark {
    /// One measurement (its JSON keys are those of `ebm bench sim --json`).
    public struct Row: Codable, Equatable, Sendable {
        public var robot: String, integrator: String, dt: Double, threads: Int, steps_per_second: Double
    }

    /// Measures each robot (a built-in name or MJCF file) with each integrator at timestep `dt` (one
    /// substep) on each thread count (empty: 1 and every hardware thread), in that order, its geoms
    /// colliding unless `contacts` is false (as `<flag contact="disable"/>`: joint constraints stay);
    /// `measured` hears each row as it is taken.
    public static func run(robots: [String], integrators: [Integrator], dt: Double, threads: [Int], steps: Int, minTime: Double,
                           contacts: Bool = true, clock: () -> Double, measured: (Row) -> Void = { _ in }) throws -> [Row] {
        var rows: [Row] = []
        for robot in robots {
            let base = try RobotModel.load(robot)
            for integrator in integrators {
                let model = try configured(base, integrator: integrator, dt: dt, contacts: contacts)
                for t in (threads.isEmpty ? Set([1, RobotModel.hardwareThreads]).sorted() : threads) {
                    let rate = try model.rolloutStepsPerSecond(threads: t, steps: steps, minTime: minTime, clock: clock)
                    rows.append(Row(robot: robot, integrator: integrator.rawValue, dt: dt, threads: t, steps_per_second: rate))
                    measured(rows[rows.count - 1])
                }
            }
        }
        return rows
    }

    /// `model` as `run` measures it: `integrator` at timestep `dt`, one substep, contacts off unless `contacts`.
    public static func configured(_ model: RobotModel, integrator: Integrator, dt: Double, contacts: Bool) throws -> RobotModel {
        var options = model.options
        (options.timestep, options.integrator, options.substeps) = (dt, integrator, 1)
        var solver = model.solverOptions
        solver.contacts = solver.contacts && contacts
        return try model.with(options: options).with(solverOptions: solver)
    }
}
