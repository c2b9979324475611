import CGLFW
import Foundation

/// The last GLFW error, reported through its error callback (GLFW calls it on the main thread).
nonisolated(unsafe) private var lastGLFWError = ""

/// GLFW set up once per process, with an OpenGL 3.3 core context per window.
enum GLFW {
    nonisolated(unsafe) private static var initialised = false

    /// Initialises GLFW, or throws `ViewerError.noDisplay` naming why.
    static func start() throws {
        if initialised { return }
        glfwSetErrorCallback { _, description in
            lastGLFWError = description.map { String(cString: $0) } ?? "unknown GLFW error"
        }
        guard glfwInit() == GLFW_TRUE else {
            let display = ProcessInfo.processInfo.environment["DISPLAY"].map { "DISPLAY=\($0)" } ?? "DISPLAY is not set"
            throw ViewerError.noDisplay("\(display): \(lastGLFWError)")
        }
        initialised = true
    }

    /// A window with a current OpenGL 3.3 core context; hidden windows serve offscreen rendering.
    static func makeWindow(width: Int, height: Int, title: String, visible: Bool, samples: Int = 4) throws -> OpaquePointer {
        try start()
        glfwDefaultWindowHints()
        glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3)
        glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3)
        glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE)
        glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE)
        glfwWindowHint(GLFW_VISIBLE, visible ? GLFW_TRUE : GLFW_FALSE)
        glfwWindowHint(GLFW_SAMPLES, Int32(samples))
        // no stencil (nothing uses it): a depth-only buffer is cheaper to clear on software renderers
        glfwWindowHint(GLFW_STENCIL_BITS, 0)
        guard let window = glfwCreateWindow(Int32(width), Int32(height), title, nil, nil) else {
            throw ViewerError.graphics("cannot create an OpenGL 3.3 core window: \(lastGLFWError)")
        }
        glfwMakeContextCurrent(window)
        return window
    }

    /// The window whose context is current on this thread (nil: none).
    static var currentContext: OpaquePointer? { glfwGetCurrentContext() }

    /// The GL renderer string of the current context (e.g. "llvmpipe (LLVM 15.0.6, 256 bits)").
    static var rendererName: String {
        glGetString(GLenum(GL_RENDERER)).map { String(cString: $0) } ?? "unknown"
    }
}
