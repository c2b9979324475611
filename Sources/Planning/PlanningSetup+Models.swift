// PlanningSetup+Models: the checks a learned plan term passes before it joins the plan energy.

import EnergyModels

extension PlanningSetup {
    /// Throws unless `learned` reads this robot's states (nq + nv numbers) and its horizon fits
    /// within the plan's (the term scores windows of the planned states).
    public func checkLearnedModel(_ learned: TrajectoryEnergyModel) throws {
        let enc = learned.encoding
        guard enc.stateSize == model.nq + model.nv else {
            throw PlanningError("the model reads states of \(enc.stateSize) numbers; \(model.source) has \(model.nq + model.nv)")
        }
        guard enc.horizon <= horizon else {
            throw PlanningError("the model's horizon \(enc.horizon) exceeds the plan horizon \(horizon) (--horizon)")
        }
    }
}
