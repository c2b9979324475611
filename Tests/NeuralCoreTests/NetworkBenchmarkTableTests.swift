import XCTest
@testable import NeuralCore

/// `ebm bench nn`'s table: a header, one line per row with its share of sgemm, the sgemm rates per
/// kernel for each thread count and batch, and the strategy comparison only when there is one.
final class NetworkBenchmarkTableTests: XCTestCase {
    func row(batch: Int, threads: Int, avx512: Double?) -> NetworkBenchmark.Row {
        NetworkBenchmark.Row(batch: batch, threads: threads, evals_per_second: 1234.4, train_steps_per_second: 56.78, gflops: 25, sgemm_gflops: 100,
                             gemm: "openblas", blas_core: "Haswell", openblas_sgemm_gflops: 80 + Double(threads), avx512_sgemm_gflops: avx512,
                             sgemm_1024_gflops: ["openblas": 80 + Double(threads)].merging(avx512.map { ["avx512": $0] } ?? [:]) { a, _ in a },
                             sgemm_network_gflops: ["openblas": 70 + Double(threads)], sgemm_network_shape: "\(batch)×256×256 NT",
                             cpu_model: "test CPU", cpu_vendor: "test", cpu_family: nil, cpu_model_number: nil, cpu_features: [], cpu_cache_bytes: [:])
    }

    func testLinesOfRowsRatesAndComparisons() {
        let rows = [row(batch: 128, threads: 1, avx512: nil), row(batch: 1024, threads: 2, avx512: 100)]
        let lines = NetworkBenchmark.tableLines(rows, comparisons: [])
        XCTAssertEqual(lines.count, 7)
        // (Foundation pads %@ on Darwin, not on Linux: the words, not the spaces, of text columns)
        func words(_ line: String) -> [Substring] { line.split(separator: " ") }
        XCTAssertEqual(words(lines[0]), ["batch", "threads", "gemm", "evals/s", "train/s", "GFLOP/s", "sgemm", "of", "sgemm"])
        XCTAssertEqual(lines[1], "   128       1 openblas         1234         56.8      25.0     100.0     25%")
        XCTAssertEqual(lines[4], "sgemm GFLOP/s per kernel on the same threads:")
        XCTAssertEqual(lines[5], "  1 thread: 1024³ openblas 81.0; 128×256×256 NT openblas 71.0")
        XCTAssertEqual(lines[6], "  2 threads: 1024³ avx512 100.0, openblas 82.0; 1024×256×256 NT openblas 72.0")
        let measurement = NetworkBenchmark.Measurement(evaluationsPerSecond: 10, trainingStepsPerSecond: 2, evaluationGFLOPS: 0.5)
        let more = NetworkBenchmark.tableLines(rows, comparisons: [NetworkBenchmark.Comparison(batch: 128, threads: 2, strategy: .split, measurement: measurement)])
        XCTAssertEqual(Array(more.prefix(7)), lines)
        XCTAssertEqual(Array(more[7...8]), ["", "threading strategies"])
        XCTAssertEqual(words(more.last!), ["128", "2", "split", "10", "2", "0.5"])
    }

    /// The header of `ebm bench nn`: the strategy and clock named, the CPU and the kernels listed.
    func testHeaderLinesNameStrategyClockCPUAndKernels() {
        let lines = NetworkBenchmark.headerLines(strategy: .split, clock: "cpu")
        XCTAssertEqual(lines.count, 3)
        XCTAssertTrue(lines[0].hasPrefix("reference energy network 80 → 256 → 256 → 256 → 1 (SiLU), Float32, strategy split, cpu clock, load average "), lines[0])
        XCTAssertEqual(lines[1], "CPU: \(MachineInfo.current.summary)")
        XCTAssertTrue(lines[2].hasPrefix("OpenBLAS kernels: \(BLASCore.name); matrix kernels here: "), lines[2])
        XCTAssertTrue(lines[2].hasSuffix("(default \(GEMMKernel.defaultKernel.rawValue))"), lines[2])
    }
}
