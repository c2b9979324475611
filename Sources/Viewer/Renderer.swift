import CGLFW
import Scene

/// Draws a `Scene` with OpenGL 3.3 core: Phong-shaded shapes, a ground grid, polylines, and
/// translucent layers sorted back to front after the opaque ones. Needs a current GL context;
/// create and use it on the thread that owns the context.
public final class Renderer {
    private let meshProgram: ShaderProgram
    private let lineProgram: ShaderProgram
    private struct Mesh { let vao: GLuint, vbo: GLuint, count: GLsizei }
    private let sphere: Mesh, cylinder: Mesh, cube: Mesh, square: Mesh
    private let lineVAO: GLuint, lineVBO: GLuint
    /// The HUD text renderer, nil when no font was found.
    public let text: TextRenderer?

    public init(fontPath: String? = TextRenderer.defaultFontPath, fontPixels: Int = 15) throws {
        meshProgram = try ShaderProgram(vertex: Shaders.meshVertex, fragment: Shaders.meshFragment, name: "mesh")
        lineProgram = try ShaderProgram(vertex: Shaders.lineVertex, fragment: Shaders.lineFragment, name: "line")
        sphere = Self.upload(Meshes.sphere())
        cylinder = Self.upload(Meshes.cylinder())
        cube = Self.upload(Meshes.cube())
        square = Self.upload(Meshes.square())
        var vao: GLuint = 0, vbo: GLuint = 0
        glGenVertexArrays(1, &vao)
        glGenBuffers(1, &vbo)
        glBindVertexArray(vao)
        glBindBuffer(GLenum(GL_ARRAY_BUFFER), vbo)
        glEnableVertexAttribArray(0)
        glVertexAttribPointer(0, 3, GLenum(GL_FLOAT), GLboolean(GL_FALSE), 12, nil)
        glBindVertexArray(0)
        (lineVAO, lineVBO) = (vao, vbo)
        text = try fontPath.map { try TextRenderer(fontPath: $0, pixelHeight: fontPixels) }
    }

    deinit {
        for m in [sphere, cylinder, cube, square] {
            var (vao, vbo) = (m.vao, m.vbo)
            glDeleteVertexArrays(1, &vao)
            glDeleteBuffers(1, &vbo)
        }
        var (vao, vbo) = (lineVAO, lineVBO)
        glDeleteVertexArrays(1, &vao)
        glDeleteBuffers(1, &vbo)
    }

    /// Draws `scene` into the bound framebuffer's `width` × `height` viewport, then `hud` lines of
    /// text at the top left (when a font is loaded).
    public func draw(_ scene: Scene, width: Int, height: Int, hud: [String] = []) {
        glViewport(0, 0, GLsizei(width), GLsizei(height))
        let bg = scene.background
        glClearColor(bg.x, bg.y, bg.z, 1)
        glClear(GLbitfield(GL_COLOR_BUFFER_BIT) | GLbitfield(GL_DEPTH_BUFFER_BIT))
        glEnable(GLenum(GL_DEPTH_TEST))
        glDepthFunc(GLenum(GL_LEQUAL))
        glDisable(GLenum(GL_CULL_FACE))

        let camera = scene.camera
        let viewProjection = (camera.projectionMatrix(aspect: Double(width) / Double(max(height, 1))) * camera.viewMatrix).floats
        let (right, up, back) = camera.axes
        let light = back * 0.6 + up * 0.7 + right * 0.3

        // grid and lines first (opaque ones write depth)
        lineProgram.use()
        lineProgram.set("viewProjection", viewProjection)
        if let grid = scene.grid {
            drawSegments(grid.segments.flatMap { [$0.0, $0.1] }, mode: GLenum(GL_LINES), colour: grid.rgba)
        }

        meshProgram.use()
        meshProgram.set("viewProjection", viewProjection)
        meshProgram.set("eye", SIMD3<Float>(camera.eye))
        meshProgram.set("lightDirection", SIMD3<Float>(light))
        let visible = scene.visibleDrawables
        glDisable(GLenum(GL_BLEND))
        glDepthMask(GLboolean(GL_TRUE))
        for d in visible where d.rgba.w >= 0.999 { drawShape(d) }

        lineProgram.use()
        glEnable(GLenum(GL_BLEND))
        glBlendFunc(GLenum(GL_SRC_ALPHA), GLenum(GL_ONE_MINUS_SRC_ALPHA))
        for l in scene.visibleLines { drawSegments(l.points, mode: GLenum(GL_LINE_STRIP), colour: l.rgba) }

        // translucent shapes, far to near, without depth writes
        meshProgram.use()
        glDepthMask(GLboolean(GL_FALSE))
        let eye = camera.eye
        let translucent = visible.filter { $0.rgba.w < 0.999 }
            .sorted { lengthSquared($0.position - eye) > lengthSquared($1.position - eye) }
        for d in translucent { drawShape(d) }
        glDepthMask(GLboolean(GL_TRUE))

        if let text, !hud.isEmpty {
            glDisable(GLenum(GL_DEPTH_TEST))
            text.draw(lines: hud, x: 10, y: 10, viewport: SIMD2(Float(width), Float(height)))
            glEnable(GLenum(GL_DEPTH_TEST))
        }
        glDisable(GLenum(GL_BLEND))
    }

