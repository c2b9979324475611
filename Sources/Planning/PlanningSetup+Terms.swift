// PlanningSetup+Terms: the objective's terms by name, for weights set from outside (flags, configs).

extension PlanningSetup {
    /// The weighted terms of the planning objective.
    public enum Term: String, CaseIterable, Sendable {
        case goal, obstacle, limits, smoothness, effort, model
    }

    /// The weight of `term` in the objective.
    public subscript(weight term: Term) -> Double {
        get {
            switch term {
            case .goal: return goalWeight
            case .obstacle: return obstacleWeight
            case .limits: return limitWeight
            case .smoothness: return smoothnessWeight
            case .effort: return effortWeight
            case .model: return modelWeight
            }
        }
        set {
            switch term {
            case .goal: goalWeight = newValue
            case .obstacle: obstacleWeight = newValue
            case .limits: limitWeight = newValue
            case .smoothness: smoothnessWeight = newValue
            case .effort: effortWeight = newValue
            case .model: modelWeight = newValue
            }
        }
    }

    /// Optimiser steps per replan of every planner: Langevin and MALA steps, MPPI and CEM iterations.
    public var optimizerSteps: Int {
        get { langevinSteps }
        set { (langevinSteps, malaSteps, populationIterations) = (newValue, newValue, newValue) }
    }
}
