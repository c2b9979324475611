import CSim

/// A batch of rolled-out trajectories, each array contiguous and row-major.
public struct Rollout: Sendable {
    public let batch: Int, steps: Int, nq: Int, nv: Int, nu: Int, nsite: Int
    /// Positions [batch, steps + 1, nq].
    public var qpos: [Double]
    /// Velocities [batch, steps + 1, nv].
    public var qvel: [Double]
    /// Site positions [batch, steps + 1, nsite, 3] (empty when not requested).
    public var sites: [Double]
    /// Applied (clamped) controls [batch, steps, nu] (empty when not requested).
    public var ctrl: [Double]
}

/// A linear feedback law evaluated inside the simulator's step loop, per actuator a on joint j:
/// `ctrl_a = offset + (kp_a (q*_j − q_j) + kd_a (v*_j − v_j) + g_j(q)) / gear_a`, then clamped.
public struct FeedbackLaw: Sendable {
    /// Position gains [nu], force per unit of joint error.
    public var kp: [Double]
    /// Velocity gains [nu].
    public var kd: [Double]
    /// Position targets: [batch, steps, nq] when `targetPerStep`, else [batch, nq].
    public var qposTarget: [Double]
    /// Velocity targets in the same layout (nv); nil means zero.
    public var qvelTarget: [Double]?
    public var targetPerStep: Bool
    /// Added to the control [batch, steps, nu], e.g. exploration noise; nil means zero.
    public var ctrlOffset: [Double]?
    /// Adds the gravity force g(q) from RNEA, so that the targets are held without sag.
    public var gravityCompensation: Bool
    /// Multiplies each actuator's gravity term [nu] (nil: 1): a controller whose model of the links'
    /// masses or of the gears differs from the simulated robot's.
    public var gravityScale: [Double]?

    public init(kp: [Double], kd: [Double], qposTarget: [Double], qvelTarget: [Double]? = nil,
                targetPerStep: Bool, ctrlOffset: [Double]? = nil, gravityCompensation: Bool = false, gravityScale: [Double]? = nil) {
        self.gravityScale = gravityScale
        self.kp = kp
        self.kd = kd
        self.qposTarget = qposTarget
        self.qvelTarget = qvelTarget
        self.targetPerStep = targetPerStep
        self.ctrlOffset = ctrlOffset
        self.gravityCompensation = gravityCompensation
    }
}

