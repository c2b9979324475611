import Foundation
import XCTest

/// `ebm bench nn --json`: the fixed keys of every row, and the machine it ran on (issue 22).
final class BenchNNTests: XCTestCase {
    func testJSONRowsNameTheMachine() throws {
        let r = try EBMProcess.succeeding(["bench", "nn", "--json", "--batch", "8", "--threads", "1", "--seconds", "0.05"])
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, 1)
        let row = rows[0]
        for key in ["batch", "threads", "evals_per_second", "train_steps_per_second", "gflops", "sgemm_gflops", "cpu_model", "cpu_vendor", "cpu_features"] {
            XCTAssertNotNil(row[key], key)
        }
        XCTAssertEqual(row["batch"] as? Int, 8)
        XCTAssertFalse((row["cpu_model"] as? String ?? "").isEmpty)
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8), info.contains("model name") {
            XCTAssertNotEqual(row["cpu_model"] as? String, "unknown")
        }
    }
}
