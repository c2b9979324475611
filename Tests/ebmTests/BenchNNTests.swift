import Foundation
import XCTest

/// `ebm bench nn --json`: the fixed keys of every row, and the machine it ran on (issue 22).
final class BenchNNTests: XCTestCase {
    func testJSONRowsNameTheMachine() throws {
        let r = try EBMProcess.succeeding(["bench", "nn", "--json", "--batch", "8", "--threads", "1", "--seconds", "0.05"])
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, 1)
        let row = rows[0]
        for key in ["batch", "threads", "evals_per_second", "train_steps_per_second", "gflops", "sgemm_gflops", "cpu_model", "cpu_vendor", "cpu_features",
                    "sgemm_1024_gflops", "sgemm_network_gflops", "sgemm_network_shape", "cpu_cache_bytes", "gemm"] {
            XCTAssertNotNil(row[key], key)
        }
        XCTAssertEqual(row["batch"] as? Int, 8)
        XCTAssertEqual(row["sgemm_network_shape"] as? String, "8×256×256 NT")
        // every kernel that runs here, OpenBLAS always, each with a positive rate at both shapes
        func rates(_ key: String) throws -> [String: Double] {
            try XCTUnwrap(row[key] as? [String: Any], key).compactMapValues { ($0 as? NSNumber)?.doubleValue }
        }
        let square = try rates("sgemm_1024_gflops"), network = try rates("sgemm_network_gflops")
        XCTAssertEqual(Set(square.keys), Set(network.keys))
        XCTAssertNotNil(square["openblas"])
        XCTAssertTrue(square.values.allSatisfy { $0 > 0 } && network.values.allSatisfy { $0 > 0 })
        XCTAssertTrue(square.keys.contains(row["gemm"] as? String ?? "?"), "the network's kernel is measured")
        let features = try XCTUnwrap(row["cpu_features"] as? [String])
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8), info.contains(" avx2") {
            XCTAssertTrue(features.contains("avx2"))
        }
        XCTAssertFalse((row["cpu_model"] as? String ?? "").isEmpty)
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8), info.contains("model name") {
            XCTAssertNotEqual(row["cpu_model"] as? String, "unknown")
        }
    }
}