extension RobotModel {
    /// Rolls out `batch` trajectories of `steps` steps in one bridge call spread over `threads`
    /// (0 = every core); bit-identical for any thread count.
    /// - Parameters:
    ///   - qpos: initial positions [batch, nq]; `qvel`: initial velocities [batch, nv].
    ///   - controls: open-loop controls [batch, steps, nu]; nil means zeros.
    ///   - feedback: a feedback law instead of open-loop controls.
    /// - Throws: `SimulationError` for wrong sizes, or when a trajectory becomes non-finite
    ///   (the message names the first failing batch element and step).
    public func rollout(qpos: [Double], qvel: [Double], batch: Int, steps: Int,
                        controls: [Double]? = nil, feedback: FeedbackLaw? = nil,
                        sites: Bool = true, recordControls: Bool = false, threads: Int = 0) throws -> Rollout {
        guard batch >= 0, steps >= 0 else {
            throw SimulationError(status: SimulationError.argument, message: "batch \(batch) and steps \(steps) must be >= 0")
        }
        try requireCount(qpos, batch * nq, "initial qpos [\(batch), \(nq)]")
        try requireCount(qvel, batch * nv, "initial qvel [\(batch), \(nv)]")
        if let controls { try requireCount(controls, batch * steps * nu, "controls [\(batch), \(steps), \(nu)]") }
        var out = Rollout(batch: batch, steps: steps, nq: nq, nv: nv, nu: nu, nsite: nsite,
                          qpos: [Double](repeating: 0, count: batch * (steps + 1) * nq),
                          qvel: [Double](repeating: 0, count: batch * (steps + 1) * nv),
                          sites: sites ? [Double](repeating: 0, count: batch * (steps + 1) * nsite * 3) : [],
                          ctrl: recordControls ? [Double](repeating: 0, count: batch * steps * nu) : [])
        let wantSites = sites && nsite > 0, wantCtrl = recordControls && nu > 0
        if let feedback {
            if controls != nil {
                throw SimulationError(status: SimulationError.argument, message: "give open-loop controls or a feedback law, not both")
            }
            try requireCount(feedback.kp, nu, "feedback kp")
            try requireCount(feedback.kd, nu, "feedback kd")
            let rows = feedback.targetPerStep ? batch * steps : batch
            try requireCount(feedback.qposTarget, rows * nq, "feedback qposTarget")
            if let v = feedback.qvelTarget { try requireCount(v, rows * nv, "feedback qvelTarget") }
            if let o = feedback.ctrlOffset { try requireCount(o, batch * steps * nu, "feedback ctrlOffset") }
            if let g = feedback.gravityScale { try requireCount(g, nu, "feedback gravityScale") }
            try feedback.kp.withUnsafeBufferPointer { kp in
                try feedback.kd.withUnsafeBufferPointer { kd in
                    try feedback.qposTarget.withUnsafeBufferPointer { qt in
                        try withOptionalPointer(feedback.qvelTarget) { vt in
                            try withOptionalPointer(feedback.ctrlOffset) { off in
                              try withOptionalPointer(feedback.gravityScale) { gs in
                                var law = sim_defaultFeedback()
                                law.gravityScale = gs
                                law.kp = kp.baseAddress; law.kd = kd.baseAddress; law.qposTarget = qt.baseAddress
                                law.qvelTarget = vt; law.ctrlOffset = off
                                law.targetPerStep = feedback.targetPerStep ? 1 : 0
                                law.gravityCompensation = feedback.gravityCompensation ? 1 : 0
                                try callRollout(&out, qpos, qvel, nil, &law, wantSites, wantCtrl, threads)
                              }
                            }
                        }
                    }
                }
            }
        } else {
            try withOptionalPointer(controls) { c in
                try callRollout(&out, qpos, qvel, c, nil, wantSites, wantCtrl, threads)
            }
        }
        return out
    }

    private func callRollout(_ out: inout Rollout, _ qpos0: [Double], _ qvel0: [Double],
                             _ ctrl: UnsafePointer<Double>?, _ law: UnsafePointer<simFeedback>?,
                             _ wantSites: Bool, _ wantCtrl: Bool, _ threads: Int) throws {
        let (B, T) = (Int64(out.batch), Int64(out.steps))
        try out.qpos.withUnsafeMutableBufferPointer { q in
            try out.qvel.withUnsafeMutableBufferPointer { v in
                try out.sites.withUnsafeMutableBufferPointer { s in
                    try out.ctrl.withUnsafeMutableBufferPointer { c in
                        try checked { message, size in
                            sim_rollout(handle, B, T, qpos0, qvel0, ctrl, law, q.baseAddress!, v.baseAddress!,
                                        wantSites ? s.baseAddress : nil, wantCtrl ? c.baseAddress : nil,
                                        Int32(clamping: threads), nil, message, size)
                        }
                    }
                }
            }
        }
    }

    /// Advances a batch of states in place by `steps` steps under constant controls
    /// [batch, nu] (nil = zeros): qpos [batch, nq], qvel [batch, nv]. For policies evaluated in
    /// Swift between calls.
    public func step(qpos: inout [Double], qvel: inout [Double], controls: [Double]?, batch: Int,
                     steps: Int = 1, threads: Int = 0) throws {
        try requireCount(qpos, batch * nq, "qpos [\(batch), \(nq)]")
        try requireCount(qvel, batch * nv, "qvel [\(batch), \(nv)]")
        if let controls { try requireCount(controls, batch * nu, "controls [\(batch), \(nu)]") }
        try withOptionalPointer(controls) { c in
            try checked { message, size in
                sim_stepBatch(handle, Int64(batch), Int64(steps), &qpos, &qvel, c, Int32(clamping: threads), nil, message, size)
            }
        }
    }

