// RobotModel+Summary: a model in words — sizes, options, constraint solver, joints, actuators and
// sites, one line each (`ebm model info`, like MuJoCo's mj_printModel in brief).

extension RobotModel {
    /// The model's sizes, integration and constraint options, then one line per joint, actuator and site.
    public var summary: [String] {
        let o = options, c = solverOptions
        var lines = ["\(source): nq \(nq), nv \(nv), nu \(nu), bodies \(nbody), sites \(nsite), geoms \(ngeom)",
                     "timestep \(o.timestep) s, integrator \(o.integrator.rawValue), gravity \(o.gravity.x) \(o.gravity.y) \(o.gravity.z)"]
        let off = [("limits", c.limits), ("frictionloss", c.frictionloss), ("contacts", c.contacts),
                   ("warmstart", c.warmstart)].filter { !$0.1 }.map(\.0)
        lines.append("constraints: solver \(c.solver.rawValue), iterations \(c.iterations), tolerance \(c.tolerance), "
                     + "ls_iterations \(c.lsIterations), ls_tolerance \(c.lsTolerance), impratio \(c.impratio)"
                     + (off.isEmpty ? "" : "; disabled: " + off.joined(separator: ", ")))
        let (j, address, types) = (joints, jointAddresses.qpos, jointTypes)
        for (i, name) in names(.joint).enumerated() {
            let q = address[i]
            let range = j.limited[q] ? "range [\(j.range[q].0), \(j.range[q].1)]" : "unlimited"
            let kind = types[i] == .free ? "free, " : types[i] == .ball ? "ball, " : ""
            lines.append("  joint \(i) \(name): \(kind)\(range)")
        }
        let a = actuators
        for (i, name) in names(.actuator).enumerated() {
            let range = a.ctrlRange[i].map { "ctrl [\($0.0), \($0.1)]" } ?? "ctrl unlimited"
            lines.append("  actuator \(i) \(name): joint \(a.joint[i]), gear \(a.gear[i]), \(range)")
        }
        for (i, name) in names(.site).enumerated() { lines.append("  site \(i) \(name)") }
        return lines
    }
}
