import Foundation
import Trajectories
import XCTest
@testable import Scoring

/// Mean |number| of each window's future states (reacher2: S = 4).
func futureMagnitude() -> FutureScorer {
    FutureScorer(contextLength: 2, horizon: 3, stateSize: 4) { $0.map { Double(abs($0)) }.reduce(0, +) / Double($0.count) }
}

/// Every shift of the tiny reacher2 recipe, scored by two detectors: one per shift and detector,
/// label-reading detectors left out where the shifted episodes have no label, and the tally.
final class OODBenchmarkTests: XCTestCase {
    func testEveryShiftIsScoredAndTallied() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("trajectories/reacher2-tiny.json")
        let bytes = try [UInt8](Data(contentsOf: file))
        let normal = try DatasetGenerator(recipe: Recipe(json: bytes, file: file.path)).generate(.test, range: 0..<4, threads: 1)
        let detectors = [OODBenchmark.Detector(name: "EBM stand-in", key: "ebm", scorer: futureMagnitude(), readsGoalLabel: true),
                         OODBenchmark.Detector(name: "baseline stand-in", key: "gaussian", scorer: futureMagnitude())]
        var heard: [[Int]] = []
        let report = try OODBenchmark(detectors: detectors, normal: normal, recipe: try JSONValue.parse(bytes), positionCount: 2, seed: 3)
            .run(progress: { heard.append([$0, $1]) })
        XCTAssertEqual(report.shifts.map(\.shift), DistributionShift.allCases)
        let steps = 1 + DistributionShift.allCases.count
        XCTAssertEqual(heard, (1...steps).map { [$0, steps] }, "after the normal episodes, then after each shift")
        for s in report.shifts {
            XCTAssertEqual(s.results.count, 2)
            XCTAssertEqual(s.modelHash != nil, s.shift.regenerates, "\(s.shift)")
            // the same scorer on both: identical metrics wherever both scored
            if let a = s.results[0], let b = s.results[1] { XCTAssertEqual(a.mean, b.mean) }
            XCTAssertNotNil(s.results[1], "a detector that reads no label scores every shift")
            if let r = s.results[1] {
                XCTAssertTrue((0...1).contains(r.mean.auroc))
                XCTAssertEqual(r.meanScoreNormal, report.shifts[0].results[1]!.meanScoreNormal)
            }
        }
        // averaged episodes belong to two goals: the label-reading detector has nothing to read
        let averaging = try XCTUnwrap(report.shifts.first { $0.shift == .averaged })
        XCTAssertNil(averaging.results[0])
        // as ood.json and ood.md hold it
        let rows = report.rows, averaged = try XCTUnwrap(DistributionShift.allCases.firstIndex(of: .averaged))
        XCTAssertEqual(rows.map { $0["shift"] as? String }, DistributionShift.allCases.map(\.rawValue))
        XCTAssertEqual((rows[averaged]["ebm"] as? [String: Any])?["note"] as? String, "the shifted episodes carry no goal label for this detector's model")
        XCTAssertEqual(Set(try XCTUnwrap(rows[0]["gaussian"] as? [String: Any]).keys),
                       ["auroc", "fpr_at_95_tpr", "auroc_standard_error", "auroc_max_window", "fpr_at_95_tpr_max_window", "mean_score_shifted", "mean_score_normal"])
        let md = report.markdown(detectorNames: detectors.map(\.name)).split(separator: "\n")
        XCTAssertEqual(md.count, 2 + DistributionShift.allCases.count)
        XCTAssertEqual(md[0], "| shift | EBM stand-in AUROC | FPR@95 | baseline stand-in AUROC | FPR@95 |")
        XCTAssertTrue(md[2 + averaged].hasPrefix("| \(DistributionShift.averaged.summary) | n/a | n/a | "), String(md[2 + averaged]))
        // equal AUROCs tie wherever both scored, and no shift is won
        let tally = report.comparison
        XCTAssertEqual(tally.wins, 0)
        XCTAssertEqual(tally.ties, report.shifts.filter { $0.results[0] != nil }.count)
        XCTAssertEqual(tally.clearWins + tally.clearLosses, 0)
    }
}
