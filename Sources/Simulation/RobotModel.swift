import CSim
import Foundation

/// Integration scheme of a model.
public enum Integrator: String, CaseIterable, Sendable {
    /// Semi-implicit Euler with joint damping taken implicitly (MuJoCo's `Euler`).
    case euler
    /// Classic fourth-order Runge–Kutta (MuJoCo's `RK4`).
    case rk4
    /// Implicit in velocity with the Coriolis derivative (MuJoCo's `implicit`); hinge and slide
    /// joints only, no fluid medium.
    case implicit
    /// Implicit in velocity without the Coriolis derivative (MuJoCo's `implicitfast`): damping and
    /// actuator velocity gains and biases taken implicitly; no fluid medium.
    case implicitfast

    var code: Int32 {
        switch self {
        case .euler: return Int32(SIM_INTEGRATOR_EULER)
        case .rk4: return Int32(SIM_INTEGRATOR_RK4)
        case .implicit: return Int32(SIM_INTEGRATOR_IMPLICIT)
        case .implicitfast: return Int32(SIM_INTEGRATOR_IMPLICITFAST)
        }
    }
    /// The integrator of a bridge code; nil for a code the bridge does not define.
    init?(code: Int32) {
        guard let integrator = Integrator.allCases.first(where: { $0.code == code }) else { return nil }
        self = integrator
    }
}

/// Physics options of a model.
public struct SimulationOptions: Equatable, Sendable {
    /// Seconds per step.
    public var timestep: Double
    public var integrator: Integrator
    /// Integration substeps per step (each `timestep / substeps` long); at least 1.
    public var substeps: Int
    /// Gravity in world coordinates, m/s².
    public var gravity: SIMD3<Double>
}

/// Constraint-solver options of a model: MuJoCo's `<option solver iterations tolerance
/// ls_iterations ls_tolerance impratio>` and the flags that switch constraint kinds on.
public struct SolverOptions: Equatable, Sendable {
    public enum Solver: String, Sendable { case pgs = "PGS", cg = "CG", newton = "Newton" }
    public var solver: Solver
    /// Main solver iterations.
    public var iterations: Int
    /// Stop when the scaled cost improvement or gradient falls below this (dimensionless).
    public var tolerance: Double
    public var lsIterations: Int
    /// Line-search tolerance, relative to `tolerance`.
    public var lsTolerance: Double
    /// Friction-to-normal impedance ratio of contacts.
    public var impratio: Double
    public var limits: Bool, frictionloss: Bool, warmstart: Bool, contacts: Bool
}

/// An immutable robot description loaded from MJCF (a built-in robot or a file).
/// Shareable across threads; owns its bridge handle.
public final class RobotModel: @unchecked Sendable {
    let handle: OpaquePointer
    /// Where the model came from (a built-in name or a file path).
    public let source: String
    public let nq: Int, nv: Int, nu: Int, nbody: Int, nsite: Int, ngeom: Int
    /// Joints: hinge and slide hold one qpos and one dof, ball 4 and 3, free 7 and 6.
    public let njoint: Int
    /// Actuator activation states (actuators with MuJoCo's integrator/filter dynamics; rollouts
    /// start them at zero) and tendons.
    public let na: Int, ntendon: Int

    private init(handle: OpaquePointer, source: String) {
        self.handle = handle
        self.source = source
        var sizes = simSizes()
        sim_modelSizes(handle, &sizes)
        (nq, nv, nu) = (Int(sizes.nq), Int(sizes.nv), Int(sizes.nu))
        (nbody, nsite, ngeom) = (Int(sizes.nbody), Int(sizes.nsite), Int(sizes.ngeom))
        njoint = Int(sizes.njoint)
        (na, ntendon) = (Int(sizes.na), Int(sizes.ntendon))
    }

    deinit { sim_deleteModel(handle) }

    // MARK: - Loading

    /// Loads an MJCF file. Throws `SimulationError` naming the file, line and problem.
    public convenience init(contentsOf path: String) throws {
        var out: OpaquePointer?
        try checked { sim_loadModelFile(path, &out, $0, $1) }
        self.init(handle: out!, source: path)
    }

    /// Loads a URDF file as MuJoCo's URDF import does (fixed base, collision geoms, welded links
    /// merged). `package://NAME/…` meshes are looked up in `packagePath` (directories), then in
    /// ROS_PACKAGE_PATH, then in the file's own directory. Throws naming the file and line.
    public convenience init(urdf path: String, packagePath: [String] = []) throws {
        var out: OpaquePointer?
        let list = packagePath.isEmpty ? nil : packagePath.joined(separator: ":")
        try checked { sim_loadURDFFile(path, list, &out, $0, $1) }
        self.init(handle: out!, source: path)
    }

