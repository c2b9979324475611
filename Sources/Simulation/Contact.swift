import CSim

/// One contact of the last `forward()` or `step()`, as MuJoCo's `mjData.contact` with
/// `mj_contactForce`: the geoms, the signed distance, the point and frame, and the force.
public struct Contact: Codable, Equatable, Sendable {
    /// The two geoms; the normal points from the first to the second.
    public var geom1: Int, geom2: Int
    /// Signed distance between the surfaces, in metres (negative: penetration).
    public var distance: Double
    /// World point midway between the surfaces [3].
    public var position: [Double]
    /// Contact frame [3, 3] row-major, world coordinates: normal, first tangent, second tangent.
    public var frame: [Double]
    /// What the first geom exerts on the second, in the contact frame [6]: force along the normal
    /// and the two tangents (N), torque about the normal and the two tangents (N·m; nonzero with
    /// condim 4 and 6 only).
    public var force: [Double]

    /// The force in world coordinates [3] (frameᵀ · force[0..<3]).
    public var worldForce: SIMD3<Double> {
        var f = SIMD3<Double>.zero
        for r in 0..<3 { f += force[r] * SIMD3(frame[3 * r], frame[3 * r + 1], frame[3 * r + 2]) }
        return f
    }

    /// The normal [3] in world coordinates (the frame's first row).
    public var normal: SIMD3<Double> { SIMD3(frame[0], frame[1], frame[2]) }
}

extension RobotState {
    /// The contacts of the last `forward()` or `step()`, in MuJoCo's order, each with its force.
    /// Call `forward()` after setting a state to see the contacts (and forces) of that state.
    public func contacts() throws -> [Contact] {
        var count: Int64 = 0
        try check(sim_contacts(model.handle, handle, 0, &count, nil, nil), "contacts of \(model.source)")
        let n = Int(count)
        guard n > 0 else { return [] }
        var geoms = [Int32](repeating: 0, count: 2 * n)
        var data = [Double](repeating: 0, count: 13 * n), forces = [Double](repeating: 0, count: 6 * n)
        try check(sim_contacts(model.handle, handle, count, &count, &geoms, &data), "contacts of \(model.source)")
        try check(sim_contactForces(model.handle, handle, Int64(n), &count, &forces), "contact forces of \(model.source)")
        return (0..<n).map { i in
            Contact(geom1: Int(geoms[2 * i]), geom2: Int(geoms[2 * i + 1]), distance: data[13 * i],
                    position: Array(data[13 * i + 1..<13 * i + 4]), frame: Array(data[13 * i + 4..<13 * i + 13]),
                    force: Array(forces[6 * i..<6 * i + 6]))
        }
    }
}
