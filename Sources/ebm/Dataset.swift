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
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ValidationError("\(path): no such file or folder")
        }
        var names: [String] = []
        var files: [URL] = []
        if isDirectory.boolValue {
            let folder = URL(fileURLWithPath: path)
            let meta = try DatasetFolder.meta(of: folder)
            if case .array(let list)? = meta["state_names"] { names = list.compactMap { if case .string(let s) = $0 { return s }; return nil } }
            let describe: (String) -> String = { key in
                switch meta[key] {
                case .string(let s)?: return s
                case .number(let x, let isInteger)?: return isInteger ? String(Int(x)) : "\(x)"
                default: return "?"
                }
            }
            print("\(path): \(describe("name")), robot \(describe("robot")), dt \(describe("dt")) s, \(describe("steps")) steps, "
                  + "integrator \(describe("integrator")), model sha256 \(describe("model_sha256").prefix(12))…, version \(describe("project_version"))")
            if let shard = meta["shard"], case .number(let i, _)? = shard["index"], case .number(let n, _)? = shard["count"] {
                print("  shard \(Int(i))/\(Int(n))")
            }
            files = Split.allCases.map { folder.appendingPathComponent($0.rawValue + ".npz") }
        } else {
            files = [URL(fileURLWithPath: path)]
        }
        for url in files {
            let data = try TrajectoryDataset(contentsOf: url)
            let (E, T, S) = (data.episodes, data.steps, data.stateSize)
            print("\(url.lastPathComponent): \(E) episodes")
            print("  states [\(E), \(T + 1), \(S)]  controls [\(E), \(T), \(data.controlSize)]  sites [\(E), \(T + 1), \(data.siteCount), 3]  goal [\(E)]  episode_seed [\(E)]")
            guard E > 0 else { continue }
            let (lower, upper) = data.stateRanges
            for d in 0..<S {
                print(String(format: "  %-16@ [%10.4f, %10.4f]", (d < names.count ? names[d] : "state[\(d)]") as NSString, lower[d], upper[d]))
            }
            if data.controlSize > 0 {
                let lo = data.controls.min() ?? 0, hi = data.controls.max() ?? 0
                print(String(format: "  %-16@ [%10.4f, %10.4f]", "controls" as NSString, lo, hi))
            }
            print("  goals: " + data.goalCounts.map { "\($0.goal < 0 ? "none" : String($0.goal)): \($0.episodes)" }.joined(separator: ", "))
        }
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
