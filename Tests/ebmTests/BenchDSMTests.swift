import Foundation
import XCTest

/// `ebm bench dsm`: the JSON rows, and the reference step that benchmarks/pytorch_dsm.py checks PyTorch against (issue 22).
final class BenchDSMTests: XCTestCase {
    func testJSONRowsNameTheBatchKernelAndMachine() throws {
        let r = try EBMProcess.succeeding(["bench", "dsm", "--json", "--batch", "8", "--seconds", "0.05"])
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, 1)
        for key in ["batch", "threads", "steps_per_second", "milliseconds_per_step", "gemm", "blas_core", "cpu_model", "cpu_features"] {
            XCTAssertNotNil(rows[0][key], key)
        }
        XCTAssertEqual(rows[0]["batch"] as? Int, 8)
        XCTAssertEqual(rows[0]["threads"] as? Int, 1)
        XCTAssertGreaterThan((rows[0]["steps_per_second"] as? NSNumber)?.doubleValue ?? 0, 0)
    }

    /// The reference names and shapes its tensors as PyTorch's nn.Sequential of the same layers, and its gradient is
    /// zero exactly where the loss on ∇E cannot reach (the output layer's bias) and non-zero elsewhere.
    func testReferenceHasPyTorchNamesAndTheGradientOfALossOnTheInputGradient() throws {
        let r = try EBMProcess.succeeding(["bench", "dsm", "--reference", "4"])
        let reference = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        func tensors(_ key: String) throws -> [String: (shape: [Int], values: [Double])] {
            let list = try XCTUnwrap(reference[key] as? [[String: Any]], key)
            return Dictionary(uniqueKeysWithValues: try list.map { t in
                (try XCTUnwrap(t["name"] as? String), (try XCTUnwrap(t["shape"] as? [Int]), try XCTUnwrap(t["values"] as? [NSNumber]).map(\.doubleValue)))
            })
        }
        let parameters = try tensors("parameters"), gradients = try tensors("gradients")
        let expected: [String: [Int]] = ["0.weight": [256, 53], "0.bias": [256], "2.weight": [256, 256], "2.bias": [256],
                                         "4.weight": [256, 256], "4.bias": [256], "6.weight": [1, 256], "6.bias": [1]]
        XCTAssertEqual(parameters.mapValues(\.shape), expected)
        XCTAssertEqual(gradients.mapValues(\.shape), expected)
        for (name, tensor) in parameters { XCTAssertEqual(tensor.values.count, tensor.shape.reduce(1, *), name) }
        XCTAssertEqual(gradients["6.bias"]?.values, [0])
        for name in expected.keys where name != "6.bias" {
            XCTAssertGreaterThan(gradients[name]!.values.map(abs).max()!, 0, name)
        }
        let loss = try XCTUnwrap((reference["loss"] as? NSNumber)?.doubleValue)
        XCTAssertTrue(loss.isFinite && loss > 0)
        let batch = try XCTUnwrap(reference["batch"] as? [String: Any])
        let sigma = try XCTUnwrap(batch["sigma"] as? [NSNumber]).map(\.doubleValue)
        XCTAssertEqual(sigma.count, 4)
        XCTAssertTrue(sigma.allSatisfy { $0 >= 0.002 * (1 - 1e-6) && $0 <= 4 * (1 + 1e-6) })
        XCTAssertEqual((batch["coefficients"] as? [Any])?.count, 4 * 32)
    }

    /// Each bad size is a usage error (exit 64) naming the option, before anything runs.
    func testBadSizesAreRefused() throws {
        let cases = [(["--reference", "0"], "--reference: between 1 and 65536 rows"), (["--reference", "65537"], "--reference: between 1 and 65536 rows"),
                     (["--batch", "0"], "--batch: between 1 and 65536 rows"), (["--batch", "128", "--batch", "65537"], "--batch: between 1 and 65536 rows"),
                     (["--seconds", "0"], "--seconds must be positive")]
        for (arguments, message) in cases {
            let r = try EBMProcess.run(["bench", "dsm"] + arguments)
            XCTAssertEqual(r.status, 64, "\(arguments): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(message), "\(arguments): \(r.stderr)")
            XCTAssertEqual(r.stdout, "", "\(arguments)")
        }
    }
}