    /// Batched forward dynamics: qacc [batch, nv] under applied generalised forces
    /// qfrc [batch, nv] (nil = 0) at qpos [batch, nq], qvel [batch, nv] (nil = 0).
    public func forwardDynamics(qpos: [Double], qvel: [Double]?, qfrc: [Double]?, batch: Int,
                                threads: Int = 0) throws -> [Double] {
        try requireCount(qpos, batch * nq, "qpos")
        if let qvel { try requireCount(qvel, batch * nv, "qvel") }
        if let qfrc { try requireCount(qfrc, batch * nv, "qfrc") }
        var qacc = [Double](repeating: 0, count: batch * nv)
        try withOptionalPointer(qvel) { v in
            try withOptionalPointer(qfrc) { f in
                try checked { sim_forwardBatch(handle, Int64(batch), qpos, v, f, &qacc, Int32(clamping: threads), $0, $1) }
            }
        }
        return qacc
    }

    /// Batched inverse dynamics (RNEA): the applied generalised force [batch, nv] that gives
    /// qacc [batch, nv] at qpos [batch, nq], qvel [batch, nv] (nil = 0).
    public func inverseDynamics(qpos: [Double], qvel: [Double]?, qacc: [Double], batch: Int,
                                threads: Int = 0) throws -> [Double] {
        try requireCount(qpos, batch * nq, "qpos")
        try requireCount(qacc, batch * nv, "qacc")
        if let qvel { try requireCount(qvel, batch * nv, "qvel") }
        var qfrc = [Double](repeating: 0, count: batch * nv)
        try withOptionalPointer(qvel) { v in
            try checked { sim_inverseBatch(handle, Int64(batch), qpos, v, qacc, &qfrc, Int32(clamping: threads), $0, $1) }
        }
        return qfrc
    }

    /// Vector–Jacobian products of inverse dynamics (exact: one forward and one backward sweep
    /// per row, `sim_inverseVJPBatch`): with τ = `inverseDynamics(qpos:qvel:qacc:)` and a cotangent
    /// w [batch, nv], wᵀ∂τ/∂qpos, wᵀ∂τ/∂qvel, wᵀ∂τ/∂qacc = (M + armature) w, and τ itself.
    /// Hinge and slide joints only.
    /// - Throws: `SimulationError` (`unsupported` for ball or free joints or a fluid medium;
    ///   `nonFinite`; wrong sizes).
    public func inverseDynamicsVJP(qpos: [Double], qvel: [Double]?, qacc: [Double], cotangent: [Double],
                                   batch: Int, threads: Int = 0) throws -> InverseDynamicsGradient {
        try requireCount(qpos, batch * nq, "qpos")
        try requireCount(qacc, batch * nv, "qacc")
        try requireCount(cotangent, batch * nv, "cotangent")
        if let qvel { try requireCount(qvel, batch * nv, "qvel") }
        var out = InverseDynamicsGradient(rows: batch * nv)
        try withOptionalPointer(qvel) { v in
            try checked {
                sim_inverseVJPBatch(handle, Int64(batch), qpos, v, qacc, cotangent, &out.qpos, &out.qvel, &out.qacc,
                                    &out.qfrc, Int32(clamping: threads), $0, $1)
            }
        }
        return out
    }

