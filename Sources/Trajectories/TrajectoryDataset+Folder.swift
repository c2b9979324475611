// TrajectoryDataset+Folder: a split of a dataset folder, and one episode's context and true
// future — what `ebm predict`, `compose`, `score` and `evaluate` read. Errors name the file.

import Foundation

extension TrajectoryDataset {
    /// FOLDER/SPLIT.npz of a dataset folder (`ebm generate`'s output).
    public init(folder: String, split: Split) throws {
        let file = URL(fileURLWithPath: folder).appendingPathComponent("\(split.rawValue).npz")
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw DatasetError.file(FileError(.notFound, path: file.path, "no such file (a dataset folder holds train.npz and test.npz)"))
        }
        do { self = try TrajectoryDataset(contentsOf: file) } catch { throw DatasetError.file(FileError(wrapping: error, path: file.path)) }
    }

    /// The dataset file `file` for a model reading states of `stateSize` numbers; errors
    /// (`DatasetError`) name the file: why it does not read, or "states have N numbers, the model reads S".
    public init(contentsOf file: URL, stateSize S: Int) throws {
        do { self = try TrajectoryDataset(contentsOf: file) } catch { throw DatasetError.file(FileError(wrapping: error, path: file.path)) }
        guard stateSize == S else { throw DatasetError.file(FileError(.mismatched, path: file.path, "states have \(stateSize) numbers, the model reads \(S)")) }
    }

    /// Raw states [range.count, S] of `episode` at the state indices `range`.
    public func states(episode: Int, _ range: Range<Int>) -> [Double] { range.flatMap { Array(state(episode: episode, step: $0)) } }

    /// The k states of `episode` from `contextStart` and, where the episode has them, up to
    /// `total` states after them (fewer near its end). Errors name `file` and the flags
    /// `--episode` / `--context-start` that chose the window.
    public func window(episode: Int, contextStart: Int, contextLength k: Int, total: Int, file: String) throws -> (context: [Double], truth: [Double]) {
        guard (0..<episodes).contains(episode) else { throw DatasetError.invalidRequest("--episode \(episode): \(file) holds \(episodes) episodes") }
        let length = steps + 1
        guard contextStart >= 0, contextStart + k <= length else {
            throw DatasetError.invalidRequest("--context-start \(contextStart): \(k) context states are needed and episodes hold \(length)")
        }
        return (states(episode: episode, contextStart..<contextStart + k), states(episode: episode, contextStart + k..<min(contextStart + k + total, length)))
    }
}
