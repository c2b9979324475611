import Foundation
import Scene
import Viewer

extension View {
    /// --video: every state of the shown episode rendered offscreen and encoded by ffmpeg (`Video`).
    func writeVideo(_ timeline: Timeline, to path: String, width: Int, height: Int) throws {
        guard Video.ffmpegPath() != nil else { throw CLIError("--video \(path): " + Video.missingFFmpeg) }
        let offscreen = try renderSettings.offscreenRenderer(width: width, height: height)
        let written: Int
        do {
            written = try Video.write(timeline, episode: min(episode, timeline.episodes - 1), offscreen: offscreen, fps: fps, to: URL(fileURLWithPath: path)) { hud ? timeline.hudLines(state: $0) : [] }
        } catch let e as ViewerError { throw CLIError("--video \(path): \(e)") }
        print("wrote \(path): \(written) frames \(width)x\(height) at \(fps) fps, \(timeline.title)")
    }
}