    /// The gradient of a cost on the forces of inverse dynamics, in one pass per row
    /// (`sim_inverseCostGradientBatch`): for each row b, τ_b as `inverseDynamics`, then
    /// ℓ_b = cost(b, τ_b, g) where the cost writes g = ∂ℓ/∂τ_b (zeroed before) and returns ℓ_b, then
    /// the products of g with ∂τ_b/∂(qpos, qvel, qacc) as `inverseDynamicsVJP`. `cost` is called
    /// from the simulator's worker threads when `threads` ≠ 1.
    /// - Returns: the costs [batch] and the gradient (with τ in `qfrc`).
    public func inverseDynamicsCostGradient(
        qpos: [Double], qvel: [Double]?, qacc: [Double], batch: Int, threads: Int = 0,
        cost: (_ row: Int, _ qfrc: UnsafePointer<Double>, _ gradient: UnsafeMutablePointer<Double>) -> Double
    ) throws -> (costs: [Double], gradient: InverseDynamicsGradient) {
        try requireCount(qpos, batch * nq, "qpos")
        try requireCount(qacc, batch * nv, "qacc")
        if let qvel { try requireCount(qvel, batch * nv, "qvel") }
        var out = InverseDynamicsGradient(rows: batch * nv)
        var costs = [Double](repeating: 0, count: batch)
        try withoutActuallyEscaping(cost) { cost in
            let box = ForceCostBox(cost)
            let context = Unmanaged.passUnretained(box).toOpaque()
            try withExtendedLifetime(box) {
                try withOptionalPointer(qvel) { v in
                    try checked {
                        sim_inverseCostGradientBatch(handle, Int64(batch), qpos, v, qacc, { context, row, qfrc, gradient in
                            Unmanaged<ForceCostBox>.fromOpaque(context!).takeUnretainedValue().cost(Int(row), qfrc, gradient)
                        }, context, &costs, &out.qpos, &out.qvel, &out.qacc, &out.qfrc, Int32(clamping: threads), $0, $1)
                    }
                }
            }
        }
        return (costs, out)
    }

    /// Batched kinematics at qpos [batch, nq]: site positions [batch, nsite, 3] and, when
    /// `jacobianSite` is given, that site's translational Jacobian [batch, 3, nv].
    public func kinematics(qpos: [Double], batch: Int, jacobianSite: Int? = nil,
                           threads: Int = 0) throws -> (sites: [Double], jacobian: [Double]) {
        try requireCount(qpos, batch * nq, "qpos")
        var sites = [Double](repeating: 0, count: batch * nsite * 3)
        var jac = [Double](repeating: 0, count: jacobianSite == nil ? 0 : batch * 3 * nv)
        try sites.withUnsafeMutableBufferPointer { s in
            try jac.withUnsafeMutableBufferPointer { j in
                try checked {
                    sim_kinematicsBatch(handle, Int64(batch), qpos, nsite > 0 ? s.baseAddress : nil,
                                        Int64(jacobianSite ?? -1), jacobianSite == nil ? nil : j.baseAddress,
                                        Int32(clamping: threads), $0, $1)
                }
            }
        }
        return (sites, jac)
    }
}

func withOptionalPointer<R>(_ array: [Double]?, _ body: (UnsafePointer<Double>?) throws -> R) rethrows -> R {
    guard let array else { return try body(nil) }
    return try array.withUnsafeBufferPointer { try body($0.baseAddress) }
}

/// Products of a cotangent w with the derivatives of inverse dynamics, each [batch, nv]:
/// wᵀ∂τ/∂qpos, wᵀ∂τ/∂qvel, wᵀ∂τ/∂qacc, and the forces τ themselves.
public struct InverseDynamicsGradient: Sendable {
    public var qpos: [Double], qvel: [Double], qacc: [Double], qfrc: [Double]

    init(rows: Int) {
        qpos = [Double](repeating: 0, count: rows)
        (qvel, qacc, qfrc) = (qpos, qpos, qpos)
    }
}

/// Carries a cost closure through the bridge's context pointer.
private final class ForceCostBox {
    let cost: (Int, UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Double
    init(_ cost: @escaping (Int, UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Double) { self.cost = cost }
}
