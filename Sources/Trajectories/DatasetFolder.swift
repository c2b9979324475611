import Foundation

/// A generated dataset folder: `train.npz`, `test.npz`, `meta.json`. Reading, and joining shards.
public enum DatasetFolder {
    /// Reads and parses `meta.json` of `directory`.
    public static func meta(of directory: URL) throws -> JSONValue {
        let url = directory.appendingPathComponent("meta.json")
        let bytes = try AtomicFile.read(url)
        do {
            return try JSONValue.parse(bytes)
        } catch let error as JSONValue.ParseError {
            throw DatasetError("malformed JSON at \(error)", file: url.path)
        }
    }

    /// Joins shard folders written by `DatasetGenerator.write(to:shard:…)` into `output`, giving
    /// the same bytes as a single run: shards are ordered by index and their episodes concatenated.
    /// - Throws: `DatasetError` naming the folder for a missing or duplicate shard, shards of
    ///   different recipes or counts, a folder that is not a shard, and any read error.
    public static func merge(shards directories: [URL], into output: URL) throws {
        guard !directories.isEmpty else { throw DatasetError("no shard folders given") }
        var shards: [(index: Int, directory: URL)] = []
        var common: JSONValue?
        var count: Int?
        for directory in directories {
            let meta = try self.meta(of: directory)
            let file = directory.appendingPathComponent("meta.json").path
            guard case .object(let entries) = meta, let shard = meta["shard"],
                  case .number(let i, _)? = shard["index"], case .number(let n, _)? = shard["count"] else {
                throw DatasetError("not a shard (meta.json has no \"shard\" with index and count)", file: file)
            }
            let rest = JSONValue.object(entries.filter { $0.0 != "shard" })
            if let common, common != rest {
                throw DatasetError("shard of a different dataset (meta.json differs from \(shards[0].directory.path)'s beyond \"shard\")", file: file)
            }
            if let count, count != Int(n) {
                throw DatasetError("shard \(Int(i))/\(Int(n)) does not match the other shards' count \(count)", file: file)
            }
            if let other = shards.first(where: { $0.index == Int(i) }) {
                throw DatasetError("duplicate shard \(Int(i)) (also in \(other.directory.path))", file: file)
            }
            common = rest
            count = Int(n)
            shards.append((Int(i), directory))
        }
        let missing = (0..<count!).filter { i in !shards.contains { $0.index == i } }
        guard missing.isEmpty else {
            throw DatasetError("missing shard\(missing.count > 1 ? "s" : "") \(missing.map(String.init).joined(separator: ", ")) of \(count!)")
        }
        shards.sort { $0.index < $1.index }
        var joined: [TrajectoryDataset] = []
        for split in Split.allCases {
            var all: TrajectoryDataset?
            for shard in shards {
                let url = shard.directory.appendingPathComponent(split.rawValue + ".npz")
                let part = try TrajectoryDataset(contentsOf: url)
                if all == nil { all = part } else {
                    do { try all!.append(part) } catch let error as DatasetError { throw DatasetError(error.message, file: url.path) }
                }
            }
            if case .number(let expected, _)? = common?["episodes"]?[split.rawValue], Int(expected) != all!.episodes {
                throw DatasetError("shards hold \(all!.episodes) \(split.rawValue) episodes; meta.json declares \(Int(expected))")
            }
            joined.append(all!)
        }
        do {
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        } catch {
            throw DatasetError("cannot create the output folder: \(error.localizedDescription)", file: output.path)
        }
        for (split, data) in zip(Split.allCases, joined) {
            try data.write(to: output.appendingPathComponent(split.rawValue + ".npz"))
        }
        try AtomicFile.write(Array(common!.serialized().utf8), to: output.appendingPathComponent("meta.json"))
    }
}
