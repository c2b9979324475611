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

    struct Episodes: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "episodes", abstract: "Play episodes (as `ebm view --data`).")
        @Argument(help: "A dataset folder or .npz of episodes (or give --data).") var path: String?
        @OptionGroup var options: View
        func run() throws {
            var o = options
            if let path { o.data = path }
            guard o.data != nil else { throw ValidationError("`ebm view episodes` needs a dataset folder or .npz") }
            guard o.predict == nil, o.model == nil, o.plan == nil, !o.planLive else { throw ValidationError("`ebm view episodes` shows episodes only") }
            try o.check()
            try o.run()
        }
    }

    struct Prediction: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "prediction", abstract: "Show the output of `ebm predict` (as `ebm view --predict`).")
        @Argument(help: "The .npz that `ebm predict` wrote (or give --predict).") var path: String?
        @OptionGroup var options: View
        func run() throws {
            var o = options
            if let path { o.predict = path }
            guard o.predict != nil else { throw ValidationError("`ebm view prediction` needs the .npz of `ebm predict`") }
            try o.check()
            try o.run()
        }
    }

    struct Live: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "live", abstract: "Refine sampled futures live (as `ebm view --model RUN --data DIR`).")
        @Argument(help: "The run folder of `ebm train` (or give --model).") var runFolder: String?
        @OptionGroup var options: View
        func run() throws {
            var o = options
            if let runFolder { o.model = runFolder }
            guard o.model != nil else { throw ValidationError("`ebm view live` needs a run folder") }
            try o.check()
            try o.run()
        }
    }

    struct PlanMode: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "plan", abstract: "Show a plan (as `ebm view --plan`).")
        @Argument(help: "The plan.npz (or the --out folder of `ebm plan`; or give --plan).") var path: String?
        @OptionGroup var options: View
        func run() throws {
            var o = options
            if let path { o.plan = path }
            guard o.plan != nil else { throw ValidationError("`ebm view plan` needs a plan file") }
            try o.check()
            try o.run()
        }
    }

    struct PlanLive: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "plan-live", abstract: "Plan live (as `ebm view --plan-live`).")
        @OptionGroup var options: View
        func run() throws {
            var o = options
            o.planLive = true
            try o.check()
            try o.run()
        }
    }
}
