import Trajectories

/// A problem opening a display, creating GL resources, encoding a video or writing an image; the
/// message says what failed and what to do.
public indirect enum ViewerError: FileErrorWrapping, CustomStringConvertible, Equatable {
    /// No window system to open (no DISPLAY, or the X server refused); the detail says which.
    case noDisplay(String)
    /// OpenGL or FreeType failed: a window, a shader, a framebuffer, the font library.
    case graphics(String)
    /// ffmpeg is missing, did not start, or failed while encoding.
    case video(String)
    /// A size or count out of range, in words.
    case invalidArgument(String)
    /// A font, image or video file that cannot be read or written.
    case file(FileError)
    /// `error`, about a command-line option and its value (`"--video out.mp4"`): "OPTION: ERROR".
    case option(String, ViewerError)

    public var fileError: FileError? {
        switch self {
        case .file(let error): return error
        case .option(_, let error): return error.fileError
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .noDisplay(let detail):
            return "cannot open a display (\(detail)); set DISPLAY, or run under `xvfb-run -a` (apt-get install xvfb); --screenshot needs one too, for the GL context"
        case .graphics(let m), .video(let m), .invalidArgument(let m): return m
        case .file(let error): return error.description
        case .option(let option, let error): return "\(option): \(error)"
        }
    }
}
