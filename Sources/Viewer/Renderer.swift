import CGLFW
import Scene

/// Draws a `Scene` with OpenGL 3.3 core: Phong-shaded shapes, a ground grid, polylines, and
/// translucent layers sorted back to front after the opaque ones. Needs a current GL context;
/// create and use it on the thread that owns the context.
public final class Renderer {
    private let meshProgram: ShaderProgram
    private let batchProgram: ShaderProgram
    private let colouredLineProgram: ShaderProgram
    private let trailVAO: GLuint, trailVBO: GLuint
    private var trailVertices: [Float] = []
    private let lineProgram: ShaderProgram
    private struct Mesh { let vao: GLuint, vbo: GLuint, ebo: GLuint, instances: GLuint, count: GLsizei }
    /// Unit meshes: sphere, cylinder, cube, square, then coarse sphere and cylinder for
    /// translucent layers (ghosts come by the hundred; software rasterisers pay per triangle).
    private let meshes: [Mesh]
    private let lineVAO: GLuint, lineVBO: GLuint
    /// Translucent layers merged into one buffer per frame (see `MergedBatch`).
    private var batch = MergedBatch()
    private let batchVAO: GLuint, batchVBO: GLuint, batchEBO: GLuint
    /// How translucent shapes are drawn; `.merged` is the fast default.
    public var translucency: Translucency = .merged
    /// Slices around the axis of merged translucent shapes (≥ 3): fewer triangles, coarser ghosts.
    public var translucentSlices: Int {
        get { batch.slices }
        set { batch = MergedBatch(slices: max(3, newValue)) }
    }

    /// Ways to draw translucent layers (kept side by side so the benchmark can compare them).
    public enum Translucency: String, CaseIterable, Sendable {
        /// Instanced unit meshes (cylinder + two spheres per capsule), both faces blended.
        case instanced
        /// Low-poly shapes merged into one vertex buffer, back faces culled: one draw call.
        case merged
        /// `merged` after a depth-only pre-pass, so each pixel blends only the nearest
        /// translucent surface (a flat veil; cheapest on software renderers).
        case nearest
    }
    /// The HUD text renderer, nil when no font was found.
    public let text: TextRenderer?

    public init(fontPath: String? = TextRenderer.defaultFontPath, fontPixels: Int = 15) throws {
        meshProgram = try ShaderProgram(vertex: Shaders.meshVertex, fragment: Shaders.meshFragment, name: "mesh")
        batchProgram = try ShaderProgram(vertex: Shaders.batchVertex, fragment: Shaders.meshFragment, name: "batch")
        colouredLineProgram = try ShaderProgram(vertex: Shaders.colouredLineVertex, fragment: Shaders.colouredLineFragment, name: "trail")
        lineProgram = try ShaderProgram(vertex: Shaders.lineVertex, fragment: Shaders.lineFragment, name: "line")
        meshes = [Meshes.sphere(), Meshes.cylinder(), Meshes.cube(), Meshes.square(),
                  Meshes.sphere(slices: 10, stacks: 6), Meshes.cylinder(slices: 10)].map(Self.upload)
        (lineVAO, lineVBO) = makeFloatVertexArray(components: [3])           // position
        (batchVAO, batchVBO, batchEBO) = Self.makeBatchBuffers()
        (trailVAO, trailVBO) = makeFloatVertexArray(components: [3, 4])      // position, colour
        text = try fontPath.map { try TextRenderer(fontPath: $0, pixelHeight: fontPixels) }
    }

