import CGLFW
import Plotting
import Scene

/// Renders scenes into an offscreen framebuffer (4x multisampled, then resolved) and reads the
/// pixels back: screenshots without a visible window. Needs a display for the hidden GLFW
/// window that owns the context (Xvfb is enough).
public final class OffscreenRenderer {
    public let width: Int, height: Int
    /// Draws into the target (its GL objects live in this renderer's own context).
    public var renderer: Renderer { ownRenderer! }
    private var ownRenderer: Renderer?
    private let window: OpaquePointer
    private var msFBO: GLuint = 0, resolveFBO: GLuint = 0
    private var renderbuffers: [GLuint] = []

    /// Multisamples per pixel (0: none; software renderers pay for each).
    public let samples: Int

    /// An offscreen target of `width` × `height` pixels with `samples` multisamples (0 or 2...16).
    public init(width: Int, height: Int, samples: Int = 4, fontPath: String? = TextRenderer.defaultFontPath) throws {
        guard width > 0, height > 0, width <= 8192, height <= 8192 else {
            throw ViewerError.invalidArgument("image size \(width)x\(height) must be between 1x1 and 8192x8192")
        }
        guard (0...16).contains(samples) else { throw ViewerError.invalidArgument("multisamples \(samples) must be between 0 and 16") }
        (self.width, self.height, self.samples) = (width, height, samples)
        let previous = glfwGetCurrentContext()
        window = try GLFW.makeWindow(width: 64, height: 64, title: "ebm offscreen", visible: false)
        defer { glfwMakeContextCurrent(previous) }
        ownRenderer = try Renderer(fontPath: fontPath)
        resolveFBO = try makeFramebuffer(samples: 0)
        msFBO = samples > 0 ? try makeFramebuffer(samples: samples) : resolveFBO
    }

    /// Every GL object is deleted in this target's own context, and the context that was current
    /// before is current again afterwards (an interactive window goes on drawing after a screenshot).
    deinit {
        let previous = glfwGetCurrentContext()
        glfwMakeContextCurrent(window)
        ownRenderer = nil
        var fbos = msFBO == resolveFBO ? [resolveFBO] : [msFBO, resolveFBO]
        glDeleteFramebuffers(GLsizei(fbos.count), &fbos)
        glDeleteRenderbuffers(GLsizei(renderbuffers.count), &renderbuffers)
        glfwDestroyWindow(window)
        glfwMakeContextCurrent(previous == window ? nil : previous)
    }

    /// Runs `body` with this target's context current, then makes the caller's current again.
    private func inOwnContext<T>(_ body: () -> T) -> T {
        let previous = glfwGetCurrentContext()
        glfwMakeContextCurrent(window)
        defer { if previous != window { glfwMakeContextCurrent(previous) } }
        return body()
    }

    /// Name of the GL implementation doing the work.
    public var glRenderer: String { inOwnContext { GLFW.rendererName } }

    /// Renders `scene` (and `hud` text) and returns the image, top row first.
    public func render(_ scene: Scene, hud: [String] = []) -> Image { inOwnContext { renderHere(scene, hud: hud) } }

    private func renderHere(_ scene: Scene, hud: [String]) -> Image {
        glBindFramebuffer(GLenum(GL_FRAMEBUFFER), msFBO)
        renderer.draw(scene, width: width, height: height, hud: hud)
        if msFBO != resolveFBO {
            glBindFramebuffer(GLenum(GL_READ_FRAMEBUFFER), msFBO)
            glBindFramebuffer(GLenum(GL_DRAW_FRAMEBUFFER), resolveFBO)
            glBlitFramebuffer(0, 0, GLint(width), GLint(height), 0, 0, GLint(width), GLint(height),
                              GLbitfield(GL_COLOR_BUFFER_BIT), GLenum(GL_NEAREST))
        }
        glBindFramebuffer(GLenum(GL_READ_FRAMEBUFFER), resolveFBO)
        var pixels = [UInt8](repeating: 0, count: width * height * 4)
        glPixelStorei(GLenum(GL_PACK_ALIGNMENT), 1)
        glReadPixels(0, 0, GLsizei(width), GLsizei(height), GLenum(GL_RGBA), GLenum(GL_UNSIGNED_BYTE), &pixels)
        glBindFramebuffer(GLenum(GL_FRAMEBUFFER), 0)
        // GL rows run bottom to top; images top to bottom
        let row = width * 4
        var flipped = [UInt8](repeating: 0, count: pixels.count)
        for y in 0..<height {
            flipped.replaceSubrange(y * row..<(y + 1) * row, with: pixels[(height - 1 - y) * row..<(height - y) * row])
        }
        return Image(width: width, height: height, rgba: flipped)
    }

    /// Draws `scene` into the offscreen target without reading it back and waits for the GL to
    /// finish: the cost of one interactive frame, for benchmarks.
    public func drawAndFinish(_ scene: Scene, hud: [String] = []) {
        inOwnContext {
            glBindFramebuffer(GLenum(GL_FRAMEBUFFER), msFBO)
            renderer.draw(scene, width: width, height: height, hud: hud)
            glFinish()
            glBindFramebuffer(GLenum(GL_FRAMEBUFFER), 0)
        }
    }

    /// Finishes all queued GL work (for timing).
    public func finish() { inOwnContext { glFinish() } }

    private func makeFramebuffer(samples: Int) throws -> GLuint {
        var fbo: GLuint = 0
        glGenFramebuffers(1, &fbo)
        glBindFramebuffer(GLenum(GL_FRAMEBUFFER), fbo)
        var rb: [GLuint] = [0, 0]
        glGenRenderbuffers(2, &rb)
        for (i, (format, attachment)) in [(GL_RGBA8, GL_COLOR_ATTACHMENT0), (GL_DEPTH_COMPONENT24, GL_DEPTH_ATTACHMENT)].enumerated() {
            glBindRenderbuffer(GLenum(GL_RENDERBUFFER), rb[i])
            if samples > 0 {
                glRenderbufferStorageMultisample(GLenum(GL_RENDERBUFFER), GLsizei(samples), GLenum(format), GLsizei(width), GLsizei(height))
            } else {
                glRenderbufferStorage(GLenum(GL_RENDERBUFFER), GLenum(format), GLsizei(width), GLsizei(height))
            }
            glFramebufferRenderbuffer(GLenum(GL_FRAMEBUFFER), GLenum(attachment), GLenum(GL_RENDERBUFFER), rb[i])
        }
        renderbuffers += rb
        let status = glCheckFramebufferStatus(GLenum(GL_FRAMEBUFFER))
        glBindFramebuffer(GLenum(GL_FRAMEBUFFER), 0)
        guard status == GLenum(GL_FRAMEBUFFER_COMPLETE) else {
            throw ViewerError.graphics("offscreen framebuffer (\(samples) samples, \(width)x\(height)) incomplete: status 0x\(String(status, radix: 16))")
        }
        return fbo
    }
}
