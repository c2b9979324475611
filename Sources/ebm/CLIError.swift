/// A failure found while running a command (a bad input file, an unreadable array), printed as
/// "Error: <message>" without the usage text that argument-parsing mistakes get.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
