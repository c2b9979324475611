// ObstacleEnergy: keep the robot's capsules out of spherical and capsule obstacles, by signed
// distances between segments and their gradients through the bridge's site Jacobians.

import Foundation
import Simulation

/// A workspace obstacle (world coordinates, m).
public enum Obstacle: Sendable, Equatable {
    case sphere(center: SIMD3<Double>, radius: Double)
    /// The set of points within `radius` of the segment from `from` to `to`.
    case capsule(from: SIMD3<Double>, to: SIMD3<Double>, radius: Double)

    var segment: (SIMD3<Double>, SIMD3<Double>, Double) {
        switch self {
        case .sphere(let c, let r): return (c, c, r)
        case .capsule(let a, let b, let r): return (a, b, r)
        }
    }

    /// Throws for a negative or non-finite size.
    public func validated() throws -> Obstacle {
        let (a, b, r) = segment
        guard r.isFinite, r >= 0, (a + b).x.isFinite, (a + b).y.isFinite, (a + b).z.isFinite else {
            throw PlanningError.invalidArgument("obstacle \(self): centre and radius must be finite and the radius >= 0")
        }
        return self
    }
}

/// The robot's collision shapes — its capsule and sphere geoms as segments with a radius — and
/// a copy of the robot with a site at each segment end, so that the bridge's batched kinematics
/// give their positions and Jacobians. A point at fraction s along a segment of one rigid body
/// moves as (1 − s)·J_a + s·J_b exactly (rigid-body velocities are affine in position), so two
/// end sites per capsule give every point's Jacobian. Geoms of the world body are fixed and
/// skipped; boxes, cylinders and ellipsoids are not modelled (document them as margins).
public final class CollisionGeometry {
    /// One robot capsule: end sites (equal for a sphere) in `model`, radius (m).
    public struct Capsule: Sendable {
        public var body: String, siteA: Int, siteB: Int, radius: Double
    }
    /// The robot with the extra sites (same bodies, joints and dynamics).
    public let model: RobotModel
    public let capsules: [Capsule]
    /// Distinct end sites.
    let endSites: [Int]

    /// Reads the robot's MJCF (a built-in's text or its file) and adds the end sites.
    public init(robot: RobotModel) throws {
        let xml: String
        if let builtin = try? RobotModel.builtinXML(robot.source) {
            xml = builtin
        } else if let text = try? String(contentsOfFile: robot.source, encoding: .utf8) {
            xml = text
        } else {
            throw PlanningError.invalidArgument("collision geometry: cannot read the MJCF of '\(robot.source)' (a built-in name or an .xml file is needed)")
        }
        let bodyNames = robot.names(.body)
        var sitesByBody: [String: [String]] = [:]
        var pending: [(body: String, a: String, b: String, radius: Double)] = []
        for (i, geom) in robot.geoms.enumerated() where geom.body > 0 && (geom.shape == .capsule || geom.shape == .sphere) {
            let body = bodyNames[geom.body]
            guard !body.isEmpty else { throw PlanningError.invalidArgument("collision geometry: \(robot.source) has an unnamed body carrying geom \(i)") }
            let q = geom.quaternion   // (w, x, y, z): the capsule's axis is its local z
            let (w, x, y, z) = (q[0], q[1], q[2], q[3])
            let axis = SIMD3(2 * (x * z + w * y), 2 * (y * z - w * x), 1 - 2 * (x * x + y * y))   // R(q)·ẑ
            let half = geom.shape == .capsule ? geom.size.y : 0
            let (a, b) = (geom.position - half * axis, geom.position + half * axis)
            let (na, nb) = ("_plan_g\(i)_a", geom.shape == .capsule ? "_plan_g\(i)_b" : "_plan_g\(i)_a")
            sitesByBody[body, default: []].append("<site name=\"\(na)\" pos=\"\(a.x) \(a.y) \(a.z)\"/>")
            if nb != na { sitesByBody[body, default: []].append("<site name=\"\(nb)\" pos=\"\(b.x) \(b.y) \(b.z)\"/>") }
            pending.append((body, na, nb, geom.size.x))
        }
        guard !pending.isEmpty else { throw PlanningError.invalidArgument("collision geometry: \(robot.source) has no capsule or sphere geoms on moving bodies") }
        var text = xml
        for (body, sites) in sitesByBody {
            guard let range = Self.openingTag(of: body, in: text) else {
                throw PlanningError.invalidArgument("collision geometry: no <body name=\"\(body)\"> in the MJCF of \(robot.source)")
            }
            text.insert(contentsOf: sites.joined(), at: range.upperBound)
        }
        let extended: RobotModel
        do { extended = try RobotModel(xml: text, sourceName: robot.source).with(options: robot.options) } catch {
            throw PlanningError.invalidArgument("collision geometry of \(robot.source): \(error)")
        }
        capsules = pending.map { p in
            Capsule(body: p.body, siteA: extended.index(of: .site, named: p.a)!, siteB: extended.index(of: .site, named: p.b)!, radius: p.radius)
        }
        endSites = Array(Set(capsules.flatMap { [$0.siteA, $0.siteB] })).sorted()
        model = extended
    }