    /// The MJCF text a URDF file imports as (what `init(urdf:packagePath:)` compiles).
    public static func mjcf(fromURDF path: String, packagePath: [String] = []) throws -> String {
        let list = packagePath.isEmpty ? nil : packagePath.joined(separator: ":")
        var length = 0
        try checked { sim_urdfToMJCF(path, list, nil, 0, &length, $0, $1) }
        var buffer = [CChar](repeating: 0, count: length + 1)
        try checked { sim_urdfToMJCF(path, list, &buffer, buffer.count, &length, $0, $1) }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// A built-in robot, an MJCF file, or a URDF file (`.urdf`, with `packagePath` for its
    /// `package://` meshes).
    public static func load(_ nameOrPath: String, packagePath: [String]) throws -> RobotModel {
        if nameOrPath.lowercased().hasSuffix(".urdf") && FileManager.default.fileExists(atPath: nameOrPath) {
            return try RobotModel(urdf: nameOrPath, packagePath: packagePath)
        }
        return try load(nameOrPath)
    }

    /// Loads MJCF text; `sourceName` names it in error messages.
    public convenience init(xml: String, sourceName: String = "<string>") throws {
        var out: OpaquePointer?
        try checked { sim_loadModelString(xml, sourceName, &out, $0, $1) }
        self.init(handle: out!, source: sourceName)
    }

    /// A built-in robot: `pendulum`, `cartpole`, `acrobot`, `pointmass2d`, `reacher2`, `arm7`,
    /// or `chainN` (an N-link pendulum chain).
    public static func builtin(_ name: String) throws -> RobotModel {
        try RobotModel(xml: builtinXML(name), sourceName: name)
    }

    /// A built-in robot by name, or else an MJCF (or URDF: root element <robot>) file by path.
    public static func load(_ nameOrPath: String) throws -> RobotModel {
        if !nameOrPath.hasSuffix(".xml"), let xml = try? builtinXML(nameOrPath) {
            return try RobotModel(xml: xml, sourceName: nameOrPath)
        }
        if !FileManager.default.fileExists(atPath: nameOrPath) {
            throw SimulationError(
                status: SimulationError.notFound,
                message: "\(nameOrPath): neither a built-in robot (\(builtinNames.joined(separator: ", ")), chainN) nor an existing file")
        }
        return try RobotModel(contentsOf: nameOrPath)
    }

    /// MJCF text of a built-in robot.
    public static func builtinXML(_ name: String) throws -> String {
        var length = 0
        guard sim_builtinModelXML(name, nil, 0, &length) == SIM_OK else {
            throw SimulationError(status: SimulationError.notFound,
                                  message: "unknown built-in robot '\(name)' (known: \(builtinNames.joined(separator: ", ")), chainN)")
        }
        var buffer = [CChar](repeating: 0, count: length + 1)
        try check(sim_builtinModelXML(name, &buffer, buffer.count, &length), "built-in robot \(name)")
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Names of the fixed built-in robots (`chainN` is generated for any N).
    public static var builtinNames: [String] {
        String(cString: sim_builtinModelNames()).split(separator: ",").map(String.init)
    }

    /// A named state of the model (MJCF `<keyframe><key name=...>`).
    public struct Keyframe: Sendable {
        public var qpos: [Double], qvel: [Double], ctrl: [Double]
        /// Seconds.
        public var time: Double
    }

    /// The keyframe called `name`; throws `SimulationError.notFound` naming the known ones.
    public func keyframe(named name: String) throws -> Keyframe {
        let names = self.names(.keyframe)
        guard let i = names.firstIndex(of: name) else {
            throw SimulationError(status: SimulationError.notFound,
                                  message: "\(source): no keyframe '\(name)' (keyframes: \(names.isEmpty ? "none" : names.map { "'\($0)'" }.joined(separator: ", ")))")
        }
        var k = Keyframe(qpos: [Double](repeating: 0, count: nq), qvel: [Double](repeating: 0, count: nv),
                         ctrl: [Double](repeating: 0, count: nu), time: 0)
        try check(sim_keyframe(handle, Int64(i), &k.qpos, &k.qvel, &k.ctrl, &k.time), "keyframe \(name)")
        return k
    }

    /// What the loader read and ignored because it has no effect on the simulated dynamics
    /// (lights, cameras, materials, sensors, contact settings...), as one line; "" if nothing.
    public var warnings: String { String(cString: sim_modelWarnings(handle)) }

    // MARK: - Options

    public var options: SimulationOptions {
        var o = simOptions()
        sim_modelOptions(handle, &o)
        guard let integrator = Integrator(code: o.integrator) else {
            preconditionFailure("the simulator reported integrator code \(o.integrator), which Integrator does not know")
        }
        return SimulationOptions(timestep: o.timestep, integrator: integrator,
                                 substeps: Int(o.substeps),
                                 gravity: SIMD3(o.gravity.0, o.gravity.1, o.gravity.2))
    }

    /// A copy of this model with other options. Throws for a non-positive timestep or substeps.
    public func with(options new: SimulationOptions) throws -> RobotModel {
        var o = simOptions()
        o.timestep = new.timestep
        o.integrator = new.integrator.code
        o.substeps = Int32(clamping: new.substeps)
        o.gravity = (new.gravity.x, new.gravity.y, new.gravity.z)
        var out: OpaquePointer?
        try checked { sim_copyModelWithOptions(handle, &o, &out, $0, $1) }
        return RobotModel(handle: out!, source: source)
    }

    /// The constraint solver's options.
    public var solverOptions: SolverOptions {
        var o = simSolverOptions()
        sim_modelSolverOptions(handle, &o)
        let solver: SolverOptions.Solver = o.solver == Int32(SIM_SOLVER_PGS) ? .pgs : o.solver == Int32(SIM_SOLVER_CG) ? .cg : .newton
        return SolverOptions(solver: solver, iterations: Int(o.iterations), tolerance: o.tolerance,
                             lsIterations: Int(o.lsIterations), lsTolerance: o.lsTolerance, impratio: o.impratio,
                             limits: o.limits != 0, frictionloss: o.frictionloss != 0,
                             warmstart: o.warmstart != 0, contacts: o.contacts != 0)
    }

    /// A copy of this model with other solver options. Throws for negative iterations or
    /// tolerances, or a non-positive impratio.
    public func with(solverOptions new: SolverOptions) throws -> RobotModel {
        var o = simSolverOptions()
        o.solver = new.solver == .pgs ? Int32(SIM_SOLVER_PGS) : new.solver == .cg ? Int32(SIM_SOLVER_CG) : Int32(SIM_SOLVER_NEWTON)
        o.iterations = Int32(clamping: new.iterations)
        o.tolerance = new.tolerance
        o.lsIterations = Int32(clamping: new.lsIterations)
        o.lsTolerance = new.lsTolerance
        o.impratio = new.impratio
        (o.limits, o.frictionloss) = (new.limits ? 1 : 0, new.frictionloss ? 1 : 0)
        (o.warmstart, o.contacts) = (new.warmstart ? 1 : 0, new.contacts ? 1 : 0)
        var out: OpaquePointer?
        try checked { sim_copyModelWithSolverOptions(handle, &o, &out, $0, $1) }
        return RobotModel(handle: out!, source: source)
    }

    // MARK: - Names and descriptions

    public enum Kind: Int32 { case body = 0, joint, site, actuator, geom, keyframe }

    /// Names of all entries of a kind, in index order ("" for unnamed ones).
    public func names(_ kind: Kind) -> [String] {
        let count = [Kind.body: nbody, .joint: njoint, .site: nsite, .actuator: nu, .geom: ngeom,
                     .keyframe: Int(sim_keyframeCount(handle))][kind]!
        return (0..<count).map { String(cString: sim_name(handle, kind.rawValue, Int64($0))!) }
    }

    /// Index of the entry of `kind` called `name`, or nil.
    public func index(of kind: Kind, named name: String) -> Int? {
        let i = sim_nameToIndex(handle, kind.rawValue, name)
        return i < 0 ? nil : Int(i)
    }

    /// Joint limits per qpos coordinate: limited [nq], range [nq] as (lower, upper); and the
    /// reference qpos0 [nq]. A hinge's or slide's coordinate carries its joint's limit; the
    /// quaternion and position coordinates of ball and free joints are unlimited here.
    public var joints: (limited: [Bool], range: [(Double, Double)], qpos0: [Double]) {
        var type = [Int32](repeating: 0, count: njoint)
        var limitedJ = [Int32](repeating: 0, count: njoint)
        var rangeJ = [Double](repeating: 0, count: 2 * njoint)
        var address = [Int64](repeating: 0, count: njoint)
        var qpos0 = [Double](repeating: 0, count: nq)
        sim_jointInfo(handle, &type, nil, &limitedJ, &rangeJ, &qpos0)
        sim_jointAddresses(handle, &address, nil)
        var limited = [Bool](repeating: false, count: nq)
        var range = [(Double, Double)](repeating: (0, 0), count: nq)
        for j in 0..<njoint where type[j] == SIM_JOINT_HINGE || type[j] == SIM_JOINT_SLIDE {
            let q = Int(address[j])
            limited[q] = limitedJ[j] != 0
            range[q] = (rangeJ[2 * j], rangeJ[2 * j + 1])
        }
        return (limited, range, qpos0)
    }

    /// Where each joint's coordinates start: qpos address [njoint] and dof address [njoint].
    public var jointAddresses: (qpos: [Int], dof: [Int]) {
        var qpos = [Int64](repeating: 0, count: njoint), dof = [Int64](repeating: 0, count: njoint)
        sim_jointAddresses(handle, &qpos, &dof)
        return (qpos.map(Int.init), dof.map(Int.init))
    }

    /// A joint's kind: hinge and slide hold 1 qpos and 1 dof, ball 4 (a quaternion) and 3, free
    /// 7 (position, quaternion) and 6.
    public enum JointType: Int32 { case hinge = 0, slide, ball, free }

    /// Joint types [njoint].
    public var jointTypes: [JointType] {
        var type = [Int32](repeating: 0, count: njoint)
        sim_jointInfo(handle, &type, nil, nil, nil, nil)
        return type.map { JointType(rawValue: $0) ?? .hinge }
    }

    /// Actuators: driven joint [nu], gear [nu], and control range [nu] (nil when unlimited).
    public var actuators: (joint: [Int], gear: [Double], ctrlRange: [(Double, Double)?]) {
        var joint = [Int64](repeating: 0, count: nu)
        var gear = [Double](repeating: 0, count: nu)
        var limited = [Int32](repeating: 0, count: nu)
        var range = [Double](repeating: 0, count: 2 * nu)
        sim_actuatorInfo(handle, &joint, &gear, &limited, &range)
        return (joint.map(Int.init), gear,
                (0..<nu).map { limited[$0] != 0 ? (range[2 * $0], range[2 * $0 + 1]) : nil })
    }

    /// The dof (index into qvel, qacc and generalized forces [nv]) each actuator drives through its
    /// joint [nu]: what a joint-space controller reads (PD gains from M_jj, controls τ_j / gear).
    /// `actuators.joint` is a joint index, which equals the dof only while no ball or free joint
    /// comes first. Throws `SimulationError` (`unsupported`) naming the first actuator that drives a
    /// tendon or a body (joint −1), which a joint-space controller cannot drive.
    public func actuatedDofs() throws -> [Int] {
        var dofAddress = [Int64](repeating: 0, count: njoint)
        sim_jointAddresses(handle, nil, &dofAddress)
        let joint = actuators.joint, names = self.names(.actuator)
        return try (0..<nu).map { a in
            guard joint[a] >= 0 else {
                let name = a < names.count && !names[a].isEmpty ? "'\(names[a])'" : "\(a)"
                throw SimulationError(status: SimulationError.unsupported,
                                      message: "\(source): actuator \(name) drives a tendon or a body, not a joint: joint-space controllers need joint actuators")
            }
            return Int(dofAddress[joint[a]])
        }
    }

    /// Mass properties per body [nbody]: mass (kg), centre of mass (body frame) and 3x3
    /// inertia about it (row-major, body frame); parent index (-1 for the world).
    public var bodies: (parent: [Int], mass: [Double], com: [SIMD3<Double>], inertia: [[Double]]) {
        var parent = [Int64](repeating: 0, count: nbody)
        var mass = [Double](repeating: 0, count: nbody)
        var com = [Double](repeating: 0, count: 3 * nbody)
        var inertia = [Double](repeating: 0, count: 9 * nbody)
        sim_bodyInfo(handle, &parent, &mass, &com, &inertia)
        return (parent.map(Int.init), mass,
                (0..<nbody).map { SIMD3(com[3 * $0], com[3 * $0 + 1], com[3 * $0 + 2]) },
                (0..<nbody).map { Array(inertia[9 * $0..<9 * $0 + 9]) })
    }

    /// A geom's shape and placement, for drawing.
    public struct Geom: Sendable {
        /// `mesh` geoms report their bounding box: size = half-extents, position = its centre.
        public enum Shape: Int32, Sendable { case plane = 0, sphere = 2, capsule, ellipsoid, cylinder, box, mesh }
        public var shape: Shape
        public var body: Int
        /// MuJoCo's size meaning per shape (radius, half-length, half-extents).
        public var size: SIMD3<Double>
        /// Position and orientation (w, x, y, z) in the body frame.
        public var position: SIMD3<Double>
        public var quaternion: SIMD4<Double>
        public var rgba: SIMD4<Float>
    }

    public var geoms: [Geom] {
        (0..<ngeom).map { i in
            var g = simGeom()
            sim_geomInfo(handle, Int64(i), &g)
            return Geom(shape: Geom.Shape(rawValue: g.type) ?? .sphere, body: Int(g.body),
                        size: SIMD3(g.size.0, g.size.1, g.size.2),
                        position: SIMD3(g.pos.0, g.pos.1, g.pos.2),
                        quaternion: SIMD4(g.quat.0, g.quat.1, g.quat.2, g.quat.3),
                        rgba: SIMD4(g.rgba.0, g.rgba.1, g.rgba.2, g.rgba.3))
        }
    }

    /// Worker threads that "every core" means for batched calls.
    public static var hardwareThreads: Int { Int(sim_hardwareThreads()) }
}
