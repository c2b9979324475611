import Foundation
import Scene

/// Low-poly shapes placed in the world on the CPU and merged into one vertex buffer, so that a
/// whole translucent layer (64 ghost robots: ~650 shapes) is one draw call of closed, outward-wound
/// surfaces. Software rasterisers (llvmpipe) pay per triangle and per blended fragment: a capsule
/// here is one lathe with hemispherical caps (64 triangles at 8 slices) instead of a cylinder and
/// two overlapping spheres (280), and with back faces culled each surface blends once.
/// Pure CPU work with no GL, testable without a display.
struct MergedBatch {
    /// Interleaved vertices: position [3], normal [3], colour [4] (linear RGB, opacity), world frame.
    var vertices: [Float] = []
    /// Triangles, counter-clockwise seen from outside.
    var indices: [UInt32] = []
    /// Floats per vertex.
    static let stride = 10
    /// Slices around the axis of lathed shapes.
    let slices: Int
    /// Rings from a cap's rim to its pole, the pole included: 2 (rim, 45°, pole) or 1 (rim,
    /// pole: a pyramid cap, half the cap triangles).
    let capStacks: Int
    /// The index range of each appended drawable in `indices`, in append order, so that the
    /// shapes can be redrawn in another order (far to near) without rebuilding the vertices.
    private(set) var ranges: [Range<Int>] = []
    /// A lathe's resolution: slices with their angles, and cap rings.
    private struct Lathe {
        let slices: Int, capStacks: Int, cosines: [Float], sines: [Float]
        init(slices: Int, capStacks: Int) {
            (self.slices, self.capStacks) = (slices, capStacks)
            cosines = (0..<slices).map { Float(cos(Double($0) / Double(slices) * 2 * .pi)) }
            sines = (0..<slices).map { Float(sin(Double($0) / Double(slices) * 2 * .pi)) }
        }
    }
    /// `slices` and `capStacks`; the same for spheres and ellipsoids but at least 6 slices and 2
    /// rings (one sphere per robot at most in arm7, but a point mass is nothing else, and 4 slices
    /// of 1 ring make it an octahedron); and the finer resolution of `append(_:fine:)` (8 slices
    /// or more, 2 rings).
    private let coarse: Lathe, coarseSphere: Lathe, fine: Lathe

    init(slices: Int = 8, capStacks: Int = 2) {
        self.slices = slices
        self.capStacks = min(max(capStacks, 1), 2)
        coarse = Lathe(slices: slices, capStacks: self.capStacks)
        coarseSphere = Lathe(slices: max(slices, 6), capStacks: 2)
        fine = Lathe(slices: max(slices, 8), capStacks: 2)
    }

    var vertexCount: Int { vertices.count / Self.stride }
    var triangleCount: Int { indices.count / 3 }

    mutating func removeAll() {
        vertices.removeAll(keepingCapacity: true)
        indices.removeAll(keepingCapacity: true)
        ranges.removeAll(keepingCapacity: true)
    }

    /// The indices of the drawables in `order` (positions in append order), concatenated into
    /// `out` (emptied first, its storage kept).
    func indices(inOrder order: [Int], into out: inout [UInt32]) {
        out.removeAll(keepingCapacity: true)
        for i in order { out.append(contentsOf: indices[ranges[i]]) }
    }

    /// A point of a lathe profile: radius ρ and height z in the shape frame, and the normal's
    /// radial and axial parts.
    struct ProfilePoint { var rho: Float, z: Float, nRho: Float, nZ: Float }

    /// Appends `d` in its world placement, at `slices` and `capStacks`, or when `fine` at 8 slices
    /// or more and 2 cap rings (for the few shapes that are not ghosts: obstacles, context).
    mutating func append(_ d: Drawable, fine isFine: Bool = false) {
        let first = indices.count, lathe = isFine ? fine : coarse, sphere = isFine ? fine : coarseSphere
        switch d.shape {
        case .capsule(let r, let h):
            appendLathe(Self.capsuleProfile(radius: Float(r), halfLength: Float(h), stacks: lathe.capStacks), d, scale: SIMD3(1, 1, 1), lathe)
        case .sphere(let r):
            appendLathe(Self.capsuleProfile(radius: Float(r), halfLength: 0, stacks: sphere.capStacks), d, scale: SIMD3(1, 1, 1), sphere)
        case .ellipsoid(let radii):
            appendLathe(Self.capsuleProfile(radius: 1, halfLength: 0, stacks: sphere.capStacks), d, scale: SIMD3<Float>(radii), sphere)
        case .cylinder(let r, let h):
            appendLathe(Self.cylinderProfile(radius: Float(r), halfLength: Float(h)), d, scale: SIMD3(1, 1, 1), lathe)
        case .box(let e): appendBox(SIMD3<Float>(e), d)
        case .plane(let e): appendPlane(SIMD2<Float>(e), d)
        }
        ranges.append(first..<indices.count)
    }

    // MARK: - Profiles (bottom pole to top pole)

    /// A capsule (a sphere when halfLength is 0): hemispheres of `stacks` stacks each (2: 0°, 45°,
    /// pole; 1: 0°, pole) around a cylinder from −halfLength to +halfLength; smooth normals throughout.
    static func capsuleProfile(radius r: Float, halfLength h: Float, stacks: Int = 2) -> [ProfilePoint] {
        let c = Float(0.5).squareRoot()
        var p = [ProfilePoint(rho: 0, z: -h - r, nRho: 0, nZ: -1)]
        if stacks > 1 { p.append(ProfilePoint(rho: r * c, z: -h - r * c, nRho: c, nZ: -c)) }
        p.append(ProfilePoint(rho: r, z: -h, nRho: 1, nZ: 0))
        if h > 0 { p.append(ProfilePoint(rho: r, z: h, nRho: 1, nZ: 0)) }
        if stacks > 1 { p.append(ProfilePoint(rho: r * c, z: h + r * c, nRho: c, nZ: c)) }
        p.append(ProfilePoint(rho: 0, z: h + r, nRho: 0, nZ: 1))
        return p
    }

