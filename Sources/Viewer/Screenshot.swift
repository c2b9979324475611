import Plotting
import Scene

/// One-call headless rendering for the CLI and reports.
public enum Screenshot {
    /// Renders `scene` offscreen at `width` × `height` and writes a PNG to `path`; returns the image.
    @discardableResult
    public static func write(_ scene: Scene, width: Int, height: Int, samples: Int = 4, hud: [String] = [],
                             to path: String) throws -> Image {
        let offscreen = try OffscreenRenderer(width: width, height: height, samples: samples)
        let image = offscreen.render(scene, hud: hud)
        try image.writePNG(to: path)
        return image
    }
}
