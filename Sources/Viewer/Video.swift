// Video: a timeline rendered offscreen frame by frame and piped to ffmpeg, which encodes H.264 into
// a temporary file beside the target, renamed over it at the end (no half-written video).

import Foundation
import Scene

/// H.264 videos of timelines through the `ffmpeg` executable.
public enum Video {
    /// Why `write` cannot run without ffmpeg.
    public static let missingFFmpeg = "ffmpeg is not installed (not found on PATH); install it (apt-get install ffmpeg) or use --screenshot"

    /// The ffmpeg executable on PATH, or nil.
    public static func ffmpegPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let dirs = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        return dirs.map { "\($0)/ffmpeg" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Renders every state of `episode` of `timeline` with `offscreen` (with `hud(state)` lines on each
    /// frame) and encodes them at `fps` frames per second into `url`. Returns the frames written.
    /// - Throws: `ViewerError` when ffmpeg is missing, fails or exits with an error (its last messages
    ///   included); the temporary file is removed then.
    public static func write(_ timeline: Timeline, episode: Int, offscreen: OffscreenRenderer, fps: Int, to url: URL,
                             hud: (Int) -> [String] = { _ in [] }) throws -> Int {
        guard let ffmpeg = ffmpegPath() else { throw ViewerError.video(missingFFmpeg) }
        let (width, height) = (offscreen.width, offscreen.height)
        let ext = url.pathExtension.isEmpty ? "mp4" : url.pathExtension
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.deletingPathExtension().lastPathComponent).\(getpid()).tmp.\(ext)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ffmpeg)
        process.arguments = ["-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgba",
                             "-s", "\(width)x\(height)", "-r", "\(fps)", "-i", "-",
                             // H.264 wants even sizes and 4:2:0 for players to accept it
                             "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-pix_fmt", "yuv420p", temporary.path]
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch { throw ViewerError.video("cannot start \(ffmpeg) (\(error.localizedDescription))") }
        // ffmpeg's messages are read on the side so that a full stderr pipe never blocks it
        final class Box: @unchecked Sendable { var data = Data() }
        let messages = Box()
        let reader = Thread { messages.data = errors.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        signal(SIGPIPE, SIG_IGN)  // an ffmpeg that dies early must give an error, not kill us
        var written = 0
        do {
            for t in 0..<timeline.length {
                let image = offscreen.render(try timeline.scene(episode, t, nil, []), hud: hud(t))
                try input.fileHandleForWriting.write(contentsOf: Data(image.rgba))
                written += 1
            }
        } catch {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: temporary)
            throw ViewerError.video("writing frame \(written) to ffmpeg failed (\(error.localizedDescription))")
        }
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        while !reader.isFinished { usleep(1000) }
        guard process.terminationStatus == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            let text = String(decoding: messages.data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ViewerError.video("ffmpeg exited with status \(process.terminationStatus): \(text.suffix(400))")
        }
        guard rename(temporary.path, url.path) == 0 else {
            throw ViewerError.video("cannot move the encoded video into place (\(String(cString: strerror(errno))))")
        }
        return written
    }
}
