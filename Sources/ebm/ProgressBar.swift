import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Progress on standard error with rate and ETA: on a terminal, a one-line bar redrawn at most 10
/// times a second; elsewhere (nohup, CI, a cluster job's log) one plain line every `logInterval`
/// seconds and one at the end; nothing when not `enabled` (--quiet).
final class ProgressBar {
    var total: Int
    let unit: String
    let enabled: Bool
    /// Standard error is a terminal: the bar redraws in place.
    let interactive: Bool
    let logInterval: Double
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastDraw: UInt64 = 0

    init(total: Int, unit: String, enabled: Bool = true, interactive: Bool = isatty(STDERR_FILENO) != 0, logInterval: Double = 5) {
        self.total = total
        self.unit = unit
        self.enabled = enabled
        self.interactive = interactive
        self.logInterval = logInterval
    }

    /// A `(done, total)` callback for library calls that report their own total (the clock starts now).
    static func reporter(unit: String, enabled: Bool = true) -> (Int, Int) -> Void {
        let bar = ProgressBar(total: 0, unit: unit, enabled: enabled)
        return { done, total in
            bar.total = total
            bar.update(done)
        }
    }

    /// Seconds since the bar was made.
    var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 }

    /// Reports `done` of `total`; `detail` (e.g. the loss) follows a plain line.
    func update(_ done: Int, detail: String = "") {
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
            let line = String(format: "%d/%d %@ (%.0f%%)  %.0f %@/s  ETA %.1f s%@\n", done, total, unit, 100 * fraction, rate, unit, eta,
                              detail.isEmpty ? "" : "  " + detail)
            FileHandle.standardError.write(Data(line.utf8))
            return
        }
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let line = String(format: "\r[%@] %d/%d %@  %.0f %@/s  ETA %.1f s ", bar, done, total, unit, rate, unit, eta)
        FileHandle.standardError.write(Data(line.utf8))
        if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

/// Progress of a command made of sections of unknown length (e.g. `ebm evaluate`): one line on
/// standard error as each section starts, with the previous one's time and the elapsed total.
final class SectionProgress {
    let command: String, sections: Int
    private var current = 0
    private let start = DispatchTime.now().uptimeNanoseconds
    private var sectionStart: UInt64 = 0

    init(command: String, sections: Int) { (self.command, self.sections) = (command, sections) }

    private func seconds(since t: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - t) * 1e-9 }

    /// The next section begins.
    func start(_ name: String) {
        let previous = current > 0 ? String(format: " (section %d took %.1f s)", current, seconds(since: sectionStart)) : ""
        current += 1
        sectionStart = DispatchTime.now().uptimeNanoseconds
        let line = String(format: "%@: section %d/%d, %@ …  %.1f s elapsed%@\n", command, current, sections, name, seconds(since: start), previous)
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Every section has finished.
    func finish() {
        let line = String(format: "%@: %d/%d sections done in %.1f s\n", command, current, sections, seconds(since: start))
        FileHandle.standardError.write(Data(line.utf8))
    }
}
