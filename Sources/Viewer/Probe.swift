import CGLFW

/// What the GL implementation is, asked before choosing settings that cost a software renderer dearly.
public enum GraphicsProbe {
    /// The GL_RENDERER string of an OpenGL 3.3 core context (a hidden window made and destroyed);
    /// throws `ViewerError.noDisplay` when no display is available.
    public static func rendererName() throws -> String {
        let window = try GLFW.makeWindow(width: 16, height: 16, title: "ebm probe", visible: false, samples: 0)
        defer { glfwDestroyWindow(window) }
        return GLFW.rendererName
    }

    /// Whether `renderer` names a CPU rasteriser (Mesa's llvmpipe, softpipe, swrast), where every
    /// multisample multiplies fragment work.
    public static func isSoftware(_ renderer: String) -> Bool {
        let r = renderer.lowercased()
        return ["llvmpipe", "softpipe", "swrast", "software"].contains { r.contains($0) }
    }

    /// Slices around translucent (ghost) shapes when the user gave none: 4 on software renderers,
    /// where triangles dominate the frame (arm7 with 64 ghost futures at 1280×720 on llvmpipe, idle
    /// 2-core machine: 8 slices 23 ms, 6 slices 20 ms, 4 slices 15 ms), 8 on GPUs.
    public static func defaultTranslucentSlices() throws -> Int {
        isSoftware(try rendererName()) ? 4 : 8
    }

    /// Multisamples to use when the user gave none: 0 on software renderers, 4 on GPUs.
    public static func defaultMultisamples() throws -> Int {
        isSoftware(try rendererName()) ? 0 : 4
    }
}
