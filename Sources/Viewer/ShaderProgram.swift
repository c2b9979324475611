import CGLFW

/// A linked GLSL 3.30 program with cached uniform locations. Needs a current GL context.
final class ShaderProgram {
    let id: GLuint
    private var locations: [String: GLint] = [:]

    init(vertex: String, fragment: String, name: String) throws {
        let vs = try Self.compile(GLenum(GL_VERTEX_SHADER), vertex, "\(name) vertex shader")
        let fs = try Self.compile(GLenum(GL_FRAGMENT_SHADER), fragment, "\(name) fragment shader")
        id = glCreateProgram()
        glAttachShader(id, vs)
        glAttachShader(id, fs)
        glLinkProgram(id)
        glDeleteShader(vs)
        glDeleteShader(fs)
        var ok: GLint = 0
        glGetProgramiv(id, GLenum(GL_LINK_STATUS), &ok)
        if ok == 0 {
            throw ViewerError.graphics("linking the \(name) shaders failed: \(Self.log { glGetProgramInfoLog(id, 4096, nil, $0) })")
        }
    }

    deinit { glDeleteProgram(id) }

    func use() { glUseProgram(id) }

    func location(_ name: String) -> GLint {
        if let l = locations[name] { return l }
        let l = glGetUniformLocation(id, name)
        locations[name] = l
        return l
    }

    func set(_ name: String, _ m: [Float]) {
        m.withUnsafeBufferPointer { glUniformMatrix4fv(location(name), 1, GLboolean(GL_FALSE), $0.baseAddress) }
    }
    func set3x3(_ name: String, _ m: [Float]) {
        m.withUnsafeBufferPointer { glUniformMatrix3fv(location(name), 1, GLboolean(GL_FALSE), $0.baseAddress) }
    }
    func set(_ name: String, _ v: SIMD4<Float>) { glUniform4f(location(name), v.x, v.y, v.z, v.w) }
    func set(_ name: String, _ v: SIMD3<Float>) { glUniform3f(location(name), v.x, v.y, v.z) }
    func set(_ name: String, _ v: SIMD2<Float>) { glUniform2f(location(name), v.x, v.y) }
    func set(_ name: String, _ i: Int32) { glUniform1i(location(name), i) }

    private static func compile(_ kind: GLenum, _ source: String, _ what: String) throws -> GLuint {
        let shader = glCreateShader(kind)
        source.withCString { text in
            var pointer: UnsafePointer<GLchar>? = text
            glShaderSource(shader, 1, &pointer, nil)
        }
        glCompileShader(shader)
        var ok: GLint = 0
        glGetShaderiv(shader, GLenum(GL_COMPILE_STATUS), &ok)
        if ok == 0 {
            let message = log { glGetShaderInfoLog(shader, 4096, nil, $0) }
            glDeleteShader(shader)
            throw ViewerError.graphics("compiling the \(what) failed: \(message)")
        }
        return shader
    }

    private static func log(_ body: (UnsafeMutablePointer<GLchar>) -> Void) -> String {
        var buffer = [GLchar](repeating: 0, count: 4096)
        buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
        return String(cString: buffer)
    }
}

// MARK: - Sources

