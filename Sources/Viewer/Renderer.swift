import CGLFW
import Scene

/// Draws a `Scene` with OpenGL 3.3 core: Phong-shaded shapes, a ground grid, polylines, and
/// translucent layers sorted back to front (by default drawn into a texture that is reused while
/// nothing in it moves, composited before the opaque shapes). Needs a current GL context;
/// create and use it on the thread that owns the context.
public final class Renderer {
    private let meshProgram: ShaderProgram
    private let batchProgram: ShaderProgram
    private let colouredLineProgram: ShaderProgram
    private let trailVAO: GLuint, trailVBO: GLuint
    private var trailVertices: [Float] = []
    /// The lines whose vertices are in `trailVBO`: equal lines next frame skip the rebuild and upload.
    private var uploadedLines: [Polyline] = []
    /// The grid whose segments are in `lineVBO`.
    private var uploadedGrid: Scene.Grid?
    private var gridVertexCount: GLsizei = 0
    private let lineProgram: ShaderProgram
    private struct Mesh { let vao: GLuint, vbo: GLuint, ebo: GLuint, instances: GLuint, count: GLsizei }
    /// Unit meshes: sphere, cylinder, cube, square, then coarse sphere and cylinder for
    /// translucent layers (ghosts come by the hundred; software rasterisers pay per triangle).
    private let meshes: [Mesh]
    private let lineVAO: GLuint, lineVBO: GLuint
    /// Translucent layers merged into one buffer (see `MergedBatch`), rebuilt only when they change.
    private var batch = MergedBatch()
    private let batchVAO: GLuint, batchVBO: GLuint, batchEBO: GLuint
    /// The translucent drawables (scene order) whose vertices are in `batchVBO`; nil when stale.
    private var batchSource: [Drawable]?
    /// The eye for which `batchEBO` holds the shapes' indices sorted far to near.
    private var batchEye: SIMD3<Double>?
    /// Draw order of the batch's shapes and their sorted indices (kept to reuse the storage).
    private var batchOrder: [Int] = [], batchDepths: [Double] = [], sortedIndices: [UInt32] = []
    /// How translucent shapes are drawn; `.merged` is the fast default.
    public var translucency: Translucency = .merged
    /// Slices around the axis of merged translucent shapes (≥ 3): fewer triangles, coarser ghosts.
    public var translucentSlices: Int {
        get { batch.slices }
        set { batch = MergedBatch(slices: max(3, newValue), capStacks: batch.capStacks); batchSource = nil }
    }
    /// Rings of the hemispherical caps of merged translucent capsules and spheres from rim to
    /// pole (1 or 2): 1 makes pyramid caps, half the cap triangles.
    public var translucentCapStacks: Int {
        get { batch.capStacks }
        set { batch = MergedBatch(slices: batch.slices, capStacks: newValue); batchSource = nil }
    }
    /// Whether `.merged` translucent layers are drawn once into a texture and composited, until
    /// they, the camera or the viewport change (playback with a still camera, live refinement
    /// between steps). Software renderers spend most of a frame rasterising and blending 64
    /// overlapping ghosts; compositing the texture costs one textured pass. The opaque robot is
    /// then drawn over the composited layer rather than depth-tested against each ghost.
    public var cachesTranslucentLayer = true
    private let layerProgram: ShaderProgram
    private var layerFBO: GLuint = 0, layerTexture: GLuint = 0
    /// Rectangles of the screen the layer may cover (two triangles each), composited instead of
    /// the whole viewport: a software renderer pays per pixel of every pass.
    private let layerVAO: GLuint, layerVBO: GLuint
    private var layerCoverVertices: GLsizei = 0
    private var layerSize = SIMD2<Int>(0, 0)
    /// What the texture shows: the merged buffer's build, view-projection and eye.
    private var layerKey: (uploads: Int, viewProjection: [Float], eye: SIMD3<Double>)?
    /// How many times the translucent layer texture was redrawn.
    public private(set) var translucentLayerDraws = 0
    /// How many times the merged translucent vertices were rebuilt and uploaded (they are reused
    /// while the translucent drawables stay the same, e.g. fixed ghost futures during playback).
    public private(set) var translucentUploads = 0

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
        batchProgram = try ShaderProgram(vertex: Shaders.batchVertex, fragment: Shaders.colouredLineFragment, name: "batch")
        colouredLineProgram = try ShaderProgram(vertex: Shaders.colouredLineVertex, fragment: Shaders.colouredLineFragment, name: "trail")
        lineProgram = try ShaderProgram(vertex: Shaders.lineVertex, fragment: Shaders.lineFragment, name: "line")
        layerProgram = try ShaderProgram(vertex: Shaders.pixelVertex, fragment: Shaders.layerFragment, name: "layer")
        (layerVAO, layerVBO) = makeFloatVertexArray(components: [2])      // pixel
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
        var vaos = [lineVAO, batchVAO, trailVAO, layerVAO], buffers = [lineVBO, batchVBO, batchEBO, trailVBO, layerVBO]
        glDeleteVertexArrays(4, &vaos)
        glDeleteBuffers(5, &buffers)
        if layerFBO != 0 { glDeleteFramebuffers(1, &layerFBO) }
        if layerTexture != 0 { glDeleteTextures(1, &layerTexture) }
    }

    /// Draws `scene` into the bound framebuffer's `width` × `height` viewport, then `hud` lines of
    /// text at the top left (when a font is loaded).
    public func draw(_ scene: Scene, width: Int, height: Int, hud: [String] = []) {
        var target: GLint = 0
        glGetIntegerv(GLenum(GL_DRAW_FRAMEBUFFER_BINDING), &target)
        glViewport(0, 0, GLsizei(width), GLsizei(height))
        let bg = scene.background
        glClearColor(bg.x, bg.y, bg.z, 1)
        // stencil too, though unused: a packed depth-stencil buffer cleared whole takes the fast path
        glClear(GLbitfield(GL_COLOR_BUFFER_BIT) | GLbitfield(GL_DEPTH_BUFFER_BIT) | GLbitfield(GL_STENCIL_BUFFER_BIT))
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
        if let grid = scene.grid { drawGrid(grid) }

        // contacts (points and force arrows) lie inside the touching shapes: drawn last, over them
        let visible = scene.visibleDrawables.filter { $0.layer != .contact }
        let overlay = scene.visibleDrawables.filter { $0.layer == .contact }
        let overlayLines = scene.visibleLines.filter { $0.layer == .contact }
        let eye = camera.eye
        let translucent = visible.filter { $0.rgba.w < 0.999 }
        // a cached translucent layer goes under the opaque shapes, composited over the grid
        let layered = cachesTranslucentLayer && translucency == .merged && !translucent.isEmpty
        if layered {
            drawLayer(translucent, camera: camera, viewProjection: viewProjection, light: SIMD3<Float>(light),
                      width: width, height: height, target: GLuint(target))
        }

        meshProgram.use()
        meshProgram.set("viewProjection", viewProjection)
        meshProgram.set("eye", SIMD3<Float>(camera.eye))
        meshProgram.set("lightDirection", SIMD3<Float>(light))
        glDisable(GLenum(GL_BLEND))
        glDepthMask(GLboolean(GL_TRUE))
        drawInstanced(visible.filter { $0.rgba.w >= 0.999 }.flatMap { instances($0, coarse: false) }, cullClosed: true)

        glEnable(GLenum(GL_BLEND))
        glBlendFunc(GLenum(GL_SRC_ALPHA), GLenum(GL_ONE_MINUS_SRC_ALPHA))
        drawTrails(overlayLines.isEmpty ? scene.visibleLines : scene.visibleLines.filter { $0.layer != .contact },
                   viewProjection: viewProjection)

        // otherwise translucent shapes after the opaque ones, far to near, without depth writes
        if !layered && translucency == .instanced {
            // sorted per mesh (one instanced call each), not across meshes
            meshProgram.use()
            glDepthMask(GLboolean(GL_FALSE))
            drawInstanced(translucent.sorted { lengthSquared($0.position - eye) > lengthSquared($1.position - eye) }
                .flatMap { instances($0, coarse: true) })
        } else if !layered && !translucent.isEmpty {
            drawMerged(translucent, viewProjection: viewProjection, eye: eye, light: SIMD3<Float>(light))
        }
        glDepthMask(GLboolean(GL_TRUE))

        if !overlay.isEmpty || !overlayLines.isEmpty {
            glDisable(GLenum(GL_DEPTH_TEST))
            meshProgram.use()
            drawInstanced(overlay.flatMap { instances($0, coarse: false) })
            drawOverlayLines(overlayLines, viewProjection: viewProjection)
            glEnable(GLenum(GL_DEPTH_TEST))
        }

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
    /// `cullClosed` skips the back faces of the closed meshes (all but the square), which an
    /// opaque surface hides anyway: half the triangles to rasterise and shade.
    private func drawInstanced(_ all: [Instance], cullClosed: Bool = false) {
        defer { glDisable(GLenum(GL_CULL_FACE)) }
        for (index, mesh) in meshes.enumerated() {
            if cullClosed && index != 3 {
                glEnable(GLenum(GL_CULL_FACE))
                glCullFace(GLenum(GL_BACK))
                glFrontFace(GLenum(GL_CCW))
            } else {
                glDisable(GLenum(GL_CULL_FACE))
            }
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

    /// One call for all translucent shapes, far to near (primitives blend in buffer order), back
    /// faces culled; `.nearest` first lays down their depth alone. The vertices are rebuilt only
    /// when the drawables change, the sorted indices only when the eye moves: a software renderer
    /// otherwise spends a good part of the frame re-placing and re-uploading unchanged ghosts.
    private func drawMerged(_ drawables: [Drawable], viewProjection: [Float], eye: SIMD3<Double>, light: SIMD3<Float>) {
        glBindVertexArray(batchVAO)
        if batchSource != drawables {
            batch.removeAll()
            // ghosts come by the hundred and take the coarse lathe; obstacles, context: the fine one
            for d in drawables { batch.append(d, fine: d.layer != .ghost) }
            glBindBuffer(GLenum(GL_ARRAY_BUFFER), batchVBO)
            batch.vertices.withUnsafeBytes { glBufferData(GLenum(GL_ARRAY_BUFFER), $0.count, $0.baseAddress, GLenum(GL_STATIC_DRAW)) }
            (batchSource, batchEye) = (drawables, nil)
            translucentUploads += 1
        }
        if batchEye != eye {
            batchDepths.removeAll(keepingCapacity: true)
            for d in drawables { batchDepths.append(lengthSquared(d.position - eye)) }
            batchOrder.removeAll(keepingCapacity: true)
            batchOrder.append(contentsOf: drawables.indices)
            batchOrder.sort { batchDepths[$0] > batchDepths[$1] }
            batch.indices(inOrder: batchOrder, into: &sortedIndices)
            sortedIndices.withUnsafeBytes { glBufferData(GLenum(GL_ELEMENT_ARRAY_BUFFER), $0.count, $0.baseAddress, GLenum(GL_DYNAMIC_DRAW)) }
            batchEye = eye
        }
        batchProgram.use()
        batchProgram.set("viewProjection", viewProjection)
        batchProgram.set("eye", SIMD3<Float>(eye))
        batchProgram.set("lightDirection", light)
        glEnable(GLenum(GL_CULL_FACE))
        glCullFace(GLenum(GL_BACK))
        glFrontFace(GLenum(GL_CCW))
        let count = GLsizei(sortedIndices.count)
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

    /// The translucent layer, composited over what is drawn so far (grid): redrawn into its
    /// texture only when the shapes, the camera or the viewport changed.
    private func drawLayer(_ drawables: [Drawable], camera: Camera, viewProjection: [Float], light: SIMD3<Float>,
                           width: Int, height: Int, target: GLuint) {
        let eye = camera.eye
        if layerSize != SIMD2(width, height) { makeLayer(width: width, height: height) }
        let stale = layerKey.map { $0.viewProjection != viewProjection || $0.eye != eye } ?? true
        // new drawables: drawMerged rebuilds the batch, the texture follows
        if stale || batchSource != drawables {
            glBindFramebuffer(GLenum(GL_DRAW_FRAMEBUFFER), layerFBO)
            glClearColor(0, 0, 0, 0)
            glClear(GLbitfield(GL_COLOR_BUFFER_BIT))
            glDisable(GLenum(GL_DEPTH_TEST))
            glEnable(GLenum(GL_BLEND))
            // premultiplied: colour blends as on screen, alpha accumulates 1 − Π(1 − aᵢ)
            glBlendFuncSeparate(GLenum(GL_SRC_ALPHA), GLenum(GL_ONE_MINUS_SRC_ALPHA), GLenum(GL_ONE), GLenum(GL_ONE_MINUS_SRC_ALPHA))
            drawMerged(drawables, viewProjection: viewProjection, eye: eye, light: light)
            glBindFramebuffer(GLenum(GL_DRAW_FRAMEBUFFER), target)
            glEnable(GLenum(GL_DEPTH_TEST))
            layerKey = (translucentUploads, viewProjection, eye)
            translucentLayerDraws += 1
            let cover = Self.layerCover(drawables, camera: camera, width: width, height: height)
            glBindBuffer(GLenum(GL_ARRAY_BUFFER), layerVBO)
            cover.withUnsafeBytes { glBufferData(GLenum(GL_ARRAY_BUFFER), $0.count, $0.baseAddress, GLenum(GL_STATIC_DRAW)) }
            layerCoverVertices = GLsizei(cover.count / 2)
        }
        layerProgram.use()
        layerProgram.set("layer", Int32(0))
        layerProgram.set("viewport", SIMD2(Float(width), Float(height)))
        glActiveTexture(GLenum(GL_TEXTURE0))
        glBindTexture(GLenum(GL_TEXTURE_2D), layerTexture)
        glEnable(GLenum(GL_BLEND))
        glBlendFunc(GLenum(GL_ONE), GLenum(GL_ONE_MINUS_SRC_ALPHA))
        glDisable(GLenum(GL_DEPTH_TEST))
        glDepthMask(GLboolean(GL_FALSE))
        glBindVertexArray(layerVAO)
        glDrawArrays(GLenum(GL_TRIANGLES), 0, layerCoverVertices)
        glBindVertexArray(0)
        glDepthMask(GLboolean(GL_TRUE))
        glEnable(GLenum(GL_DEPTH_TEST))
    }

    /// Side of the square tiles of `layerCover`, in pixels.
    static let coverTile = 32

    /// Triangles (x, y pixels from the bottom left) over the tiles that the projected bounding
    /// spheres of `drawables` touch, each row's runs of tiles merged into one rectangle; the whole
    /// viewport when a shape reaches behind or close to the eye.
    static func layerCover(_ drawables: [Drawable], camera: Camera, width: Int, height: Int) -> [Float] {
        let tile = Double(coverTile), columns = (width + coverTile - 1) / coverTile, rows = (height + coverTile - 1) / coverTile
        var touched = [Bool](repeating: false, count: columns * rows)
        func rectangle(_ x0: Float, _ y0: Float, _ x1: Float, _ y1: Float) -> [Float] { [x0, y0, x1, y0, x1, y1, x0, y0, x1, y1, x0, y1] }
        for d in drawables {
            let radius = d.shape.boundingRadius
            guard let p = camera.project(d.position, width: width, height: height), p.depth > 2 * radius + camera.clipPlanes.near else {
                return rectangle(0, 0, Float(width), Float(height))
            }
            // margin for the perspective stretch of spheres off the axis, and for rasterisation
            let r = 1.25 * radius * camera.pixelsPerMetre(atDepth: p.depth, height: height) + 2
            let up = Double(height) - p.y  // project's y runs down from the top, GL's up from the bottom
            let x0 = max(0, Int(((p.x - r) / tile).rounded(.down))), x1 = min(columns - 1, Int(((p.x + r) / tile).rounded(.down)))
            let y0 = max(0, Int(((up - r) / tile).rounded(.down))), y1 = min(rows - 1, Int(((up + r) / tile).rounded(.down)))
            guard x0 <= x1, y0 <= y1 else { continue }
            for ty in y0...y1 { for tx in x0...x1 { touched[ty * columns + tx] = true } }
        }
        var out: [Float] = []
        for ty in 0..<rows {
            var tx = 0
            while tx < columns {
                guard touched[ty * columns + tx] else { tx += 1; continue }
                let start = tx
                while tx < columns && touched[ty * columns + tx] { tx += 1 }
                out += rectangle(Float(start * coverTile), Float(ty * coverTile), Float(min(tx * coverTile, width)), Float(min((ty + 1) * coverTile, height)))
            }
        }
        return out
    }

    /// A viewport-sized RGBA8 texture behind its own framebuffer.
    private func makeLayer(width: Int, height: Int) {
        if layerTexture == 0 { glGenTextures(1, &layerTexture) }
        if layerFBO == 0 { glGenFramebuffers(1, &layerFBO) }
        glBindTexture(GLenum(GL_TEXTURE_2D), layerTexture)
        glTexImage2D(GLenum(GL_TEXTURE_2D), 0, GL_RGBA8, GLsizei(width), GLsizei(height), 0, GLenum(GL_RGBA), GLenum(GL_UNSIGNED_BYTE), nil)
        glTexParameteri(GLenum(GL_TEXTURE_2D), GLenum(GL_TEXTURE_MIN_FILTER), GL_NEAREST)
        glTexParameteri(GLenum(GL_TEXTURE_2D), GLenum(GL_TEXTURE_MAG_FILTER), GL_NEAREST)
        var previous: GLint = 0
        glGetIntegerv(GLenum(GL_DRAW_FRAMEBUFFER_BINDING), &previous)
        glBindFramebuffer(GLenum(GL_DRAW_FRAMEBUFFER), layerFBO)
        glFramebufferTexture2D(GLenum(GL_DRAW_FRAMEBUFFER), GLenum(GL_COLOR_ATTACHMENT0), GLenum(GL_TEXTURE_2D), layerTexture, 0)
        glBindFramebuffer(GLenum(GL_DRAW_FRAMEBUFFER), GLuint(previous))
        (layerSize, layerKey) = (SIMD2(width, height), nil)
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
    /// The buffer is rebuilt only when the lines change (during playback only the played
    /// trajectory's trail is fixed too, so usually never).
    private func drawTrails(_ lines: [Polyline], viewProjection: [Float]) {
        glBindVertexArray(trailVAO)
        if lines != uploadedLines {
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
            glBindBuffer(GLenum(GL_ARRAY_BUFFER), trailVBO)
            trailVertices.withUnsafeBytes { glBufferData(GLenum(GL_ARRAY_BUFFER), $0.count, $0.baseAddress, GLenum(GL_STATIC_DRAW)) }
            uploadedLines = lines
        }
        if !trailVertices.isEmpty {
            colouredLineProgram.use()
            colouredLineProgram.set("viewProjection", viewProjection)
            glDrawArrays(GLenum(GL_LINES), 0, GLsizei(trailVertices.count / 7))
        }
        glBindVertexArray(0)
    }

    /// A few lines drawn as they come, one colour each, through the grid's buffer (the grid is
    /// uploaded again next frame): the contact arrows, which change every frame.
    private func drawOverlayLines(_ lines: [Polyline], viewProjection: [Float]) {
        guard !lines.isEmpty else { return }
        var floats: [Float] = [], ranges: [(first: GLint, count: GLsizei, rgba: SIMD4<Float>)] = []
        for l in lines where l.points.count > 1 {
            let first = GLint(floats.count / 3)
            for i in 0..<(l.points.count - 1) {
                for p in [l.points[i], l.points[i + 1]] { floats += [Float(p.x), Float(p.y), Float(p.z)] }
            }
            ranges.append((first, GLsizei(floats.count / 3) - GLsizei(first), l.rgba))
        }
        lineProgram.use()
        lineProgram.set("viewProjection", viewProjection)
        glBindVertexArray(lineVAO)
        glBindBuffer(GLenum(GL_ARRAY_BUFFER), lineVBO)
        floats.withUnsafeBytes { glBufferData(GLenum(GL_ARRAY_BUFFER), $0.count, $0.baseAddress, GLenum(GL_STREAM_DRAW)) }
        uploadedGrid = nil
        for r in ranges {
            lineProgram.set("colour", r.rgba)
            glDrawArrays(GLenum(GL_LINES), r.first, r.count)
        }
        glBindVertexArray(0)
    }

    /// The grid's segments, uploaded when the grid changes.
    private func drawGrid(_ grid: Scene.Grid) {
        glBindVertexArray(lineVAO)
        if grid != uploadedGrid {
            let floats = grid.segments.flatMap { [Float($0.0.x), Float($0.0.y), Float($0.0.z), Float($0.1.x), Float($0.1.y), Float($0.1.z)] }
            glBindBuffer(GLenum(GL_ARRAY_BUFFER), lineVBO)
            floats.withUnsafeBytes { glBufferData(GLenum(GL_ARRAY_BUFFER), $0.count, $0.baseAddress, GLenum(GL_STATIC_DRAW)) }
            (uploadedGrid, gridVertexCount) = (grid, GLsizei(floats.count / 3))
        }
        lineProgram.set("colour", grid.rgba)
        glDrawArrays(GLenum(GL_LINES), 0, gridVertexCount)
        glBindVertexArray(0)
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