    /// The range of `<body … name="NAME" …>` (the whole opening tag) in MJCF text.
    static func openingTag(of name: String, in text: String) -> Range<String.Index>? {
        var from = text.startIndex
        while let open = text.range(of: "<body", range: from..<text.endIndex) {
            guard let close = text.range(of: ">", range: open.upperBound..<text.endIndex) else { return nil }
            let tag = text[open.lowerBound..<close.upperBound]
            if tag.contains("name=\"\(name)\"") || tag.contains("name='\(name)'") { return open.lowerBound..<close.upperBound }
            from = close.upperBound
        }
        return nil
    }

    /// Signed distances (count, capsules, obstacles) at configurations qpos (count, nq): negative
    /// inside. With `margin`, also E = ½ Σ max(0, margin − d)² per configuration and its gradient
    /// ∂E/∂q (count, nv).
    public func evaluate(qpos: [Double], count: Int, obstacles: [Obstacle], margin: Double, gradient: Bool,
                         threads: Int = 0) throws -> (distances: [Double], energies: [Double], gradients: [Double]) {
        let (nq, nv, ns, C, O) = (model.nq, model.nv, model.nsite, capsules.count, obstacles.count)
        var distances = [Double](repeating: .infinity, count: count * C * O)
        var energies = [Double](repeating: 0, count: count)
        var gradients = [Double](repeating: 0, count: gradient ? count * nv : 0)
        guard O > 0, count > 0 else { return (distances, energies, gradients) }
        // every site's position in one call; Jacobians later, only where the hinge is active
        let sites = try model.kinematics(qpos: qpos, batch: count, threads: threads).sites
        func site(_ b: Int, _ s: Int) -> SIMD3<Double> { let p = (b * ns + s) * 3; return SIMD3(sites[p], sites[p + 1], sites[p + 2]) }
        // active pairs: configuration, capsule, fraction s along it, −violation · normal
        var active: [(b: Int, capsule: Int, s: Double, pull: SIMD3<Double>)] = []
        for b in 0..<count {
            for (c, capsule) in capsules.enumerated() {
                let (a, e) = (site(b, capsule.siteA), site(b, capsule.siteB))
                for (o, obstacle) in obstacles.enumerated() {
                    let (oa, ob, radius) = obstacle.segment
                    let (s, u) = closestParameters(a, e, oa, ob)
                    let (p, q) = (a + s * (e - a), oa + u * (ob - oa))
                    let gap = simd_length(p - q)
                    let d = gap - capsule.radius - radius
                    distances[(b * C + c) * O + o] = d
                    let violation = margin - d
                    guard violation > 0 else { continue }
                    energies[b] += 0.5 * violation * violation
                    // ∂E/∂q = −violation · nᵀ((1 − s) J_a + s J_b), n = (p − q)/|p − q| (closest points fixed: envelope theorem)
                    if gradient && gap > 1e-12 { active.append((b, c, s, -violation * (p - q) / gap)) }
                }
            }
        }
        guard gradient, !active.isEmpty else { return (distances, energies, gradients) }
        // the active configurations (A of count) in one batched call per end site they need
        var row = [Int: Int](), activeQ: [Double] = []
        for pair in active where row[pair.b] == nil {
            row[pair.b] = row.count
            activeQ += qpos[pair.b * nq..<(pair.b + 1) * nq]
        }
        var jacobians: [Int: [Double]] = [:]
        for s in Set(active.flatMap { [capsules[$0.capsule].siteA, capsules[$0.capsule].siteB] }) {
            jacobians[s] = try model.kinematics(qpos: activeQ, batch: row.count, jacobianSite: s, threads: threads).jacobian
        }
        for pair in active {
            let capsule = capsules[pair.capsule], r = row[pair.b]!
            let (ja, jb) = (jacobians[capsule.siteA]!, jacobians[capsule.siteB]!)
            for j in 0..<nv {
                var dd = 0.0
                for x in 0..<3 { dd += pair.pull[x] * ((1 - pair.s) * ja[(r * 3 + x) * nv + j] + pair.s * jb[(r * 3 + x) * nv + j]) }
                gradients[pair.b * nv + j] += dd
            }
        }
        return (distances, energies, gradients)
    }
}

