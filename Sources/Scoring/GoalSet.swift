// GoalSet: the goals of a goal-reaching dataset as positions of one robot site — the mean final
// site position of the episodes with each goal index — and which goal a point is nearest to.

import Simulation
import Trajectories

/// Goal positions of a dataset, with the robot and the site that reaches for them.
public struct GoalSet {
    public var robot: RobotModel
    /// Index of the goal site among the robot's (and the dataset's) sites.
    public var site: Int
    public var siteName: String
    /// One position (3, in m) per goal index, in goal order.
    public var positions: [[Double]]

    public init(robot: RobotModel, site: Int, siteName: String, positions: [[Double]]) {
        (self.robot, self.site, self.siteName, self.positions) = (robot, site, siteName, positions)
    }

    /// Goals averaged from datasets: for each goal index ≥ 0, the mean final position of `site`
    /// over the episodes with that goal, in every dataset holding `siteCount` sites.
    public init(robot: RobotModel, site: Int, siteName: String, datasets: [TrajectoryDataset], siteCount: Int) {
        var sums: [Int: ([Double], Int)] = [:]
        for d in datasets where d.siteCount == siteCount {
            for e in 0..<d.episodes where d.goal[e] >= 0 {
                let i = ((e * (d.steps + 1) + d.steps) * d.siteCount + site) * 3
                let p = Array(d.sites[i..<i + 3])
                let (s, n) = sums[Int(d.goal[e])] ?? ([0, 0, 0], 0)
                sums[Int(d.goal[e])] = (zip(s, p).map(+), n + 1)
            }
        }
        let positions = sums.keys.sorted().map { g in sums[g]!.0.map { $0 / Double(sums[g]!.1) } }
        self.init(robot: robot, site: site, siteName: siteName, positions: positions)
    }

    /// The goal nearest to a point (3, in m) and its distance; goal 0 at infinity when there are none.
    public func nearest(_ p: [Double]) -> (goal: Int, distance: Double) {
        var best = (goal: 0, distance: Double.infinity)
        for (g, q) in positions.enumerated() {
            let d = zip(p, q).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
            if d < best.distance { best = (g, d) }
        }
        return best
    }

    /// Final site positions (count, 3) of the qpos rows (count, nq); a non-finite row lands far away.
    public func sitePositions(qpos: [Double], count: Int) throws -> [Double] {
        let safe = qpos.map { $0.isFinite ? $0 : 1e6 }
        let sites = try robot.kinematics(qpos: safe, batch: count).sites
        return (0..<count).flatMap { sites[($0 * robot.nsite + site) * 3..<($0 * robot.nsite + site) * 3 + 3] }
    }

    /// Share of the configurations qpos (count, nq) whose site lies within `radius` (m) of its nearest goal.
    public func validity(qpos: [Double], count: Int, radius: Double) throws -> Double {
        let sites = try sitePositions(qpos: qpos, count: count)
        return Double((0..<count).filter { nearest(Array(sites[$0 * 3..<$0 * 3 + 3])).distance <= radius }.count) / Double(count)
    }
}