    deinit {
        for m in meshes {
            var (vao, buffers) = (m.vao, [m.vbo, m.ebo, m.instances])
            glDeleteVertexArrays(1, &vao)
            glDeleteBuffers(3, &buffers)
        }
        var vaos = [lineVAO, batchVAO, trailVAO], buffers = [lineVBO, batchVBO, batchEBO, trailVBO]
        glDeleteVertexArrays(3, &vaos)
        glDeleteBuffers(4, &buffers)
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
        drawInstanced(visible.filter { $0.rgba.w >= 0.999 }.flatMap { instances($0, coarse: false) })

        glEnable(GLenum(GL_BLEND))
        glBlendFunc(GLenum(GL_SRC_ALPHA), GLenum(GL_ONE_MINUS_SRC_ALPHA))
        drawTrails(scene.visibleLines, viewProjection: viewProjection)

        // translucent shapes, far to near, without depth writes
        let eye = camera.eye
        let translucent = visible.filter { $0.rgba.w < 0.999 }
            .sorted { lengthSquared($0.position - eye) > lengthSquared($1.position - eye) }
        if translucency == .instanced {
            // sorted per mesh (one instanced call each), not across meshes
            meshProgram.use()
            glDepthMask(GLboolean(GL_FALSE))
            drawInstanced(translucent.flatMap { instances($0, coarse: true) })
        } else if !translucent.isEmpty {
            drawMerged(translucent, viewProjection: viewProjection, eye: SIMD3<Float>(eye), light: SIMD3<Float>(light))
        }
        glDepthMask(GLboolean(GL_TRUE))

        if let text, !hud.isEmpty {
            glDisable(GLenum(GL_DEPTH_TEST))
            text.draw(lines: hud, x: 10, y: 10, viewport: SIMD2(Float(width), Float(height)))
            glEnable(GLenum(GL_DEPTH_TEST))
        }
        glDisable(GLenum(GL_BLEND))
    }

    // MARK: - Helpers

    /// One mesh instance: which unit mesh, its transform and colour.
    private struct Instance { let mesh: Int, model: Matrix4, colour: SIMD4<Float> }

    /// The unit-mesh instances of a drawable (a capsule is a cylinder and two spheres).
    private func instances(_ d: Drawable, coarse: Bool) -> [Instance] {
        let (sphere, cylinder) = coarse ? (4, 5) : (0, 1)
        switch d.shape {
        case .sphere, .ellipsoid: return [Instance(mesh: sphere, model: d.unitMeshTransform, colour: d.rgba)]
        case .cylinder: return [Instance(mesh: cylinder, model: d.unitMeshTransform, colour: d.rgba)]
        case .capsule:
            return [Instance(mesh: cylinder, model: d.unitMeshTransform, colour: d.rgba)]
                + d.capsuleCapTransforms.map { Instance(mesh: sphere, model: $0, colour: d.rgba) }
        case .box: return [Instance(mesh: 2, model: d.unitMeshTransform, colour: d.rgba)]
        case .plane: return [Instance(mesh: 3, model: d.unitMeshTransform, colour: d.rgba)]
        }
    }

    /// Draws instances grouped by mesh, keeping their order within each mesh: one call per mesh.
    private func drawInstanced(_ all: [Instance]) {
        for (index, mesh) in meshes.enumerated() {
            let group = all.filter { $0.mesh == index }
            guard !group.isEmpty else { continue }
            // per instance: model [16], normal matrix [9], colour [4]
            var data = [Float](); data.reserveCapacity(group.count * 29)
            for i in group {
                data += i.model.floats
                data += normalMatrix(i.model)
                data += [i.colour.x, i.colour.y, i.colour.z, i.colour.w]
            }
            glBindVertexArray(mesh.vao)
            glBindBuffer(GLenum(GL_ARRAY_BUFFER), mesh.instances)
            data.withUnsafeBytes { glBufferData(GLenum(GL_ARRAY_BUFFER), $0.count, $0.baseAddress, GLenum(GL_STREAM_DRAW)) }
            glDrawElementsInstanced(GLenum(GL_TRIANGLES), mesh.count, GLenum(GL_UNSIGNED_INT), nil, GLsizei(group.count))
        }
        glBindVertexArray(0)
    }

