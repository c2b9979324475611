import CFreeType
import CGLFW
import Foundation
import Trajectories

/// HUD text: printable ASCII glyphs rasterised once by FreeType into a one-channel atlas, drawn
/// as textured quads in pixel coordinates. Needs a current GL context.
public final class TextRenderer {
    /// The first Debian font found (fonts-dejavu-core), or nil.
    public static var defaultFontPath: String? {
        ["/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
         "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf"]
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    private struct Glyph { var u0: Float, v0: Float, u1: Float, v1: Float, width: Float, height: Float, left: Float, top: Float, advance: Float }
    private var glyphs: [Glyph] = []
    private let texture: GLuint
    private let program: ShaderProgram
    private let panel: ShaderProgram
    private let vao: GLuint, vbo: GLuint
    /// Distance between baselines, in pixels.
    public let lineHeight: Float

    public init(fontPath: String, pixelHeight: Int) throws {
        var library: FT_Library?
        guard FT_Init_FreeType(&library) == 0, let library else { throw ViewerError.graphics("FreeType failed to initialise") }
        defer { FT_Done_FreeType(library) }
        var faceOut: FT_Face?
        guard FT_New_Face(library, fontPath, 0, &faceOut) == 0, let face = faceOut else {
            throw ViewerError.file(FileError(.malformed, path: fontPath, "FreeType cannot load this font"))
        }
        defer { FT_Done_Face(face) }
        FT_Set_Pixel_Sizes(face, 0, FT_UInt(pixelHeight))

        // rasterise ASCII 32...126 into one row-packed atlas
        let atlasWidth = 512, cell = pixelHeight * 2
        let perRow = atlasWidth / cell, rows = (95 + perRow - 1) / perRow
        let atlasHeight = rows * cell
        var atlas = [UInt8](repeating: 0, count: atlasWidth * atlasHeight)
        for (n, code) in (32...126).enumerated() {
            guard FT_Load_Char(face, FT_ULong(code), 4 /* FT_LOAD_RENDER */) == 0 else {
                glyphs.append(Glyph(u0: 0, v0: 0, u1: 0, v1: 0, width: 0, height: 0, left: 0, top: 0, advance: Float(pixelHeight) / 2))
                continue
            }
            let slot = face.pointee.glyph.pointee
            let bitmap = slot.bitmap
            let (w, h) = (min(Int(bitmap.width), cell), min(Int(bitmap.rows), cell))
            let (ox, oy) = ((n % perRow) * cell, (n / perRow) * cell)
            for y in 0..<h { for x in 0..<w {
                atlas[(oy + y) * atlasWidth + ox + x] = bitmap.buffer[y * Int(bitmap.pitch) + x]
            } }
            glyphs.append(Glyph(u0: Float(ox) / Float(atlasWidth), v0: Float(oy) / Float(atlasHeight),
                                u1: Float(ox + w) / Float(atlasWidth), v1: Float(oy + h) / Float(atlasHeight),
                                width: Float(w), height: Float(h), left: Float(slot.bitmap_left), top: Float(slot.bitmap_top),
                                advance: Float(slot.advance.x >> 6)))
        }
        lineHeight = Float(pixelHeight) * 1.35

        var tex: GLuint = 0
        glGenTextures(1, &tex)
        glBindTexture(GLenum(GL_TEXTURE_2D), tex)
        glPixelStorei(GLenum(GL_UNPACK_ALIGNMENT), 1)
        glTexImage2D(GLenum(GL_TEXTURE_2D), 0, GL_R8, GLsizei(atlasWidth), GLsizei(atlasHeight), 0,
                     GLenum(GL_RED), GLenum(GL_UNSIGNED_BYTE), atlas)
        glTexParameteri(GLenum(GL_TEXTURE_2D), GLenum(GL_TEXTURE_MIN_FILTER), GL_LINEAR)
        glTexParameteri(GLenum(GL_TEXTURE_2D), GLenum(GL_TEXTURE_MAG_FILTER), GL_LINEAR)
        glTexParameteri(GLenum(GL_TEXTURE_2D), GLenum(GL_TEXTURE_WRAP_S), GL_CLAMP_TO_EDGE)
        glTexParameteri(GLenum(GL_TEXTURE_2D), GLenum(GL_TEXTURE_WRAP_T), GL_CLAMP_TO_EDGE)
        texture = tex
        program = try ShaderProgram(vertex: Shaders.textVertex, fragment: Shaders.textFragment, name: "text")
        panel = try ShaderProgram(vertex: Shaders.textVertex, fragment: Shaders.panelFragment, name: "panel")
        (vao, vbo) = makeFloatVertexArray(components: [4])   // x, y, u, v
    }

    deinit {
        var (t, a, b) = (texture, vao, vbo)
        glDeleteTextures(1, &t)
        glDeleteVertexArrays(1, &a)
        glDeleteBuffers(1, &b)
    }

    /// Width of `text` in pixels.
    public func width(of text: String) -> Float {
        text.unicodeScalars.reduce(0) { $0 + glyph($1).advance }
    }

    /// `line` broken at spaces into pieces no wider than `maxWidth` (a word wider than that alone is
    /// cut between characters); an empty line stays one empty line.
    public static func wrap(_ line: String, maxWidth: Float, width: (String) -> Float) -> [String] {
        guard width(line) > maxWidth else { return [line] }
        var pieces: [String] = [], current = ""
        func add(_ word: String) {
            let joined = current.isEmpty ? word : current + " " + word
            if width(joined) <= maxWidth { current = joined; return }
            if !current.isEmpty { pieces.append(current); current = "" }
            // a word too wide for a line of its own: cut it
            var rest = Substring(word)
            while width(String(rest)) > maxWidth, rest.count > 1 {
                var n = 1
                while n < rest.count, width(String(rest.prefix(n + 1))) <= maxWidth { n += 1 }
                pieces.append(String(rest.prefix(n)))
                rest = rest.dropFirst(n)
            }
            current = String(rest)
        }
        for word in line.split(separator: " ", omittingEmptySubsequences: true) { add(String(word)) }
        if !current.isEmpty { pieces.append(current) }
        return pieces.isEmpty ? [""] : pieces
    }

    /// Draws lines of text from (x, y) pixels from the top left, on a translucent panel; lines wider
    /// than the viewport are wrapped at spaces.
    public func draw(lines: [String], x: Float, y: Float, viewport: SIMD2<Float>,
                     colour: SIMD4<Float> = SIMD4(0.08, 0.09, 0.12, 1), background: SIMD4<Float> = SIMD4(1, 1, 1, 0.65)) {
        let lines = lines.flatMap { Self.wrap($0, maxWidth: max(viewport.x - x - 12, 40), width: width(of:)) }
        glEnable(GLenum(GL_BLEND))
        glBlendFunc(GLenum(GL_SRC_ALPHA), GLenum(GL_ONE_MINUS_SRC_ALPHA))
        glBindVertexArray(vao)
        glBindBuffer(GLenum(GL_ARRAY_BUFFER), vbo)

        // panel behind the text
        let w = (lines.map(width(of:)).max() ?? 0) + 12, h = lineHeight * Float(lines.count) + 8
        let (px, py) = (x - 6, y - 4)
        let quad: [Float] = [px, py, 0, 0, px + w, py, 0, 0, px + w, py + h, 0, 0, px, py, 0, 0, px + w, py + h, 0, 0, px, py + h, 0, 0]
        panel.use()
        panel.set("viewport", viewport)
        panel.set("colour", background)
        quad.withUnsafeBytes { glBufferData(GLenum(GL_ARRAY_BUFFER), $0.count, $0.baseAddress, GLenum(GL_STREAM_DRAW)) }
        glDrawArrays(GLenum(GL_TRIANGLES), 0, 6)

        var v: [Float] = []
        for (i, line) in lines.enumerated() {
            var pen = x
            let baseline = y + lineHeight * Float(i) + lineHeight * 0.75
            for scalar in line.unicodeScalars {
                let g = glyph(scalar)
                let (x0, y0) = (pen + g.left, baseline - g.top)
                let (x1, y1) = (x0 + g.width, y0 + g.height)
                v += [x0, y0, g.u0, g.v0, x1, y0, g.u1, g.v0, x1, y1, g.u1, g.v1,
                      x0, y0, g.u0, g.v0, x1, y1, g.u1, g.v1, x0, y1, g.u0, g.v1]
                pen += g.advance
            }
        }
        guard !v.isEmpty else { return }
        program.use()
        program.set("viewport", viewport)
        program.set("colour", colour)
        program.set("atlas", 0)
        glActiveTexture(GLenum(GL_TEXTURE0))
        glBindTexture(GLenum(GL_TEXTURE_2D), texture)
        v.withUnsafeBytes { glBufferData(GLenum(GL_ARRAY_BUFFER), $0.count, $0.baseAddress, GLenum(GL_STREAM_DRAW)) }
        glDrawArrays(GLenum(GL_TRIANGLES), 0, GLsizei(v.count / 4))
        glBindVertexArray(0)
    }

    private func glyph(_ s: Unicode.Scalar) -> Glyph {
        let i = Int(s.value) - 32
        return glyphs[(0..<glyphs.count).contains(i) ? i : Int(("?" as Unicode.Scalar).value) - 32]
    }
}
