import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A generated dataset folder: `train.npz`, `test.npz`, `meta.json`. Reading, and joining shards.
public enum DatasetFolder {
    /// The robot named by a dataset's `meta.json` beside `path` (`robot`, or `recipe.robot`), if any.
    public static func robotName(near path: String) -> String? {
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        let dir = isDirectory.boolValue ? path : (path as NSString).deletingLastPathComponent
        guard let meta = try? DatasetFolder.meta(of: URL(fileURLWithPath: dir.isEmpty ? "." : dir)) else { return nil }
        if case .string(let r)? = meta["robot"] { return r }
        if case .string(let r)? = meta["recipe"]?["robot"] { return r }
        return nil
    }

    /// Reads and parses `meta.json` of `directory`.
    public static func meta(of directory: URL) throws -> JSONValue {
        let url = directory.appendingPathComponent("meta.json")
        let bytes = try AtomicFile.read(url)
        do {
            return try JSONValue.parse(bytes)
        } catch let error as JSONValue.ParseError {
            throw DatasetError.file(FileError(.malformed, path: url.path, "malformed JSON at \(error)"))
        }
    }

    /// Joins shard folders written by `DatasetGenerator.write(to:shard:…)` into `output`, giving
    /// the same bytes as a single run: shards are ordered by index and their episodes concatenated,
    /// one shard in memory at a time (`TrajectoryDatasetWriter`).
    /// - Throws: `DatasetError` naming the folder for a missing or duplicate shard, shards of
    ///   different recipes or counts, a folder that is not a shard, and any read error.
    public static func merge(shards directories: [URL], into output: URL) throws {
        guard !directories.isEmpty else { throw DatasetError.invalidRequest("no shard folders given") }
        // shards kept in OUTPUT/shards/ survive the replacement (see `publish`); any other input may not be touched
        let kept = OutputPath.resolved(output.appendingPathComponent("shards").path) + "/"
        try OutputPath.check(output.path, kind: .folder, inputs: directories.map(\.path).filter { !OutputPath.resolved($0).hasPrefix(kept) })
        var shards: [(index: Int, directory: URL)] = []
        var common: JSONValue?
        var count: Int?
        for directory in directories {
            let meta = try self.meta(of: directory)
            let file = directory.appendingPathComponent("meta.json").path
            guard case .object(let entries) = meta, let shard = meta["shard"],
                  case .number(let i, _)? = shard["index"], case .number(let n, _)? = shard["count"] else {
                throw DatasetError.file(FileError(.malformed, path: file, "not a shard (meta.json has no \"shard\" with index and count)"))
            }
            let rest = JSONValue.object(entries.filter { $0.0 != "shard" })
            if let common, common != rest {
                throw DatasetError.file(FileError(.mismatched, path: file, "shard of a different dataset (meta.json differs from \(shards[0].directory.path)'s beyond \"shard\")"))
            }
            if let count, count != Int(n) {
                throw DatasetError.file(FileError(.mismatched, path: file, "shard \(Int(i))/\(Int(n)) does not match the other shards' count \(count)"))
            }
            if let other = shards.first(where: { $0.index == Int(i) }) {
                throw DatasetError.file(FileError(.mismatched, path: file, "duplicate shard \(Int(i)) (also in \(other.directory.path))"))
            }
            common = rest
            count = Int(n)
            shards.append((Int(i), directory))
        }
        let missing = (0..<count!).filter { i in !shards.contains { $0.index == i } }
        guard missing.isEmpty else {
            throw DatasetError.invalidRequest("missing shard\(missing.count > 1 ? "s" : "") \(missing.map(String.init).joined(separator: ", ")) of \(count!)")
        }
        shards.sort { $0.index < $1.index }
        // counts first (from the members' headers), then one shard in memory at a time, appended as read
        var totals: [Split: Int] = [:]
        for split in Split.allCases {
            let held = try shards.reduce(0) { $0 + (try episodeCount($1.directory.appendingPathComponent(split.rawValue + ".npz"))) }
            if case .number(let expected, _)? = common?["episodes"]?[split.rawValue], Int(expected) != held {
                throw DatasetError.invalidRequest("shards hold \(held) \(split.rawValue) episodes; meta.json declares \(Int(expected))")
            }
            totals[split] = held
        }
        try publish(output) { folder in
            for split in Split.allCases {
                var writer: TrajectoryDatasetWriter?
                for shard in shards {
                    let url = shard.directory.appendingPathComponent(split.rawValue + ".npz")
                    let part = try TrajectoryDataset(contentsOf: url)
                    do {
                        if writer == nil {
                            writer = try TrajectoryDatasetWriter(to: folder.appendingPathComponent(split.rawValue + ".npz"), episodes: totals[split]!, steps: part.steps,
                                                                 stateSize: part.stateSize, controlSize: part.controlSize, siteCount: part.siteCount)
                        }
                        try writer!.append(part)
                    } catch let error as DatasetError {
                        throw DatasetError.file(FileError(.mismatched, path: url.path, error.message))
                    }
                }
                try writer!.finish()
            }
            try AtomicFile.write(Array(common!.serialized().utf8), to: folder.appendingPathComponent("meta.json"))
        }
    }

    /// Episodes in split file `url`: the length of its `goal` member, from the header when it is
    /// stored (nothing else read), else from the split read whole.
    static func episodeCount(_ url: URL) throws -> Int {
        if let goal = try NumPyArchiveIndex(PositionalReader(contentsOf: url)).storedArray(named: "goal"), goal.shape.count == 1 {
            return goal.shape[0]
        }
        return try TrajectoryDataset(contentsOf: url).episodes
    }

    // MARK: - Whole-folder atomicity

