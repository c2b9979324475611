import ArgumentParser
import Foundation
import Simulation
import Trajectories

/// `ebm model …`: inspect built-in robots and MJCF files.
struct Model: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect robot models: list built-ins, print a model's MJCF (or a URDF's import), summarise sizes.",
        subcommands: [List.self, XML.self, Info.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the built-in robots.")
        func run() {
            for name in RobotModel.builtinNames { print(name) }
            print("chainN (N-link pendulum chain, e.g. chain32)")
        }
    }

    struct XML: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "xml",
            abstract: "Print (or write with --out) a built-in robot's MJCF, or the MJCF a URDF file imports as, e.g. for MuJoCo.")
        @Argument(help: "Built-in robot name (pendulum, reacher2, arm7, chain32, …) or a .urdf file.") var robot: String
        @Option(help: "Write to this file instead of standard output.") var out: String?
        @Option(name: .customLong("package-path"), help: "A directory holding the URDF's package:// packages (repeatable; then ROS_PACKAGE_PATH).")
        var packagePath: [String] = []
        func run() throws {
            let urdf = robot.lowercased().hasSuffix(".urdf")
            let xml = urdf ? try RobotModel.mjcf(fromURDF: robot, packagePath: packagePath) : try RobotModel.builtinXML(robot)
            if let out {
                try OutputPath.check(out, inputs: urdf ? [robot] : [])
                try AtomicFile.write(Array(xml.utf8), to: URL(fileURLWithPath: out))
            } else {
                print(xml, terminator: "")
            }
        }
    }

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Summarise a model: sizes, joints, actuators, sites.")
        @Argument(help: "Built-in robot name, MJCF file or URDF file.") var model: String
        @Option(name: .customLong("package-path"), help: "A directory holding the URDF's package:// packages (repeatable; then ROS_PACKAGE_PATH).")
        var packagePath: [String] = []
        func run() throws {
            let m = try RobotModel.load(model, packagePath: packagePath)
            m.summary.forEach { print($0) }
            if !m.warnings.isEmpty { FileHandle.standardError.write(Data((m.warnings + "\n").utf8)) }
        }
    }
}
