import EnergyModels
import Foundation
import XCTest

/// `TrainingConfiguration.load(from:objective:)` (`ebm train --config … --objective …`): the file or
/// the defaults, the objective replaced and the result checked again, errors naming the file.
final class ConfigurationObjectiveTests: XCTestCase {
    func testObjectiveOverridesAndIsCheckedAgain() throws {
        XCTAssertEqual(try TrainingConfiguration.load(from: nil, objective: nil), TrainingConfiguration())
        XCTAssertEqual(try TrainingConfiguration.load(from: nil, objective: .dsm).optimization.objective, .dsm)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("objective-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // valid for contrastive divergence; denoising needs futureAsDelta with an origin fade
        let url = dir.appendingPathComponent("c.json")
        try Data(#"{"model": {"futureAsDelta": false}, "denoising": {"originFade": 40}}"#.utf8).write(to: url)
        let cd = try TrainingConfiguration.load(from: url, objective: nil)
        XCTAssertEqual(cd, try TrainingConfiguration.load(from: url))
        XCTAssertEqual(try TrainingConfiguration.load(from: url, objective: .cd), cd)
        XCTAssertThrowsError(try TrainingConfiguration.load(from: url, objective: .dsm)) { error in
            XCTAssertTrue("\(error)".contains("c.json") && "\(error)".contains("denoising.originFade"), "\(error)")
        }
    }
}