    /// The entries a dataset folder may hold: its files, and the shards it was merged from.
    public static let entries: Set<String> = ["train.npz", "test.npz", "meta.json", "shards"]

    /// Makes `directory` appear complete or not at all: `build` fills a hidden sibling folder
    /// (`.NAME.partial-PID-…`), which then replaces `directory` in one step — `renameat2(2)` with
    /// `RENAME_EXCHANGE` when the folder exists (a `shards/` subfolder is carried over), `rename(2)`
    /// when it does not. A kill at any moment leaves the old dataset or the new one, plus at most a
    /// hidden partial folder, which the next publish beside it removes once its process is gone.
    /// - Throws: `DatasetError` when `directory` holds anything but a dataset's entries (so a folder
    ///   of other files is never replaced), and any error of `build` (the partial folder is removed).
    public static func publish(_ directory: URL, build: (URL) throws -> Void) throws {
        let manager = FileManager.default
        let target = directory.standardizedFileURL
        let parent = target.deletingLastPathComponent(), name = target.lastPathComponent
        var isDirectory: ObjCBool = false
        let exists = manager.fileExists(atPath: target.path, isDirectory: &isDirectory)
        if exists {
            guard isDirectory.boolValue else { throw DatasetError.file(FileError(.writeFailed, path: directory.path, "is a file; a dataset is a folder")) }
            let foreign = ((try? manager.contentsOfDirectory(atPath: target.path)) ?? [])
                .filter { !$0.hasPrefix(".") && !entries.contains($0) }.sorted()
            guard foreign.isEmpty else {
                throw DatasetError.file(FileError(.writeFailed, path: directory.path, "holds \(foreign.prefix(3).joined(separator: ", "))\(foreign.count > 3 ? ", …" : ""), which is not part of a dataset; "
                                   + "give a new or empty folder (a dataset folder is replaced whole)"))
            }
        }
        do { try manager.createDirectory(at: parent, withIntermediateDirectories: true) } catch {
            throw DatasetError.file(FileError(.writeFailed, path: parent.path, "cannot create the output folder: \(error.localizedDescription)"))
        }
        removeStalePartials(of: name, in: parent)
        let partial = parent.appendingPathComponent(".\(name).partial-\(getpid())-\(UUID().uuidString.prefix(8))")
        do { try manager.createDirectory(at: partial, withIntermediateDirectories: false) } catch {
            throw DatasetError.file(FileError(.writeFailed, path: partial.path, "cannot create a temporary folder: \(error.localizedDescription)"))
        }
        var published = false
        defer { if !published { try? manager.removeItem(at: partial) } }
        try build(partial)
        if !exists {
            guard rename(partial.path, target.path) == 0 else {
                throw DatasetError.file(FileError(.writeFailed, path: directory.path, "cannot rename the finished dataset into place: \(String(cString: strerror(errno)))"))
            }
            published = true
            return
        }
        // the old folder ends up at `partial`; its shards move back, then it goes
        if let exchange = renameExchange {
            guard exchange(AT_FDCWD, partial.path, AT_FDCWD, target.path, 2 /* RENAME_EXCHANGE */) == 0 else {
                throw DatasetError.file(FileError(.writeFailed, path: directory.path, "cannot swap the finished dataset into place: \(String(cString: strerror(errno)))"))
            }
        } else {
            let old = parent.appendingPathComponent(".\(name).partial-\(getpid())-old")
            guard rename(target.path, old.path) == 0, rename(partial.path, target.path) == 0 else {
                throw DatasetError.file(FileError(.writeFailed, path: directory.path, "cannot rename the finished dataset into place: \(String(cString: strerror(errno)))"))
            }
            _ = rename(old.path, partial.path)
        }
        let shards = partial.appendingPathComponent("shards")
        if manager.fileExists(atPath: shards.path) { _ = rename(shards.path, target.appendingPathComponent("shards").path) }
        // `published` stays false: the defer removes the old dataset, now at `partial`
    }

    /// `renameat2(2)`, looked up at run time (glibc ≥ 2.28 exports it; Swift's Glibc module hides it).
    private static let renameExchange: (@convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32)? = {
        #if os(Linux)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32).self)
        #else
        return nil
        #endif
    }()

    /// Removes `.NAME.partial-PID-…` folders beside `name` whose process has exited (killed runs);
    /// a `shards/` a kill left in one (between the swap and carrying it over) goes back first.
    static func removeStalePartials(of name: String, in parent: URL) {
        let manager = FileManager.default
        let prefix = ".\(name).partial-"
        for entry in (try? manager.contentsOfDirectory(atPath: parent.path)) ?? [] where entry.hasPrefix(prefix) {
            guard let pid = Int32(entry.dropFirst(prefix.count).prefix { $0 != "-" }) else { continue }
            if pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                let stale = parent.appendingPathComponent(entry)
                let shards = parent.appendingPathComponent(name).appendingPathComponent("shards")
                if manager.fileExists(atPath: stale.appendingPathComponent("shards").path), manager.fileExists(atPath: shards.deletingLastPathComponent().path),
                   !manager.fileExists(atPath: shards.path) {
                    _ = rename(stale.appendingPathComponent("shards").path, shards.path)
                }
                try? manager.removeItem(at: stale)
            }
        }
    }

    /// Why `directory` is not a complete dataset folder (no `meta.json`, or a split missing), or nil.
    /// Readers of folders made by hand (no `meta.json`) warn with it rather than refuse.
    public static func incompleteness(of directory: URL) -> String? {
        let missing = ["meta.json", "train.npz", "test.npz"].filter {
            !FileManager.default.fileExists(atPath: directory.appendingPathComponent($0).path)
        }
        return missing.isEmpty ? nil : "\(directory.path): no \(missing.joined(separator: ", ")) — not a complete `ebm generate` dataset"
    }
}
