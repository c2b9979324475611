// TrajectoryDataset+Summary: what `ebm dataset info` prints of a split — value ranges per state
// dimension and episodes per goal.

import Foundation

extension TrajectoryDataset {
    /// Per-dimension minimum and maximum over every state of every episode (S each; +∞ and −∞ when
    /// there are no states).
    public var stateRanges: (lower: [Double], upper: [Double]) {
        let S = stateSize
        var lower = [Double](repeating: .infinity, count: S), upper = [Double](repeating: -.infinity, count: S)
        for row in 0..<(episodes * (steps + 1)) {
            for d in 0..<S { let x = states[row * S + d]; lower[d] = Swift.min(lower[d], x); upper[d] = Swift.max(upper[d], x) }
        }
        return (lower, upper)
    }

    /// Episodes per goal index (−1: no goal), in goal order.
    public var goalCounts: [(goal: Int64, episodes: Int)] {
        var counts: [Int64: Int] = [:]
        for g in goal { counts[g, default: 0] += 1 }
        return counts.keys.sorted().map { ($0, counts[$0]!) }
    }
}

extension TrajectoryDataset {
    /// `ebm dataset info`'s lines for this split (read from `fileName`): shapes, the value range of
    /// each state dimension (named by `stateNames` where it has them) and of the controls, and
    /// episodes per goal.
    public func summary(fileName: String, stateNames names: [String] = []) -> [String] {
        let (E, T, S) = (episodes, steps, stateSize)
        var lines = ["\(fileName): \(E) episodes",
                     "  states [\(E), \(T + 1), \(S)]  controls [\(E), \(T), \(controlSize)]  sites [\(E), \(T + 1), \(siteCount), 3]  goal [\(E)]  episode_seed [\(E)]"]
        guard E > 0 else { return lines }
        let (lower, upper) = stateRanges
        for d in 0..<S {
            lines.append(String(format: "  %-16@ [%10.4f, %10.4f]", (d < names.count ? names[d] : "state[\(d)]") as NSString, lower[d], upper[d]))
        }
        if controlSize > 0 {
            lines.append(String(format: "  %-16@ [%10.4f, %10.4f]", "controls" as NSString, controls.min() ?? 0, controls.max() ?? 0))
        }
        lines.append("  goals: " + goalCounts.map { "\($0.goal < 0 ? "none" : String($0.goal)): \($0.episodes)" }.joined(separator: ", "))
        return lines
    }
}

extension DatasetFolder {
    /// The names of the state dimensions a dataset's meta.json lists (`state_names`), if any.
    public static func stateNames(meta: JSONValue) -> [String] {
        guard case .array(let list)? = meta["state_names"] else { return [] }
        return list.compactMap { if case .string(let s) = $0 { return s }; return nil }
    }

    /// `ebm dataset info`'s lines of a folder's meta.json (read from `path`): recipe name, robot,
    /// timestep, steps, integrator, model hash, version, and the shard when it is one.
    public static func summary(meta: JSONValue, path: String) -> [String] {
        let describe: (String) -> String = { key in
            switch meta[key] {
            case .string(let s)?: return s
            case .number(let x, let isInteger)?: return isInteger ? String(Int(x)) : "\(x)"
            default: return "?"
            }
        }
        var lines = ["\(path): \(describe("name")), robot \(describe("robot")), dt \(describe("dt")) s, \(describe("steps")) steps, "
                     + "integrator \(describe("integrator")), model sha256 \(describe("model_sha256").prefix(12))…, version \(describe("project_version"))"]
        if let shard = meta["shard"], case .number(let i, _)? = shard["index"], case .number(let n, _)? = shard["count"] {
            lines.append("  shard \(Int(i))/\(Int(n))")
        }
        return lines
    }
}

extension DatasetFolder {
    /// `ebm dataset info`'s lines of `path`: for a dataset folder its meta.json summary, then each
    /// split's (with the state names meta.json lists); for an .npz file that split's. Each file's
    /// lines go to `printed` as soon as it is read.
    public static func info(path: String, printed: (String) -> Void) throws {
        var isDirectory: ObjCBool = false
        var names: [String] = [], files = [URL(fileURLWithPath: path)]
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            let folder = URL(fileURLWithPath: path)
            let meta = try DatasetFolder.meta(of: folder)
            names = stateNames(meta: meta)
            summary(meta: meta, path: path).forEach(printed)
            files = Split.allCases.map { folder.appendingPathComponent($0.rawValue + ".npz") }
        }
        for url in files {
            try TrajectoryDataset(contentsOf: url).summary(fileName: url.lastPathComponent, stateNames: names).forEach(printed)
        }
    }
}
