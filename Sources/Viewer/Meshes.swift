import Foundation

/// Unit meshes the renderer scales into every shape: interleaved (position, normal) floats.
enum Meshes {
    /// Unit sphere, radius 1: `slices` around z, `stacks` from pole to pole.
    static func sphere(slices: Int = 20, stacks: Int = 12) -> [Float] {
        var v: [Float] = []
        func point(_ i: Int, _ j: Int) -> SIMD3<Float> {
            let theta = Float(j) / Float(stacks) * .pi, phi = Float(i) / Float(slices) * 2 * .pi
            return SIMD3(sin(theta) * cos(phi), sin(theta) * sin(phi), cos(theta))
        }
        for j in 0..<stacks {
            for i in 0..<slices {
                let a = point(i, j), b = point(i + 1, j), c = point(i + 1, j + 1), d = point(i, j + 1)
                for p in [a, d, c, a, c, b] { v += [p.x, p.y, p.z, p.x, p.y, p.z] }
            }
        }
        return v
    }

    /// Unit cylinder: radius 1, z in [-1, 1], with flat caps.
    static func cylinder(slices: Int = 20) -> [Float] {
        var v: [Float] = []
        for i in 0..<slices {
            let a0 = Float(i) / Float(slices) * 2 * .pi, a1 = Float(i + 1) / Float(slices) * 2 * .pi
            let (c0, s0, c1, s1) = (cos(a0), sin(a0), cos(a1), sin(a1))
            // side
            for (x, y, z) in [(c0, s0, Float(-1)), (c1, s1, -1), (c1, s1, 1), (c0, s0, -1), (c1, s1, 1), (c0, s0, 1)] {
                v += [x, y, z, x, y, 0]
            }
            // caps
            for (x, y) in [(Float(0), Float(0)), (c0, s0), (c1, s1)] { v += [x, y, 1, 0, 0, 1] }
            for (x, y) in [(Float(0), Float(0)), (c1, s1), (c0, s0)] { v += [x, y, -1, 0, 0, -1] }
        }
        return v
    }

    /// Unit cube [-1, 1]³ with face normals.
    static func cube() -> [Float] {
        var v: [Float] = []
        for axis in 0..<3 {
            for sign: Float in [-1, 1] {
                var n = SIMD3<Float>(0, 0, 0); n[axis] = sign
                var t1 = SIMD3<Float>(0, 0, 0), t2 = SIMD3<Float>(0, 0, 0)
                t1[(axis + 1) % 3] = 1
                t2[(axis + 2) % 3] = 1
                let corners = [n - t1 - t2, n + t1 - t2, n + t1 + t2, n - t1 + t2]
                // counter-clockwise seen from outside: flip order on the negative side
                let order = sign > 0 ? [0, 1, 2, 0, 2, 3] : [0, 2, 1, 0, 3, 2]
                for k in order { v += [corners[k].x, corners[k].y, corners[k].z, n.x, n.y, n.z] }
            }
        }
        return v
    }

    /// Unit square [-1, 1]² at z = 0, normal +z.
    static func square() -> [Float] {
        [(-1, -1), (1, -1), (1, 1), (-1, -1), (1, 1), (-1, 1)].flatMap { (x: Float, y: Float) in [x, y, 0, 0, 0, 1] }
    }

    /// Shares equal vertices of a triangle soup: unique (position, normal) floats and triangle
    /// indices, so that the vertex shader runs once per unique vertex.
    static func indexed(_ soup: [Float]) -> (vertices: [Float], indices: [UInt32]) {
        var seen: [[Float]: UInt32] = [:]
        var vertices: [Float] = [], indices: [UInt32] = []
        for k in stride(from: 0, to: soup.count, by: 6) {
            let key = Array(soup[k..<k + 6])
            if let i = seen[key] { indices.append(i); continue }
            let i = UInt32(vertices.count / 6)
            seen[key] = i
            vertices += key
            indices.append(i)
        }
        return (vertices, indices)
    }
}
