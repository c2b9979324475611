import Foundation
import XCTest
@testable import Trajectories

/// The repository root (recipes live in `trajectories/`).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A committed recipe by name.
func committedRecipe(_ name: String) throws -> Recipe {
    try Recipe.load(repositoryRoot.appendingPathComponent("trajectories/\(name).json").path)
}

/// A recipe from JSON text, named `file` in errors.
func recipe(_ text: String, file: String = "test.json") throws -> Recipe {
    try Recipe(json: Array(text.utf8), file: file)
}

/// A small valid recipe with fields replaced or added (`nil` removes a field).
func tinyRecipeText(_ overrides: [String: String?] = [:]) -> String {
    var fields: [(String, String)] = [
        ("name", "\"t\""), ("robot", "\"reacher2\""), ("steps", "12"), ("episodes", "{\"train\": 6, \"test\": 3}"),
        ("seed", "7"), ("initial", "{\"qpos_std\": 0.02}"),
        ("policy", "{\"type\": \"goal-pd\", \"goals\": {\"site\": \"fingertip\", \"circle\": {\"radius\": 0.15, \"count\": 4}}, \"ik\": {\"seed\": [0, 1.5]}, \"kp\": 100, \"kd\": 20, \"reaction_delay\": 3, \"move_steps\": 5, \"control_noise\": 0.03}"),
    ]
    for (key, value) in overrides {
        fields.removeAll { $0.0 == key }
        if let value { fields.append((key, value)) }
    }
    return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
}

/// Asserts that `body` throws an error whose description contains every fragment.
func assertThrows<T>(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("expected an error containing \(fragments), but nothing was thrown", file: file, line: line)
    } catch {
        let text = "\(error)"
        for fragment in fragments {
            XCTAssertTrue(text.contains(fragment), "message \"\(text)\" lacks \"\(fragment)\"", file: file, line: line)
        }
    }
}

/// Bytes of every file in a dataset folder, by name.
func folderBytes(_ url: URL) throws -> [String: [UInt8]] {
    var out: [String: [UInt8]] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: url.path) where !name.hasPrefix(".") {
        out[name] = try AtomicFile.read(url.appendingPathComponent(name))
    }
    return out
}
