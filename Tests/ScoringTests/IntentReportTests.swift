import Foundation
import XCTest
@testable import Scoring

/// `IntentReport`: the tables `ebm evaluate intent` prints, its two figures, and a Codable round trip.
final class IntentReportTests: XCTestCase {
    let report = IntentReport(scorers: ["EBM argmin energy", "direct classifier"], episodes: 8, goalCount: 4, observed: [7, 15],
                              accuracy: [[0.25, 0.5], [0.375, 0.875]], attackLengths: [15], epsilons: [0, 0.1],
                              adversarialAccuracy: [[[0.5, 0.25], [0.875, 0.125]]])

    func testMarkdownTables() {
        XCTAssertEqual(report.markdown, """
        | observed n | EBM argmin energy | direct classifier |
        |---:|---:|---:|
        | 7 | 0.250 | 0.375 |
        | 15 | 0.500 | 0.875 |
        | ε (n = 15) | EBM argmin energy | direct classifier |
        |---:|---:|---:|
        | 0.0 | 0.500 | 0.875 |
        | 0.1 | 0.250 | 0.125 |

        """)
    }

    func testPlotsAndCodable() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("intent-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try report.plots(to: dir)
        XCTAssertEqual(files.map { URL(fileURLWithPath: $0).lastPathComponent },
                       ["intent_accuracy.svg", "intent_accuracy.png", "intent_adversarial.svg", "intent_adversarial.png"])
        let accuracy = try String(contentsOf: dir.appendingPathComponent("intent_accuracy.svg"), encoding: .utf8)
        for name in ["EBM argmin energy", "direct classifier", "chance", "8 episodes, 4 goals"] { XCTAssertTrue(accuracy.contains(name), name) }
        let attacks = try String(contentsOf: dir.appendingPathComponent("intent_adversarial.svg"), encoding: .utf8)
        XCTAssertTrue(attacks.contains("direct classifier, n = 15"))
        XCTAssertEqual(try JSONDecoder().decode(IntentReport.self, from: JSONEncoder().encode(report)), report)
    }
}
