import Foundation
import Simulation
import XCTest
@testable import Trajectories

/// Fresh episodes of a dataset's recipe from a chosen start: the start kept, the seed obeyed, the
/// recipe found in a folder's meta.json.
final class ReferenceSimulatorTests: XCTestCase {
    static let recipeFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("trajectories/reacher2-tiny.json")

    func testEpisodesStartWhereAskedAndFollowTheSeed() throws {
        let bytes = try [UInt8](Data(contentsOf: Self.recipeFile))
        let simulator = try ReferenceSimulator(recipe: Recipe(json: bytes, file: Self.recipeFile.path))
        XCTAssertEqual(simulator.steps, 30)
        let (qpos, qvel) = ([0.1, 1.2], [0.0, 0.5])
        let a = try simulator.simulate(qpos: qpos, qvel: qvel, count: 3, seed: 9)
        XCTAssertEqual(a.states.count, 3 * 31 * 4)
        XCTAssertEqual(a.goal.count, 3)
        for e in 0..<3 { XCTAssertEqual(Array(a.states[e * 31 * 4..<e * 31 * 4 + 4]), qpos + qvel) }
        // the episodes move, differ from each other, and repeat with the seed
        XCTAssertNotEqual(Array(a.states[30 * 4..<31 * 4]), qpos + qvel)
        XCTAssertNotEqual(Array(a.states[30 * 4..<31 * 4]), Array(a.states[(31 + 30) * 4..<(31 + 31) * 4]))
        XCTAssertEqual(try simulator.simulate(qpos: qpos, qvel: qvel, count: 3, seed: 9).states, a.states)
        XCTAssertNotEqual(try simulator.simulate(qpos: qpos, qvel: qvel, count: 3, seed: 10).states, a.states)
    }

    func testRecipeIsReadFromTheFoldersMeta() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reference-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        XCTAssertThrowsError(try ReferenceSimulator(dataFolder: folder.path)) { XCTAssertTrue("\($0)".contains("re-simulation needs the dataset's recipe"), "\($0)") }
        let recipe = try String(contentsOf: Self.recipeFile, encoding: .utf8)
        try "{\"format\": 1}".write(to: folder.appendingPathComponent("meta.json"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ReferenceSimulator(dataFolder: folder.path)) { XCTAssertTrue("\($0)".contains("no \"recipe\" object"), "\($0)") }
        try "{\"recipe\": \(recipe)}".write(to: folder.appendingPathComponent("meta.json"), atomically: true, encoding: .utf8)
        let fromFolder = try ReferenceSimulator(dataFolder: folder.path)
        let direct = try ReferenceSimulator(recipe: Recipe(json: Array(recipe.utf8)))
        XCTAssertEqual(try fromFolder.simulate(qpos: [0, 1], qvel: [0, 0], count: 2, seed: 1).states,
                       try direct.simulate(qpos: [0, 1], qvel: [0, 0], count: 2, seed: 1).states)
    }
}
