// PlanningSetup+Models: the checks a learned plan term passes before it joins the plan energy.

import EnergyModels
import Trajectories

extension PlanningSetup {
    /// Throws unless `learned` reads this robot's states (nq + nv numbers) and its horizon fits
    /// within the plan's (the term scores windows of the planned states).
    public func checkLearnedModel(_ learned: TrajectoryEnergyModel) throws {
        let enc = learned.encoding
        guard enc.stateSize == model.nq + model.nv else {
            throw PlanningError.invalidArgument("the model reads states of \(enc.stateSize) numbers; \(model.source) has \(model.nq + model.nv)")
        }
        guard enc.horizon <= horizon else {
            throw PlanningError.invalidArgument("the model's horizon \(enc.horizon) exceeds the plan horizon \(horizon) (--horizon)")
        }
    }
}

extension PlanningSetup {
    /// The energy model of a run folder or checkpoint, checked for this robot: the state planners'
    /// learned term.
    /// - Throws: `PlanningError` "PATH: …" when it does not load or does not fit this setup;
    ///   `TrainingError` when it is conditioned (a plan gives it no goal label or controls).
    public func learnedModel(run path: String) throws -> TrajectoryEnergyModel {
        let loaded: TrajectoryEnergyModel
        do { loaded = try TrajectoryEnergyModel.load(from: RunFolder.existingCheckpoint(path)).model } catch {
            throw PlanningError.file(FileError(wrapping: error, path: path))
        }
        try RunFolder.requireUnconditioned(loaded.encoding, run: path)
        do { try checkLearnedModel(loaded) } catch { throw PlanningError.file(FileError(.mismatched, path: path, "\(error)")) }
        return loaded
    }

    /// The feedforward transition model of a run folder or checkpoint (mppi-ff, cem-ff), checked
    /// for this robot: it reads the robot's states and is conditioned on its controls.
    /// - Throws: the loader's errors; `PlanningError` "PATH: …" when it does not fit.
    public func transitionModel(run path: String) throws -> FeedforwardPredictor {
        let loaded = try FeedforwardPredictor.load(run: path, conditioned: true).model
        do { try SimulatorPlanner.checkTransitionModel(loaded, of: model) } catch { throw PlanningError.file(FileError(.mismatched, path: path, "\(error)")) }
        return loaded
    }
}

extension PlanningSetup {
    /// `learnedModel(run:)` of `path` when given (nil: none), its `PlanningError` prefixed by `flag`
    /// (the option the path came from, e.g. "--model").
    public func learnedModel(_ path: String?, flag: String = "--model") throws -> TrajectoryEnergyModel? {
        do { return try path.map(learnedModel(run:)) } catch let e as PlanningError { throw PlanningError.option(flag, e) }
    }

    /// `transitionModel(run:)` of `path` when given (nil: none), its `PlanningError` prefixed by `flag`.
    public func transitionModel(_ path: String?, flag: String = "--dynamics") throws -> FeedforwardPredictor? {
        do { return try path.map(transitionModel(run:)) } catch let e as PlanningError { throw PlanningError.option(flag, e) }
    }
}
