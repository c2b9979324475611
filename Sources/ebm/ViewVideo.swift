import Foundation
import Scene
import Viewer

extension View {
    /// The ffmpeg executable on PATH, or nil.
    static func ffmpegPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let dirs = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        return dirs.map { "\($0)/ffmpeg" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Renders every state of the timeline (the shown episode) offscreen and pipes the RGBA frames
    /// to `ffmpeg -f rawvideo`, which encodes H.264 into a file beside `path`, renamed over it at the end.
    func writeVideo(_ timeline: Timeline, to path: String, width: Int, height: Int) throws {
        guard let ffmpeg = Self.ffmpegPath() else {
            throw CLIError("--video \(path): ffmpeg is not installed (not found on PATH); install it (apt-get install ffmpeg) or use --screenshot")
        }
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension.isEmpty ? "mp4" : url.pathExtension
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.deletingPathExtension().lastPathComponent).\(getpid()).tmp.\(ext)")
        let offscreen = try offscreenRenderer(width: width, height: height)
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
        do { try process.run() } catch { throw CLIError("--video \(path): cannot start \(ffmpeg) (\(error.localizedDescription))") }
        // ffmpeg's messages are read on the side so that a full stderr pipe never blocks it
        final class Box: @unchecked Sendable { var data = Data() }
        let messages = Box()
        let reader = Thread { messages.data = errors.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        signal(SIGPIPE, SIG_IGN)  // an ffmpeg that dies early must give an error, not kill us
        let shown = min(episode, timeline.episodes - 1)
        var written = 0
        do {
            for t in 0..<timeline.length {
                let status = hud ? ["\(timeline.title)  state \(t)/\(timeline.length - 1)"] + timeline.status() : []
                let image = offscreen.render(try timeline.scene(shown, t, nil, []), hud: status)
                try input.fileHandleForWriting.write(contentsOf: Data(image.rgba))
                written += 1
            }
        } catch {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: temporary)
            throw CLIError("--video \(path): writing frame \(written) to ffmpeg failed (\(error.localizedDescription))")
        }
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        while !reader.isFinished { usleep(1000) }
        guard process.terminationStatus == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            let text = String(decoding: messages.data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw CLIError("--video \(path): ffmpeg exited with status \(process.terminationStatus): \(text.suffix(400))")
        }
        guard rename(temporary.path, url.path) == 0 else {
            throw CLIError("--video \(path): cannot move the encoded video into place (\(String(cString: strerror(errno))))")
        }
        print("wrote \(path): \(written) frames \(width)x\(height) at \(fps) fps, \(timeline.title)")
    }
}