/// Parameters (s, u) ∈ [0, 1]² of the closest points of segments p1→q1 and p2→q2 (Ericson,
/// Real-Time Collision Detection, 5.1.9); degenerate segments are points.
func closestParameters(_ p1: SIMD3<Double>, _ q1: SIMD3<Double>, _ p2: SIMD3<Double>, _ q2: SIMD3<Double>) -> (Double, Double) {
    let d1 = q1 - p1, d2 = q2 - p2, r = p1 - p2
    let a = simd_dot(d1, d1), e = simd_dot(d2, d2), f = simd_dot(d2, r)
    let eps = 1e-18
    func clamp01(_ x: Double) -> Double { min(max(x, 0), 1) }
    if a <= eps && e <= eps { return (0, 0) }
    if a <= eps { return (0, clamp01(f / e)) }
    let c = simd_dot(d1, r)
    if e <= eps { return (clamp01(-c / a), 0) }
    let b = simd_dot(d1, d2), denom = a * e - b * b
    var s = denom > eps * a * e ? clamp01((b * f - c * e) / denom) : 0
    var u = (b * s + f) / e
    if u < 0 { u = 0; s = clamp01(-c / a) } else if u > 1 { u = 1; s = clamp01((b - c) / a) }
    return (s, u)
}

/// E = ½ Σₜ Σ_capsules Σ_obstacles max(0, m − dₜ)², d the signed distance (m) between a robot
/// capsule and an obstacle, m the safety margin: zero in free space beyond the margin.
public struct ObstacleEnergy: PlanEnergy {
    public let name = "obstacle"
    public let layout: PlanLayout
    public let geometry: CollisionGeometry
    public let obstacles: [Obstacle]
    /// Clearance below which the energy rises, in m.
    public let margin: Double
    public var threads: Int

    public init(geometry: CollisionGeometry, obstacles: [Obstacle], margin: Double, layout: PlanLayout, threads: Int = 0) throws {
        guard layout.nq == geometry.model.nq, layout.nv == geometry.model.nv else { throw PlanningError.invalidArgument("obstacle: plan layout does not match the robot") }
        guard margin.isFinite, margin >= 0 else { throw PlanningError.invalidArgument("obstacle: margin must be >= 0 m, got \(margin)") }
        self.obstacles = try obstacles.map { try $0.validated() }
        (self.geometry, self.margin, self.layout, self.threads) = (geometry, margin, layout, threads)
    }

    public func evaluate(_ plans: [Double], count: Int, start: PlanStart, gradient: Bool) throws -> (energies: [Double], gradients: [Double]) {
        let (H, S, nq, nv) = (layout.horizon, layout.stateSize, layout.nq, layout.nv)
        let N = count * H
        var qpos = [Double](repeating: 0, count: N * nq)
        for n in 0..<N { for i in 0..<nq { qpos[n * nq + i] = plans[n * S + i] } }
        let r = try geometry.evaluate(qpos: qpos, count: N, obstacles: obstacles, margin: margin, gradient: gradient, threads: threads)
        var e = [Double](repeating: 0, count: count), g = [Double](repeating: 0, count: gradient ? count * H * S : 0)
        for n in 0..<N {
            e[n / H] += r.energies[n]
            if gradient { for j in 0..<nv { g[n * S + j] = r.gradients[n * nv + j] } }
        }
        return (e, g)
    }

    /// The smallest signed distance (m) of configurations qpos (count, nq) to any obstacle.
    public func clearance(qpos: [Double], count: Int) throws -> [Double] {
        let d = try geometry.evaluate(qpos: qpos, count: count, obstacles: obstacles, margin: 0, gradient: false, threads: threads).distances
        let per = geometry.capsules.count * obstacles.count
        return (0..<count).map { b in per == 0 ? .infinity : d[b * per..<(b + 1) * per].min()! }
    }
}
