// Progress: what a long call reports while it runs — a bar with rate and ETA (`ProgressBar`), one
// line per section of a command made of sections (`SectionProgress`), and Ctrl-C turned into a
// request a loop reads between steps (`InterruptRequest`). Any Swift program may use them; the
// `ebm` commands do.

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `text` to standard error (the default sink of the progress types).
public func writeToStandardError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}

/// Progress with rate and ETA: on a terminal, a one-line bar redrawn at most 10 times a second;
/// elsewhere (nohup, CI, a cluster job's log) one plain line every `logInterval` seconds and one at
/// the end; nothing when not `enabled` (--quiet). Lines go to `output` (standard error by default).
public final class ProgressBar {
    /// Units of work in all (`update(_:)` reports done of these).
    public var total: Int
    /// The unit's name in the line ("it", "episodes", …).
    public let unit: String
    /// False: `update` prints nothing.
    public let enabled: Bool
    /// The output is a terminal: the bar redraws in place.
    public let interactive: Bool
    /// Seconds between plain lines when not `interactive`.
    public let logInterval: Double
    private let output: (String) -> Void
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastDraw: UInt64 = 0

    public init(total: Int, unit: String, enabled: Bool = true, interactive: Bool = isatty(STDERR_FILENO) != 0, logInterval: Double = 5,
                output: @escaping (String) -> Void = writeToStandardError) {
        self.total = total
        self.unit = unit
        self.enabled = enabled
        self.interactive = interactive
        self.logInterval = logInterval
        self.output = output
    }

    /// A `(done, total)` callback for library calls that report their own total (the clock starts now).
    public static func reporter(unit: String, enabled: Bool = true) -> (Int, Int) -> Void {
        let bar = ProgressBar(total: 0, unit: unit, enabled: enabled)
        return { done, total in
            bar.total = total
            bar.update(done)
        }
    }

    /// Seconds since the bar was made.
    public var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 }

    /// Reports `done` of `total`; `detail` (e.g. the loss) follows a plain line.
    public func update(_ done: Int, detail: String = "") {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        let interval = interactive ? 100_000_000 : UInt64(logInterval * 1e9)
        guard done >= total || now - lastDraw > interval else { return }
        if !interactive && lastDraw == 0 && done < total { lastDraw = now; return }  // the first line after logInterval
        lastDraw = now
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let rate = Double(done) / max(elapsed, 1e-9)
        let eta = rate > 0 ? Double(total - done) / rate : 0
        guard interactive else {
            output(String(format: "%d/%d %@ (%.0f%%)  %.0f %@/s  ETA %.1f s%@\n", done, total, unit, 100 * fraction, rate, unit, eta,
                          detail.isEmpty ? "" : "  " + detail))
            return
        }
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        output(String(format: "\r[%@] %d/%d %@  %.0f %@/s  ETA %.1f s ", bar, done, total, unit, rate, unit, eta))
        if done >= total { output("\n") }
    }
}

/// Progress of a command made of sections of unknown length (e.g. `ebm evaluate`): one line as each
/// section starts, with the previous one's time and the elapsed total (to `output`, standard error
/// by default).
public final class SectionProgress {
    /// The command's name at the start of each line, and its number of sections.
    public let command: String, sections: Int
    private var current = 0
    private let output: (String) -> Void
    private let start = DispatchTime.now().uptimeNanoseconds
    private var sectionStart: UInt64 = 0

    public init(command: String, sections: Int, output: @escaping (String) -> Void = writeToStandardError) {
        (self.command, self.sections, self.output) = (command, sections, output)
    }

    private func seconds(since t: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - t) * 1e-9 }

    /// The next section begins.
    public func start(_ name: String) {
        let previous = current > 0 ? String(format: " (section %d took %.1f s)", current, seconds(since: sectionStart)) : ""
        current += 1
        sectionStart = DispatchTime.now().uptimeNanoseconds
        output(String(format: "%@: section %d/%d, %@ …  %.1f s elapsed%@\n", command, current, sections, name, seconds(since: start), previous))
    }

    /// Every section has finished.
    public func finish() {
        output(String(format: "%@: %d/%d sections done in %.1f s\n", command, current, sections, seconds(since: start)))
    }
}

/// Set by the SIGINT handler of `InterruptRequest.watch()`.
nonisolated(unsafe) private var interruptRequested: sig_atomic_t = 0

/// Ctrl-C as a request: between `watch()` and `stopWatching()`, SIGINT sets a flag that a long loop
/// reads once per step (e.g. `Trainer.run(shouldStop:)`) instead of ending the process.
public enum InterruptRequest {
    /// Clears the flag and makes SIGINT set it.
    public static func watch() {
        interruptRequested = 0
        signal(SIGINT) { _ in interruptRequested = 1 }
    }

    /// SIGINT ends the process again (its default).
    public static func stopWatching() { signal(SIGINT, SIG_DFL) }

    /// Whether SIGINT arrived since `watch()`.
    public static var isRequested: Bool { interruptRequested != 0 }
}
