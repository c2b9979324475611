import Foundation
import XCTest
@testable import NeuralCore

/// The benchmark's reference network has the documented shape, and its timing loop counts calls
/// against the clock it is given (a fake clock that advances a fixed amount per call).
final class NetworkBenchmarkTests: XCTestCase {
    func testReferenceNetworkShape() {
        let net = NetworkBenchmark.referenceNetwork()
        XCTAssertEqual(net.inputWidth, 80)
        XCTAssertEqual(net.outputWidth, 1)
        // weights and biases of 80→256→256→256→1
        XCTAssertEqual(net.parameterLayout.count, 80 * 256 + 256 + 2 * (256 * 256 + 256) + 256 + 1)
    }

    func testCallsPerSecondCountsAgainstTheGivenClock() {
        var now = 0.0, calls = 0
        // every call costs 1 ms of the fake clock: 1000 calls per second in every window
        let rate = NetworkBenchmark.callsPerSecond(seconds: 0.5, clock: { now }) { now += 0.001; calls += 1 }
        XCTAssertEqual(rate, 1000, accuracy: 1e-6 * 1000)
        // warm-up (0.05 s) and five windows of 0.1 s
        XCTAssertEqual(Double(calls), 50 + 5 * 100, accuracy: 6)
    }

    func testMeasurementIsPositiveAndFinite() {
        let m = NetworkBenchmark.measure(batch: 4, threading: .single, seconds: 0.01, clock: wallClockSeconds)
        XCTAssertTrue(m.evaluationsPerSecond > 0 && m.trainingStepsPerSecond > 0 && m.evaluationGFLOPS > 0)
        XCTAssertTrue([m.evaluationsPerSecond, m.trainingStepsPerSecond, m.evaluationGFLOPS].allSatisfy(\.isFinite))
    }
}

/// The suite of `ebm bench nn`: one row per thread count × kernel × batch in that order, the
/// comparison rows only on several threads, the strategies' threadings, the JSON keys.
final class NetworkBenchmarkSuiteTests: XCTestCase {
    func testStrategiesMapToTheirThreading() {
        for s in NetworkBenchmark.Strategy.allCases {
            guard case .single = s.threading(threads: 1, batch: 64) else { return XCTFail("\(s) on one thread") }
        }
        guard case .blas(let t) = NetworkBenchmark.Strategy.blas.threading(threads: 3, batch: 64), t == 3 else { return XCTFail("blas") }
        guard case .batchSplit(let u) = NetworkBenchmark.Strategy.split.threading(threads: 2, batch: 64), u == 2 else { return XCTFail("split") }
        XCTAssertNil(NetworkBenchmark.Strategy(rawValue: "openmp"))
    }

    func testSuiteRowsInOrderWithComparisonsOnSeveralThreads() throws {
        let kernel = GEMMKernel.current
        let (rows, comparisons) = NetworkBenchmark.suite(batches: [4, 8], threads: [1, 2], kernels: [.openblas], strategy: .auto, seconds: 0.01,
                                                         clock: wallClockSeconds, compareStrategies: true)
        XCTAssertEqual(GEMMKernel.current, kernel, "the kernel is restored")
        XCTAssertEqual(rows.map(\.threads), [1, 1, 2, 2])
        XCTAssertEqual(rows.map(\.batch), [4, 8, 4, 8])
        XCTAssertEqual(rows.map(\.gemm), ["openblas", "openblas", "openblas", "openblas"])
        let available = Set(GEMMKernel.available.map(\.rawValue))
        for r in rows {
            XCTAssertEqual(Set(r.sgemm_1024_gflops.keys), available)
            XCTAssertEqual(Set(r.sgemm_network_gflops.keys), available)
            XCTAssertTrue(r.sgemm_1024_gflops.values.allSatisfy { $0 > 0 && $0.isFinite })
            XCTAssertTrue(r.sgemm_network_gflops.values.allSatisfy { $0 > 0 && $0.isFinite })
            XCTAssertEqual(r.sgemm_network_shape, "\(r.batch)×256×256 NT")
            XCTAssertEqual(r.sgemm_gflops, r.sgemm_1024_gflops.values.max())
            XCTAssertEqual(r.openblas_sgemm_gflops, r.sgemm_1024_gflops["openblas"])
            XCTAssertEqual(r.avx512_sgemm_gflops, r.sgemm_1024_gflops["avx512"])
            XCTAssertTrue(r.evals_per_second > 0 && r.gflops > 0 && r.sgemm_gflops > 0)
            XCTAssertEqual(r.cpu_model, MachineInfo.current.model)
            XCTAssertEqual(r.cpu_cache_bytes, MachineInfo.current.cacheBytes)
        }
        // 1024³ once per thread count, the network's shape once per batch: equal within a thread count
        XCTAssertEqual(rows[0].sgemm_1024_gflops, rows[1].sgemm_1024_gflops)
        XCTAssertNotEqual(rows[0].sgemm_1024_gflops, rows[2].sgemm_1024_gflops)
        XCTAssertEqual(comparisons.map(\.threads), [2, 2, 2, 2])
        XCTAssertEqual(comparisons.map(\.strategy), [.blas, .split, .blas, .split])
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(rows[0])) as! [String: Any]
        for key in ["batch", "threads", "evals_per_second", "train_steps_per_second", "gflops", "sgemm_gflops", "gemm", "blas_core",
                    "openblas_sgemm_gflops", "sgemm_1024_gflops", "sgemm_network_gflops", "sgemm_network_shape",
                    "cpu_model", "cpu_vendor", "cpu_features", "cpu_cache_bytes"] {
            XCTAssertNotNil(json[key], key)
        }
    }
}
