import ArgumentParser
import Foundation
import Trajectories

/// `ebm dataset …`: inspect and join generated datasets.
struct Dataset: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect generated datasets and join shards.",
        subcommands: [DatasetInfo.self, DatasetMerge.self])
}

/// `ebm dataset info PATH`: shapes, value ranges and per-goal counts.
struct DatasetInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print shapes, value ranges and per-goal counts of a dataset folder or one .npz split.")

    @Argument(help: "A dataset folder (train.npz, test.npz, meta.json) or an .npz file.") var path: String

    func run() throws {
        guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("\(path): no such file or folder") }
        try DatasetFolder.info(path: path) { print($0) }
    }
}

/// `ebm dataset merge SHARD… --out DIR`: join shards into the bytes of a single run.
struct DatasetMerge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join shard folders written by `ebm generate --shard i/n` into one dataset (same bytes as one run).")

    @Argument(help: "Shard folders (any order).") var shards: [String]
    @Option(help: "Output folder.") var out: String

    func validate() throws {
        guard !shards.isEmpty else { throw ValidationError("give the shard folders to merge") }
    }

    func run() throws {
        try DatasetFolder.merge(shards: shards.map { URL(fileURLWithPath: $0) }, into: URL(fileURLWithPath: out))
        print("merged \(shards.count) shards into \(out)")
    }
}
