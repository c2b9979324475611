/// A problem opening a display, creating GL resources or writing an image; the message says
/// what failed and what to do.
public struct ViewerError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }

    /// No window system to open (no DISPLAY, or the X server refused).
    public static func noDisplay(_ detail: String) -> ViewerError {
        ViewerError("cannot open a display (\(detail)); set DISPLAY, or run under `xvfb-run -a` (apt-get install xvfb); --screenshot needs one too, for the GL context")
    }
}