    /// One call for all translucent shapes (already sorted far to near: primitives blend in
    /// buffer order), back faces culled; `.nearest` first lays down their depth alone.
    private func drawMerged(_ drawables: [Drawable], viewProjection: [Float], eye: SIMD3<Float>, light: SIMD3<Float>) {
        batch.removeAll()
        for d in drawables { batch.append(d) }
        batchProgram.use()
        batchProgram.set("viewProjection", viewProjection)
        batchProgram.set("eye", eye)
        batchProgram.set("lightDirection", light)
        glBindVertexArray(batchVAO)
        glBindBuffer(GLenum(GL_ARRAY_BUFFER), batchVBO)
        batch.vertices.withUnsafeBytes { glBufferData(GLenum(GL_ARRAY_BUFFER), $0.count, $0.baseAddress, GLenum(GL_STREAM_DRAW)) }
        glBindBuffer(GLenum(GL_ELEMENT_ARRAY_BUFFER), batchEBO)
        batch.indices.withUnsafeBytes { glBufferData(GLenum(GL_ELEMENT_ARRAY_BUFFER), $0.count, $0.baseAddress, GLenum(GL_STREAM_DRAW)) }
        glEnable(GLenum(GL_CULL_FACE))
        glCullFace(GLenum(GL_BACK))
        glFrontFace(GLenum(GL_CCW))
        let count = GLsizei(batch.indices.count)
        if translucency == .nearest {
            glColorMask(GLboolean(GL_FALSE), GLboolean(GL_FALSE), GLboolean(GL_FALSE), GLboolean(GL_FALSE))
            glDepthMask(GLboolean(GL_TRUE))
            glDrawElements(GLenum(GL_TRIANGLES), count, GLenum(GL_UNSIGNED_INT), nil)
            glColorMask(GLboolean(GL_TRUE), GLboolean(GL_TRUE), GLboolean(GL_TRUE), GLboolean(GL_TRUE))
            glDepthFunc(GLenum(GL_EQUAL))
        }
        glDepthMask(GLboolean(GL_FALSE))
        glDrawElements(GLenum(GL_TRIANGLES), count, GLenum(GL_UNSIGNED_INT), nil)
        glDepthFunc(GLenum(GL_LEQUAL))
        glDisable(GLenum(GL_CULL_FACE))
        glBindVertexArray(0)
    }

    private static func makeBatchBuffers() -> (GLuint, GLuint, GLuint) {
        var vao: GLuint = 0, vbo: GLuint = 0, ebo: GLuint = 0
        glGenVertexArrays(1, &vao)
        glGenBuffers(1, &vbo)
        glGenBuffers(1, &ebo)
        glBindVertexArray(vao)
        glBindBuffer(GLenum(GL_ARRAY_BUFFER), vbo)
        glBindBuffer(GLenum(GL_ELEMENT_ARRAY_BUFFER), ebo)
        let stride = GLsizei(MergedBatch.stride * 4)
        for (location, size, offset) in [(0, 3, 0), (1, 3, 3), (2, 4, 6)] {
            glEnableVertexAttribArray(GLuint(location))
            glVertexAttribPointer(GLuint(location), GLint(size), GLenum(GL_FLOAT), GLboolean(GL_FALSE), stride,
                                  UnsafeRawPointer(bitPattern: offset * 4))
        }
        glBindVertexArray(0)
        return (vao, vbo, ebo)
    }

