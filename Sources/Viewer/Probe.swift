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

    /// Multisamples to use when the user gave none: 0 on software renderers, 4 on GPUs.
    public static func defaultMultisamples() throws -> Int {
        isSoftware(try rendererName()) ? 0 : 4
    }
}
