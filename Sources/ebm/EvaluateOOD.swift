// Placeholder while `ebm evaluate --ood` is being built (replaced by its real implementation).
enum OODEvaluation {
    static func run(_ command: Evaluate) throws { throw CLIError("--ood: not built yet") }
}