    /// Every polyline as segments of one GL_LINES call with per-vertex colours (a call per line
    /// costs more than its pixels on software renderers).
    private func drawTrails(_ lines: [Polyline], viewProjection: [Float]) {
        trailVertices.removeAll(keepingCapacity: true)
        for l in lines where l.points.count > 1 {
            let c = l.rgba
            for i in 0..<(l.points.count - 1) {
                for p in [l.points[i], l.points[i + 1]] {
                    trailVertices.append(Float(p.x)); trailVertices.append(Float(p.y)); trailVertices.append(Float(p.z))
                    trailVertices.append(c.x); trailVertices.append(c.y); trailVertices.append(c.z); trailVertices.append(c.w)
                }
            }
        }
        guard !trailVertices.isEmpty else { return }
        colouredLineProgram.use()
        colouredLineProgram.set("viewProjection", viewProjection)
        glBindVertexArray(trailVAO)
        glBindBuffer(GLenum(GL_ARRAY_BUFFER), trailVBO)
        trailVertices.withUnsafeBytes { glBufferData(GLenum(GL_ARRAY_BUFFER), $0.count, $0.baseAddress, GLenum(GL_STREAM_DRAW)) }
        glDrawArrays(GLenum(GL_LINES), 0, GLsizei(trailVertices.count / 7))
        glBindVertexArray(0)
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

    private static func upload(_ soup: [Float]) -> Mesh {
        let (vertices, indices) = Meshes.indexed(soup)
        var vao: GLuint = 0, vbo: GLuint = 0, ebo: GLuint = 0
        glGenVertexArrays(1, &vao)
        glGenBuffers(1, &vbo)
        glGenBuffers(1, &ebo)
        glBindVertexArray(vao)
        glBindBuffer(GLenum(GL_ARRAY_BUFFER), vbo)
        vertices.withUnsafeBytes { glBufferData(GLenum(GL_ARRAY_BUFFER), $0.count, $0.baseAddress, GLenum(GL_STATIC_DRAW)) }
        glBindBuffer(GLenum(GL_ELEMENT_ARRAY_BUFFER), ebo)
        indices.withUnsafeBytes { glBufferData(GLenum(GL_ELEMENT_ARRAY_BUFFER), $0.count, $0.baseAddress, GLenum(GL_STATIC_DRAW)) }
        glEnableVertexAttribArray(0)
        glVertexAttribPointer(0, 3, GLenum(GL_FLOAT), GLboolean(GL_FALSE), 24, nil)
        glEnableVertexAttribArray(1)
        glVertexAttribPointer(1, 3, GLenum(GL_FLOAT), GLboolean(GL_FALSE), 24, UnsafeRawPointer(bitPattern: 12))
        // instance attributes: model columns at 2...5, normal matrix columns at 6...8, colour at 9
        var instances: GLuint = 0
        glGenBuffers(1, &instances)
        glBindBuffer(GLenum(GL_ARRAY_BUFFER), instances)
        let stride: GLsizei = 29 * 4
        for (location, size, offset) in [(2, 4, 0), (3, 4, 4), (4, 4, 8), (5, 4, 12), (6, 3, 16), (7, 3, 19), (8, 3, 22), (9, 4, 25)] {
            glEnableVertexAttribArray(GLuint(location))
            glVertexAttribPointer(GLuint(location), GLint(size), GLenum(GL_FLOAT), GLboolean(GL_FALSE), stride,
                                  UnsafeRawPointer(bitPattern: offset * 4))
            glVertexAttribDivisor(GLuint(location), 1)
        }
        glBindVertexArray(0)
        return Mesh(vao: vao, vbo: vbo, ebo: ebo, instances: instances, count: GLsizei(indices.count))
    }
}

/// The inverse transpose of the upper 3x3 of `m` (column-major), which carries normals under
/// non-uniform scaling; computed once per draw on the CPU rather than per vertex.
func normalMatrix(_ m: Matrix4) -> [Float] {
    let a = m.columns.map { SIMD3($0.x, $0.y, $0.z) }  // columns of the 3x3
    // rows of the inverse are the cross products of columns / det; its transpose has them as columns
    let c0 = cross3(a[1], a[2]), c1 = cross3(a[2], a[0]), c2 = cross3(a[0], a[1])
    let det = (a[0] * c0).sum()
    let inv = det != 0 ? 1 / det : 0
    return [c0, c1, c2].flatMap { [Float($0.x * inv), Float($0.y * inv), Float($0.z * inv)] }
}

private func cross3(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

private func lengthSquared(_ v: SIMD3<Double>) -> Double { (v * v).sum() }

/// A vertex array over one buffer of interleaved Float attributes with `components` floats each,
/// attribute i at location i; left unbound.
func makeFloatVertexArray(components: [Int]) -> (vao: GLuint, vbo: GLuint) {
    var vao: GLuint = 0, vbo: GLuint = 0
    glGenVertexArrays(1, &vao)
    glGenBuffers(1, &vbo)
    glBindVertexArray(vao)
    glBindBuffer(GLenum(GL_ARRAY_BUFFER), vbo)
    let stride = GLsizei(components.reduce(0, +) * MemoryLayout<Float>.size)
    var offset = 0
    for (location, count) in components.enumerated() {
        glEnableVertexAttribArray(GLuint(location))
        glVertexAttribPointer(GLuint(location), GLint(count), GLenum(GL_FLOAT), GLboolean(GL_FALSE), stride, UnsafeRawPointer(bitPattern: offset))
        offset += count * MemoryLayout<Float>.size
    }
    glBindVertexArray(0)
    return (vao, vbo)
}
