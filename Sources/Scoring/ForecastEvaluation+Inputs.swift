// ForecastEvaluation+Inputs: what a forecast evaluation reads beside the evaluated split — the
// goals of a dataset folder and the split its data-dependent references come from.

import Foundation
import Simulation
import Trajectories

extension GoalSet {
    /// The goals of dataset folder `folder` whose split `split` is `dataset`: the mean final site
    /// position of the episodes with each goal index, over `dataset` and the folder's train.npz
    /// when present, for the site and robot its meta.json names; nil when the dataset has no goals.
    public static func load(folder: String, split: Split, dataset: TrajectoryDataset) throws -> GoalSet? {
        guard dataset.goal.contains(where: { $0 >= 0 }), dataset.siteCount > 0 else { return nil }
        let file = URL(fileURLWithPath: folder).appendingPathComponent("\(split.rawValue).npz")
        guard let robotName = DatasetFolder.robotName(near: file.path) else {
            let meta = "\(folder)/meta.json"
            throw ScoringError.file(FileError(FileError.Kind(.malformed, ifPresentAt: meta), path: meta, "no robot named; goal metrics need it"))
        }
        let robot: RobotModel
        do { robot = try RobotModel.load(robotName) } catch { throw ScoringError.invalidArgument("robot \(robotName): \(error)") }
        guard robot.nq + robot.nv == dataset.stateSize else {
            throw ScoringError.file(FileError(.mismatched, path: file.path, "states have \(dataset.stateSize) numbers; meta.json's robot \(robotName) has nq + nv = \(robot.nq + robot.nv)"))
        }
        let (site, siteName) = goalSite(meta: try? DatasetFolder.meta(of: URL(fileURLWithPath: folder)))
        guard site < dataset.siteCount, site < robot.nsite else { throw ScoringError.invalidArgument("goal site \(site): the dataset holds \(dataset.siteCount) sites, the robot \(robot.nsite)") }
        var sources = [dataset]
        let train = URL(fileURLWithPath: folder).appendingPathComponent("train.npz")
        if split != .train, FileManager.default.fileExists(atPath: train.path), let t = try? TrajectoryDataset(contentsOf: train) { sources.append(t) }
        return GoalSet(robot: robot, site: site, siteName: siteName, datasets: sources, siteCount: dataset.siteCount)
    }
}

extension ForecastEvaluation {
    /// The states the data-dependent references (state ranges, Fréchet reference) come from: the
    /// folder's train.npz when it has one and `split` is not train, else `evaluated`; read only
    /// when `needed`. Its states must hold `stateSize` numbers, as the model reads.
    public static func referenceSplit(folder: String, split: Split, evaluated: TrajectoryDataset, stateSize S: Int, needed: Bool) throws -> TrajectoryDataset {
        let trainURL = URL(fileURLWithPath: folder).appendingPathComponent("train.npz")
        guard needed, split != .train, FileManager.default.fileExists(atPath: trainURL.path) else { return evaluated }
        let reference: TrajectoryDataset
        do { reference = try TrajectoryDataset(contentsOf: trainURL) } catch { throw ScoringError.file(FileError(wrapping: error, path: trainURL.path)) }
        guard reference.stateSize == S else { throw ScoringError.file(FileError(.mismatched, path: trainURL.path, "states have \(reference.stateSize) numbers, the model reads \(S)")) }
        return reference
    }
}
