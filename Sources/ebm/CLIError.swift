import Trajectories

/// A failure found while running a command (a bad input file, an unreadable array), printed as
/// "Error: <message>" without the usage text that argument-parsing mistakes get.
enum CLIError: FileCaseError, CustomStringConvertible {
    /// A file the command reads or writes, named by an option or derived from one.
    case file(FileError)
    /// A failure in words, naming the option or step it came from.
    case failed(String)

    var content: FileErrorOrWords {
        switch self {
        case .file(let error): return .file(error)
        case .failed(let message): return .words(message)
        }
    }
}