enum Shaders {
    /// Phong shading of meshes: ambient + diffuse + specular from a light above and behind the eye.
    static let meshVertex = """
    #version 330 core
    layout(location = 0) in vec3 position;
    layout(location = 1) in vec3 normal;
    // per instance: shape-to-world transform, its inverse transpose for normals, colour
    layout(location = 2) in mat4 model;
    layout(location = 6) in mat3 normalMatrix;
    layout(location = 9) in vec4 instanceColour;
    uniform mat4 viewProjection;
    out vec3 worldPosition;
    out vec3 worldNormal;
    out vec4 colour;
    void main() {
        vec4 w = model * vec4(position, 1.0);
        worldPosition = w.xyz;
        worldNormal = normalMatrix * normal;
        colour = instanceColour;
        gl_Position = viewProjection * w;
    }
    """
    /// Pre-placed world-space vertices with their own colour (merged translucent layers), lit
    /// per vertex (Gouraud, no highlight): the fragment shader only passes the colour on, and a
    /// software rasteriser pays per blended fragment of 64 overlapping ghosts, not per vertex.
    static let batchVertex = """
    #version 330 core
    layout(location = 0) in vec3 position;
    layout(location = 1) in vec3 normal;
    layout(location = 2) in vec4 vertexColour;
    uniform mat4 viewProjection;
    uniform vec3 eye;
    uniform vec3 lightDirection;
    out vec4 colour;
    void main() {
        vec3 n = normalize(normal);
        if (dot(n, eye - position) < 0.0) n = -n;
        float diffuse = max(dot(n, normalize(lightDirection)), 0.0);
        colour = vec4(min(vertexColour.rgb * (0.35 + 0.65 * diffuse), vec3(1.0)), vertexColour.a);
        gl_Position = viewProjection * vec4(position, 1.0);
    }
    """
    static let meshFragment = """
    #version 330 core
    in vec3 worldPosition;
    in vec3 worldNormal;
    in vec4 colour;
    uniform vec3 eye;
    uniform vec3 lightDirection;
    out vec4 fragColour;
    void main() {
        vec3 n = normalize(worldNormal);
        vec3 v = normalize(eye - worldPosition);
        if (dot(n, v) < 0.0) n = -n;
        vec3 l = normalize(lightDirection);
        float diffuse = max(dot(n, l), 0.0);
        float specular = pow(max(dot(n, normalize(l + v)), 0.0), 32.0);
        vec3 c = colour.rgb * (0.35 + 0.65 * diffuse) + vec3(0.25 * specular);
        fragColour = vec4(min(c, vec3(1.0)), colour.a);
    }
    """
    /// Rectangles given in window pixels from the bottom left.
    static let pixelVertex = """
    #version 330 core
    layout(location = 0) in vec2 pixel;
    uniform vec2 viewport;
    void main() { gl_Position = vec4(pixel / viewport * 2.0 - 1.0, 0.0, 1.0); }
    """
    /// The pixel of a viewport-sized premultiplied-alpha texture under each fragment.
    static let layerFragment = """
    #version 330 core
    uniform sampler2D layer;
    out vec4 fragColour;
    void main() { fragColour = texelFetch(layer, ivec2(gl_FragCoord.xy), 0); }
    """
    /// Flat-coloured lines (grid, trails).
    static let lineVertex = """
    #version 330 core
    layout(location = 0) in vec3 position;
    uniform mat4 viewProjection;
    void main() { gl_Position = viewProjection * vec4(position, 1.0); }
    """
    /// Lines with a colour per vertex: every trail of a frame in one call.
    static let colouredLineVertex = """
    #version 330 core
    layout(location = 0) in vec3 position;
    layout(location = 1) in vec4 vertexColour;
    uniform mat4 viewProjection;
    out vec4 colour;
    void main() { colour = vertexColour; gl_Position = viewProjection * vec4(position, 1.0); }
    """
    static let colouredLineFragment = """
    #version 330 core
    in vec4 colour;
    out vec4 fragColour;
    void main() { fragColour = colour; }
    """
    static let lineFragment = """
    #version 330 core
    uniform vec4 colour;
    out vec4 fragColour;
    void main() { fragColour = colour; }
    """
    /// Text quads in pixel coordinates sampling a one-channel glyph atlas.
    static let textVertex = """
    #version 330 core
    layout(location = 0) in vec4 vertex; // x, y in pixels from the top left; u, v
    uniform vec2 viewport;
    out vec2 uv;
    void main() {
        uv = vertex.zw;
        gl_Position = vec4(vertex.x / viewport.x * 2.0 - 1.0, 1.0 - vertex.y / viewport.y * 2.0, 0.0, 1.0);
    }
    """
    static let textFragment = """
    #version 330 core
    in vec2 uv;
    uniform sampler2D atlas;
    uniform vec4 colour;
    out vec4 fragColour;
    void main() { fragColour = vec4(colour.rgb, colour.a * texture(atlas, uv).r); }
    """
    /// Untextured quads in pixel coordinates (HUD panels).
    static let panelFragment = """
    #version 330 core
    uniform vec4 colour;
    out vec4 fragColour;
    void main() { fragColour = colour; }
    """
}
