import ArgumentParser
import Viewer

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

    typealias Episodes = InputMode<EpisodesInput>
    typealias Prediction = InputMode<PredictionInput>
    typealias Live = InputMode<LiveInput>
    typealias PlanMode = InputMode<PlanInput>

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

extension ViewRequest.Input {
    /// The `View` option the argument of `ebm view MODE INPUT` fills (live planning takes none).
    var option: WritableKeyPath<View, String?> {
        switch self {
        case .episodes: return \.data
        case .prediction: return \.predict
        case .live: return \.model
        case .plan, .planLive: return \.plan
        }
    }
}

protocol ViewInputTag { static var input: ViewRequest.Input { get } }
enum EpisodesInput: ViewInputTag { static var input: ViewRequest.Input { .episodes } }
enum PredictionInput: ViewInputTag { static var input: ViewRequest.Input { .prediction } }
enum LiveInput: ViewInputTag { static var input: ViewRequest.Input { .live } }
enum PlanInput: ViewInputTag { static var input: ViewRequest.Input { .plan } }

/// `ebm view MODE [INPUT]`: the input as an argument (or its flag), then `View`'s checks and display.
struct InputMode<Tag: ViewInputTag>: ParsableCommand {
    static var configuration: CommandConfiguration {
        let (noun, flag) = Tag.input.what
        return CommandConfiguration(commandName: Tag.input.rawValue, abstract: "Show \(noun) (as `ebm view \(flag)`).")
    }
    @Argument(help: ArgumentHelp("\(Tag.input.what.noun) (or give \(Tag.input.what.flag)).")) var input: String?
    @OptionGroup var options: View

    func run() throws {
        var o = options
        let option = Tag.input.option
        o[keyPath: option] = input ?? o[keyPath: option]
        guard o[keyPath: option] != nil else { throw ValidationError("`ebm view \(Tag.input.rawValue)` needs \(Tag.input.what.noun)") }
        if Tag.input == .episodes, o.predict != nil || o.model != nil || o.plan != nil || o.planLive {
            throw ValidationError("`ebm view episodes` shows episodes only")
        }
        try o.check()
        try o.run()
    }
}