    /// A cylinder with flat caps: rim points repeated with the cap's and the side's normals.
    static func cylinderProfile(radius r: Float, halfLength h: Float) -> [ProfilePoint] {
        [ProfilePoint(rho: 0, z: -h, nRho: 0, nZ: -1), ProfilePoint(rho: r, z: -h, nRho: 0, nZ: -1),
         ProfilePoint(rho: r, z: -h, nRho: 1, nZ: 0), ProfilePoint(rho: r, z: h, nRho: 1, nZ: 0),
         ProfilePoint(rho: r, z: h, nRho: 0, nZ: 1), ProfilePoint(rho: 0, z: h, nRho: 0, nZ: 1)]
    }

    // MARK: - Emitters

    /// The profile turned about the shape's z axis, then scaled (ellipsoids), rotated and moved.
    private mutating func appendLathe(_ profile: [ProfilePoint], _ d: Drawable, scale: SIMD3<Float>, _ lathe: Lathe) {
        let (r0, r1, r2) = (SIMD3<Float>(d.rotation.rows.0), SIMD3<Float>(d.rotation.rows.1), SIMD3<Float>(d.rotation.rows.2))
        let t = SIMD3<Float>(d.position), inverseScale = 1 / scale
        let base = UInt32(vertexCount), n = lathe.slices
        let (cosines, sines) = (lathe.cosines, lathe.sines)
        for p in profile {
            for j in 0..<n {
                let local = SIMD3(p.rho * cosines[j], p.rho * sines[j], p.z) * scale
                let normalLocal = SIMD3(p.nRho * cosines[j], p.nRho * sines[j], p.nZ) * inverseScale
                emit(local: local, normal: normalLocal, rows: (r0, r1, r2), translation: t, colour: d.rgba)
            }
        }
        // quads between consecutive rings; no triangles at a pole (zero area) nor across a crease
        // (repeated rim points of a flat cap)
        for i in 0..<(profile.count - 1) {
            let (a, b) = (profile[i], profile[i + 1])
            if a.rho == b.rho && a.z == b.z { continue }
            for j in 0..<n {
                let j1 = (j + 1) % n
                let (p0, p1) = (base + UInt32(i * n + j), base + UInt32(i * n + j1))
                let (q0, q1) = (base + UInt32((i + 1) * n + j), base + UInt32((i + 1) * n + j1))
                if a.rho > 0 { indices += [p0, p1, q1] }
                if b.rho > 0 { indices += [p0, q1, q0] }
            }
        }
    }

    private mutating func appendBox(_ e: SIMD3<Float>, _ d: Drawable) {
        let rows = (SIMD3<Float>(d.rotation.rows.0), SIMD3<Float>(d.rotation.rows.1), SIMD3<Float>(d.rotation.rows.2))
        let t = SIMD3<Float>(d.position)
        for axis in 0..<3 {
            for sign: Float in [-1, 1] {
                var n = SIMD3<Float>(0, 0, 0), u = SIMD3<Float>(0, 0, 0), v = SIMD3<Float>(0, 0, 0)
                n[axis] = sign
                u[(axis + 1) % 3] = 1
                v[(axis + 2) % 3] = 1
                // (u, v, n) is right-handed: corners in u-v order are counter-clockwise seen from +n
                let corners = sign > 0 ? [n - u - v, n + u - v, n + u + v, n - u + v] : [n - u - v, n - u + v, n + u + v, n + u - v]
                let base = UInt32(vertexCount)
                for c in corners { emit(local: c * e, normal: n, rows: rows, translation: t, colour: d.rgba) }
                indices += [base, base + 1, base + 2, base, base + 2, base + 3]
            }
        }
    }

    /// Both faces of a plane, so that it shows from above and below with back faces culled.
    private mutating func appendPlane(_ e: SIMD2<Float>, _ d: Drawable) {
        let rows = (SIMD3<Float>(d.rotation.rows.0), SIMD3<Float>(d.rotation.rows.1), SIMD3<Float>(d.rotation.rows.2))
        let t = SIMD3<Float>(d.position)
        for side: Float in [1, -1] {
            let base = UInt32(vertexCount)
            for (x, y) in [(Float(-1), Float(-1)), (1, -1), (1, 1), (-1, 1)] {
                emit(local: SIMD3(x * e.x, y * e.y * side, 0), normal: SIMD3(0, 0, side), rows: rows, translation: t, colour: d.rgba)
            }
            indices += [base, base + 1, base + 2, base, base + 2, base + 3]
        }
    }

    @inline(__always)
    private mutating func emit(local: SIMD3<Float>, normal: SIMD3<Float>, rows: (SIMD3<Float>, SIMD3<Float>, SIMD3<Float>),
                               translation: SIMD3<Float>, colour: SIMD4<Float>) {
        let p = SIMD3((rows.0 * local).sum(), (rows.1 * local).sum(), (rows.2 * local).sum()) + translation
        let n = SIMD3((rows.0 * normal).sum(), (rows.1 * normal).sum(), (rows.2 * normal).sum())
        // element by element: an array literal here would allocate once per vertex
        vertices.append(p.x); vertices.append(p.y); vertices.append(p.z)
        vertices.append(n.x); vertices.append(n.y); vertices.append(n.z)
        vertices.append(colour.x); vertices.append(colour.y); vertices.append(colour.z); vertices.append(colour.w)
    }
}
