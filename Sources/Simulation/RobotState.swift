import CSim

/// The mutable state of one simulation of a model: qpos, qvel, ctrl and time.
/// Use from one thread at a time. Owns its bridge handle.
public final class RobotState {
    public let model: RobotModel
    let handle: OpaquePointer

    /// A state at the model's reference configuration, at rest, with zero controls.
    public init(model: RobotModel) throws {
        self.model = model
        var out: OpaquePointer?
        try check(sim_makeState(model.handle, &out), "making a state of \(model.source)")
        handle = out!
    }

    deinit { sim_deleteState(handle) }

    // MARK: - State

    /// Joint positions [nq].
    public var qpos: [Double] { read(count: model.nq) { sim_getState(model.handle, handle, $0, nil, nil, nil, nil) } }
    /// Joint velocities [nv].
    public var qvel: [Double] { read(count: model.nv) { sim_getState(model.handle, handle, nil, $0, nil, nil, nil) } }
    /// Joint accelerations [nv] from the last `forward()` or `step()`.
    public var qacc: [Double] { read(count: model.nv) { sim_getState(model.handle, handle, nil, nil, $0, nil, nil) } }
    /// Controls [nu] as set (clamping to ctrlrange happens inside the step).
    public var ctrl: [Double] { read(count: model.nu) { sim_getState(model.handle, handle, nil, nil, nil, $0, nil) } }
    /// Simulated time, in seconds.
    public var time: Double {
        get { var t = 0.0; sim_getState(model.handle, handle, nil, nil, nil, nil, &t); return t }
        set { sim_setTime(handle, newValue) }
    }

    /// Sets qpos [nq], qvel [nv] and optionally ctrl [nu]. Throws on a wrong size or a
    /// non-finite value (the state is then unchanged).
    public func set(qpos: [Double], qvel: [Double], ctrl: [Double]? = nil) throws {
        try requireCount(qpos, model.nq, "qpos")
        try requireCount(qvel, model.nv, "qvel")
        if let ctrl { try requireCount(ctrl, model.nu, "ctrl") }
        try check(sim_setState(model.handle, handle, qpos, qvel, ctrl), "setting the state of \(model.source)")
    }

    /// Sets the controls [nu], keeping position and velocity.
    public func set(ctrl: [Double]) throws {
        try set(qpos: qpos, qvel: qvel, ctrl: ctrl)
    }

    // MARK: - Pipeline

    /// Advances `steps` timesteps. Throws `SIM_ERR_NONFINITE` if the state blows up; the state
    /// is then the one before the failing step.
    public func step(_ steps: Int = 1) throws {
        for i in 0..<steps {
            try check(sim_step(model.handle, handle), "step \(i) of \(model.source) at t = \(time)")
        }
    }

    /// Forward dynamics at the current state: fills `qacc`.
    public func forward() throws {
        try check(sim_forward(model.handle, handle), "forward dynamics of \(model.source)")
    }

    /// Inverse dynamics (RNEA): the generalised force [nv] beyond passive forces that yields
    /// `qacc` [nv] at the current qpos, qvel.
    public func inverse(qacc: [Double]) throws -> [Double] {
        try requireCount(qacc, model.nv, "qacc")
        var qfrc = [Double](repeating: 0, count: model.nv)
        try check(sim_inverse(model.handle, handle, qacc, &qfrc), "inverse dynamics of \(model.source)")
        return qfrc
    }

    /// Joint-space mass matrix [nv, nv] (row-major) at the current qpos, armature included.
    public func massMatrix() -> [Double] {
        read(count: model.nv * model.nv) { _ = sim_massMatrix(model.handle, handle, $0) }
    }

    /// Gravitational + spring potential and kinetic energy, in joules.
    public func energy() -> (potential: Double, kinetic: Double) {
        var u = 0.0, k = 0.0
        sim_energy(model.handle, handle, &u, &k)
        return (u, k)
    }

    /// World positions of all sites [nsite, 3] at the current qpos.
    public func sitePositions() -> [Double] {
        read(count: model.nsite * 3) { _ = sim_sitePositions(model.handle, handle, $0) }
    }

    /// World poses of all bodies at the current qpos: positions [nbody, 3] and rotation
    /// matrices [nbody, 9] (row-major).
    public func bodyPoses() -> (positions: [Double], rotations: [Double]) {
        var p = [Double](repeating: 0, count: model.nbody * 3)
        var r = [Double](repeating: 0, count: model.nbody * 9)
        sim_bodyPoses(model.handle, handle, &p, &r)
        return (p, r)
    }

    /// Translational and rotational Jacobians [3, nv] (row-major) of site `site`.
    public func siteJacobian(_ site: Int) throws -> (translational: [Double], rotational: [Double]) {
        var p = [Double](repeating: 0, count: 3 * model.nv)
        var r = [Double](repeating: 0, count: 3 * model.nv)
        try check(sim_siteJacobian(model.handle, handle, Int64(site), &p, &r), "Jacobian of site \(site)")
        return (p, r)
    }

    private func read(count: Int, _ body: (UnsafeMutablePointer<Double>) -> Void) -> [Double] {
        [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { body(buffer.baseAddress!) }
            initialized = count
        }
    }
}

func requireCount(_ array: [Double], _ count: Int, _ name: String) throws {
    if array.count != count {
        throw SimulationError(status: SimulationError.argument,
                              message: "\(name) has \(array.count) values; the model needs \(count)")
    }
}
