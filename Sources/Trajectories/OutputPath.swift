import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one guard every command that writes runs before it writes: an output never replaces an
/// input, never lands inside an input dataset or run folder, and is never a link, FIFO or device.
///
/// Paths are compared after resolving `.`/`..` and symbolic links (`realpath(3)` of the output's
/// folder, which must exist or be creatable). A symbolic link as the output itself is refused
/// deliberately rather than written through: an atomic rename would replace the link by a file.
public enum OutputPath {
    /// What the output is: one file, or a folder the command fills (a dataset, a run, a report).
    public enum Kind: Sendable { case file, folder }

    /// Throws `DatasetError` naming `output` when writing it could destroy or corrupt an input:
    /// - the output resolves to an input file, or to an input folder;
    /// - the output lies inside an input dataset or run folder, or inside the one holding an input
    ///   file (a folder with `meta.json`, `train.npz`, `test.npz`, `model.safetensors`, `config.json`
    ///   or `checkpoints/`);
    /// - a folder output contains an input (filling or replacing it would touch the input);
    /// - the output exists and is a symbolic link, a FIFO, a device or a socket; or a folder where
    ///   a file is written (or a file where a folder is).
    /// Inputs that do not exist are skipped (their own readers report them).
    public static func check(_ output: String, kind: Kind = .file, inputs: [String?], option: String = "--out") throws {
        let error = { (reason: String) in DatasetError.file(FileError(.writeFailed, path: output, "\(option) refused: \(reason)")) }
        var info = stat()
        if lstat(output, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFLNK: throw error("is a symbolic link (give the path it points to; writing would replace the link by a file)")
            case S_IFIFO, S_IFCHR, S_IFBLK, S_IFSOCK: throw error("is not a regular file (FIFO, device or socket)")
            case S_IFDIR where kind == .file: throw error("is a folder; give a file path")
            case S_IFREG where kind == .folder: throw error("is a file; give a folder path")
            default: break
            }
        }
        let target = resolved(output)
        for case let input? in inputs {
            var inputInfo = stat()
            guard stat(input, &inputInfo) == 0 else { continue }
            let source = resolved(input)
            let inputIsFolder = inputInfo.st_mode & S_IFMT == S_IFDIR
            if target == source {
                throw error("it is the input \(input)")
            }
            // the dataset or run folder an input is, or an input file lies in (a plain folder given
            // as an input, such as a scratch folder holding runs, protects only itself)
            let folder = inputIsFolder ? source : (source as NSString).deletingLastPathComponent
            let folders = isDatasetOrRunFolder(folder) ? [folder] : []
            for folder in folders where contains(folder, target) {
                throw error("it lies inside the input folder \(folder) (write outside input datasets and runs)")
            }
            if kind == .folder, contains(target, source) {
                throw error("the folder holds the input \(input)")
            }
        }
    }

    /// Whether `folder` is a dataset (generated or hand-made) or a training run, so that every file
    /// in it counts as an input.
    public static func isDatasetOrRunFolder(_ folder: String) -> Bool {
        ["meta.json", "train.npz", "test.npz", "model.safetensors", "config.json", "checkpoints"].contains {
            FileManager.default.fileExists(atPath: folder + "/" + $0)
        }
    }

    /// `path` with links, `.` and `..` resolved: `realpath` of the longest existing prefix, then the rest.
    public static func resolved(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var head = (absolute as NSString).standardizingPath
        var tail: [String] = []
        while true {
            if let real = realpath(head, nil) {
                defer { free(real) }
                let base = String(cString: real)
                return tail.isEmpty ? base : (base == "/" ? "" : base) + "/" + tail.reversed().joined(separator: "/")
            }
            let parent = (head as NSString).deletingLastPathComponent
            if parent == head || parent.isEmpty { return absolute }
            tail.append((head as NSString).lastPathComponent)
            head = parent
        }
    }

    /// Whether `path` is `folder` or lies below it (both resolved).
    static func contains(_ folder: String, _ path: String) -> Bool {
        path == folder || path.hasPrefix(folder == "/" ? "/" : folder + "/")
    }
}
