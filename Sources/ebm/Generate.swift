import ArgumentParser
import Foundation
import Trajectories

/// `ebm generate RECIPE`: generate a trajectory dataset from a seeded recipe.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a trajectory dataset from a recipe in trajectories/ (train.npz, test.npz, meta.json).",
        discussion: """
        RECIPE is a name in --recipes (e.g. reacher2-goals4) or a path to a .json recipe. Output goes \
        to trajectories/generated/NAME/ unless --out is given. The files depend only on the recipe \
        and its seed: not on --threads, and not on sharding. --shard i/n (0 <= i < n) generates \
        only shard i, for cluster array jobs; join the shards with `ebm dataset merge`.
        """)

    @Argument(help: "Recipe name or .json path.") var recipe: String
    @Option(help: "Output folder (default: trajectories/generated/NAME, or …/NAME/shards/i-of-n with --shard).") var out: String?
    @Option(help: "Generate only shard i of n, written as i/n with 0 <= i < n.") var shard: String?
    @Option(help: "Folder searched for recipe names.") var recipes: String = "trajectories"
    @Option(help: "Worker threads (0 = every core).") var threads: Int = 0
    @Flag(help: "No progress bar.") var quiet = false

    func validate() throws {
        guard threads >= 0 else { throw ValidationError("--threads \(threads) must be >= 0") }
        if let shard {
            do { _ = try Shard(parsing: shard) } catch let error as DatasetError { throw ValidationError("--shard \(shard): \(error.message)") }
        }
    }

    func run() throws {
        let recipe = try Recipe.load(self.recipe, searchDirectory: recipes)
        let generator = try DatasetGenerator(recipe: recipe)
        let shard = try self.shard.map { try Shard(parsing: $0) }
        let defaultOut = "trajectories/generated/\(recipe.name)" + (shard.map { "/shards/\($0.index)-of-\($0.count)" } ?? "")
        let directory = URL(fileURLWithPath: out ?? defaultOut)
        let total = shard.map { s in Split.allCases.reduce(0) { $0 + s.range(of: generator.episodes(of: $1)).count } } ?? recipe.episodes
        let bar = ProgressBar(total: total, unit: "episodes", enabled: !quiet)
        try generator.write(to: directory, shard: shard, projectVersion: EBM.configuration.version, threads: threads) { done, _ in
            bar.update(done)
        }
        let seconds = bar.elapsed
        print(String(format: "wrote %@: %d episodes × %d steps of %@ (%@%@) in %.2f s, %.0f episodes/s",
                     directory.path, total, recipe.steps, recipe.robot, recipe.policyType,
                     shard.map { ", shard \($0)" } ?? "", seconds, Double(total) / max(seconds, 1e-9)))
    }
}
