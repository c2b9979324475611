import Trajectories

/// A failure found while running a command (a bad input file, an unreadable array), printed as
/// "Error: <message>" without the usage text that argument-parsing mistakes get.
enum CLIError: FileErrorWrapping, CustomStringConvertible {
    /// A file the command reads or writes, named by an option or derived from one.
    case file(FileError)
    /// A failure in words, naming the option or step it came from.
    case failed(String)

    var fileError: FileError? {
        if case .file(let error) = self { return error }
        return nil
    }

    var description: String {
        switch self {
        case .file(let error): return error.description
        case .failed(let message): return message
        }
    }
}
