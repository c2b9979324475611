import ArgumentParser

/// `ebm view episodes|prediction|live|plan|plan-live`: one command per mode, each reading `View`'s
/// options with the mode's input as its argument. Without a mode, the flags choose it as before
/// (`ebm view --plan FILE`, `ebm view --plan-live`, …).
struct ViewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view", abstract: View.configuration.abstract, discussion: View.configuration.discussion,
        subcommands: [ByFlags.self, Episodes.self, Prediction.self, Live.self, PlanMode.self, PlanLive.self], defaultSubcommand: ByFlags.self)

    /// The mode the flags choose (the default).
    struct ByFlags: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "The mode the flags choose (the default; `ebm view show --help` lists every option).",
                                                        discussion: View.configuration.discussion)
        @OptionGroup var options: View
        func validate() throws { try options.check() }
        func run() throws { try options.run() }
    }

    struct Episodes: ViewMode {
        static let configuration = CommandConfiguration(commandName: "episodes", abstract: "Play episodes (as `ebm view --data`).")
        @Argument(help: "A dataset folder or .npz of episodes (or give --data).") var input: String?
        @OptionGroup var options: View
        static func select(_ input: String?, in o: inout View) throws {
            o.data = input ?? o.data
            guard o.data != nil else { throw ValidationError("`ebm view episodes` needs a dataset folder or .npz") }
            guard o.predict == nil, o.model == nil, o.plan == nil, !o.planLive else { throw ValidationError("`ebm view episodes` shows episodes only") }
        }
    }

    struct Prediction: ViewMode {
        static let configuration = CommandConfiguration(commandName: "prediction", abstract: "Show the output of `ebm predict` (as `ebm view --predict`).")
        @Argument(help: "The .npz that `ebm predict` wrote (or give --predict).") var input: String?
        @OptionGroup var options: View
        static func select(_ input: String?, in o: inout View) throws {
            o.predict = input ?? o.predict
            guard o.predict != nil else { throw ValidationError("`ebm view prediction` needs the .npz of `ebm predict`") }
        }
    }

    struct Live: ViewMode {
        static let configuration = CommandConfiguration(commandName: "live", abstract: "Refine sampled futures live (as `ebm view --model RUN --data DIR`).")
        @Argument(help: "The run folder of `ebm train` (or give --model).") var input: String?
        @OptionGroup var options: View
        static func select(_ input: String?, in o: inout View) throws {
            o.model = input ?? o.model
            guard o.model != nil else { throw ValidationError("`ebm view live` needs a run folder") }
        }
    }

    struct PlanMode: ViewMode {
        static let configuration = CommandConfiguration(commandName: "plan", abstract: "Show a plan (as `ebm view --plan`).")
        @Argument(help: "The plan.npz (or the --out folder of `ebm plan`; or give --plan).") var input: String?
        @OptionGroup var options: View
        static func select(_ input: String?, in o: inout View) throws {
            o.plan = input ?? o.plan
            guard o.plan != nil else { throw ValidationError("`ebm view plan` needs a plan file") }
        }
    }

    struct PlanLive: ViewMode {
        static let configuration = CommandConfiguration(commandName: "plan-live", abstract: "Plan live (as `ebm view --plan-live`).")
        var input: String? { nil }
        @OptionGroup var options: View
        static func select(_ input: String?, in o: inout View) throws { o.planLive = true }
    }
}

/// A mode of `ebm view`: puts its argument where `View` reads it, then checks and shows.
protocol ViewMode: ParsableCommand {
    var input: String? { get }
    var options: View { get }
    /// Sets the mode's input (the argument, else the flag) in `options`; throws when there is none.
    static func select(_ input: String?, in options: inout View) throws
}

extension ViewMode {
    func run() throws {
        var o = options
        try Self.select(input, in: &o)
        try o.check()
        try o.run()
    }
}
