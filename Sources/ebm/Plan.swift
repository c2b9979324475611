import ArgumentParser

// Placeholder while the command is being built (replaced by its real implementation).
struct Plan: ParsableCommand {
    func run() throws { throw CLIError("not built yet") }
}
