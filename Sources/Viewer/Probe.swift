import CGLFW

/// What the GL implementation is, asked before choosing settings that cost a software renderer dearly.
public enum GraphicsProbe {
    /// The GL_RENDERER string of an OpenGL 3.3 core context (a hidden window made and destroyed
    /// on the first call, remembered after); throws `ViewerError.noDisplay` when no display is available.
    public static func rendererName() throws -> String {
        if let probed { return probed }
        let window = try GLFW.makeWindow(width: 16, height: 16, title: "ebm probe", visible: false, samples: 0)
        defer { glfwDestroyWindow(window) }
        probed = GLFW.rendererName
        return GLFW.rendererName
    }

    /// Asked on the main thread only (GLFW windows are made there).
    nonisolated(unsafe) private static var probed: String?

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

    /// Rings of the rounded ends of translucent capsules and spheres when the user gave none: 1
    /// (pyramid caps, 16 instead of 32 triangles per capsule at 4 slices) on software renderers, 2
    /// on GPUs. With 64 arm7 ghosts at 1280×720 on llvmpipe the ghosts cost about 9 ms with 2
    /// rings and 7 ms with 1 (benchmarks/README.md).
    public static func defaultTranslucentCapStacks() throws -> Int {
        isSoftware(try rendererName()) ? 1 : 2
    }

    /// Multisamples to use when the user gave none: 0 on software renderers, 4 on GPUs.
    public static func defaultMultisamples() throws -> Int {
        isSoftware(try rendererName()) ? 0 : 4
    }
}
