import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress bar on standard error with rate and ETA, redrawn at most 10 times a
/// second; when standard error is not a terminal (logs, cluster jobs) and `lines`, a plain line
/// every 10 seconds instead.
final class ProgressBar {
    let total: Int
    let unit: String
    let enabled: Bool
    let lines: Bool
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastDraw: UInt64 = 0

    init(total: Int, unit: String, enabled: Bool = isatty(STDERR_FILENO) != 0, lines: Bool = false) {
        self.total = total
        self.unit = unit
        self.enabled = enabled
        self.lines = lines && !enabled
    }

    /// A bar on a terminal, plain lines in logs, nothing when `quiet`.
    convenience init(total: Int, unit: String, quiet: Bool) {
        let terminal = isatty(STDERR_FILENO) != 0
        self.init(total: total, unit: unit, enabled: !quiet && terminal, lines: !quiet && !terminal)
    }

    /// Seconds since the bar was made.
    var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 }

    func update(_ done: Int) {
        let now = DispatchTime.now().uptimeNanoseconds
        if lines, now - max(lastDraw, start) > 10_000_000_000, done < total {   // the first line after 10 s
            lastDraw = now
            let rate = Double(done) / max(elapsed, 1e-9)
            let line = String(format: "%d/%d %@ (%.0f %%), %.0f %@/s, ETA %.0f s\n", done, total, unit, 100 * Double(done) / Double(max(total, 1)),
                              rate, unit, rate > 0 ? Double(total - done) / rate : 0)
            FileHandle.standardError.write(Data(line.utf8))
        }
        guard enabled else { return }
        guard done >= total || now - lastDraw > 100_000_000 else { return }
        lastDraw = now
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let rate = Double(done) / max(elapsed, 1e-9)
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let line = String(format: "\r[%@] %d/%d %@  %.0f %@/s  ETA %.1f s ", bar, done, total, unit, rate, unit, eta)
        FileHandle.standardError.write(Data(line.utf8))
        if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