    // MARK: - Helpers

    private func drawShape(_ d: Drawable) {
        meshProgram.set("colour", d.rgba)
        switch d.shape {
        case .sphere, .ellipsoid: draw(sphere, d.unitMeshTransform)
        case .cylinder: draw(cylinder, d.unitMeshTransform)
        case .capsule:
            draw(cylinder, d.unitMeshTransform)
            for cap in d.capsuleCapTransforms { draw(sphere, cap) }
        case .box: draw(cube, d.unitMeshTransform)
        case .plane: draw(square, d.unitMeshTransform)
        }
    }

    private func draw(_ mesh: Mesh, _ model: Matrix4) {
        meshProgram.set("model", model.floats)
        glBindVertexArray(mesh.vao)
        glDrawArrays(GLenum(GL_TRIANGLES), 0, mesh.count)
    }

    private func drawSegments(_ points: [SIMD3<Double>], mode: GLenum, colour: SIMD4<Float>) {
        guard points.count > 1 else { return }
        let floats = points.flatMap { [Float($0.x), Float($0.y), Float($0.z)] }
        lineProgram.set("colour", colour)
        glBindVertexArray(lineVAO)
        glBindBuffer(GLenum(GL_ARRAY_BUFFER), lineVBO)
        floats.withUnsafeBytes { glBufferData(GLenum(GL_ARRAY_BUFFER), $0.count, $0.baseAddress, GLenum(GL_STREAM_DRAW)) }
        glDrawArrays(mode, 0, GLsizei(points.count))
    }

    private static func upload(_ vertices: [Float]) -> Mesh {
        var vao: GLuint = 0, vbo: GLuint = 0
        glGenVertexArrays(1, &vao)
        glGenBuffers(1, &vbo)
        glBindVertexArray(vao)
        glBindBuffer(GLenum(GL_ARRAY_BUFFER), vbo)
        vertices.withUnsafeBytes { glBufferData(GLenum(GL_ARRAY_BUFFER), $0.count, $0.baseAddress, GLenum(GL_STATIC_DRAW)) }
        glEnableVertexAttribArray(0)
        glVertexAttribPointer(0, 3, GLenum(GL_FLOAT), GLboolean(GL_FALSE), 24, nil)
        glEnableVertexAttribArray(1)
        glVertexAttribPointer(1, 3, GLenum(GL_FLOAT), GLboolean(GL_FALSE), 24, UnsafeRawPointer(bitPattern: 12))
        glBindVertexArray(0)
        return Mesh(vao: vao, vbo: vbo, count: GLsizei(vertices.count / 6))
    }
}

private func lengthSquared(_ v: SIMD3<Double>) -> Double { (v * v).sum() }
