import XCTest
@testable import NeuralCore

/// `ebm bench nn`'s table: a header, one line per row with its share of sgemm, the sgemm rates per
/// thread count, and the strategy comparison only when there is one.
final class NetworkBenchmarkTableTests: XCTestCase {
    func row(batch: Int, threads: Int, avx512: Double?) -> NetworkBenchmark.Row {
        NetworkBenchmark.Row(batch: batch, threads: threads, evals_per_second: 1234.4, train_steps_per_second: 56.78, gflops: 25, sgemm_gflops: 100,
                             gemm: "openblas", blas_core: "Haswell", openblas_sgemm_gflops: 80 + Double(threads), avx512_sgemm_gflops: avx512,
                             cpu_model: "test CPU", cpu_vendor: "test", cpu_family: nil, cpu_model_number: nil, cpu_features: [])
    }

    func testLinesOfRowsRatesAndComparisons() {
        let rows = [row(batch: 128, threads: 1, avx512: nil), row(batch: 1024, threads: 2, avx512: 100)]
        let lines = NetworkBenchmark.tableLines(rows, comparisons: [])
        XCTAssertEqual(lines.count, 4)
        // (Foundation pads %@ on Darwin, not on Linux: the words, not the spaces, of text columns)
        func words(_ line: String) -> [Substring] { line.split(separator: " ") }
        XCTAssertEqual(words(lines[0]), ["batch", "threads", "gemm", "evals/s", "train/s", "GFLOP/s", "sgemm", "of", "sgemm"])
        XCTAssertEqual(lines[1], "   128       1 openblas         1234         56.8      25.0     100.0     25%")
        XCTAssertTrue(lines[3].hasSuffix("(1 thread: OpenBLAS 81.0; 2 threads: OpenBLAS 82.0, AVX-512 kernel 100.0 GFLOP/s)."), lines[3])
        let measurement = NetworkBenchmark.Measurement(evaluationsPerSecond: 10, trainingStepsPerSecond: 2, evaluationGFLOPS: 0.5)
        let more = NetworkBenchmark.tableLines(rows, comparisons: [NetworkBenchmark.Comparison(batch: 128, threads: 2, strategy: .split, measurement: measurement)])
        XCTAssertEqual(Array(more.prefix(4)), lines)
        XCTAssertEqual(Array(more[4...5]), ["", "threading strategies"])
        XCTAssertEqual(words(more.last!), ["128", "2", "split", "10", "2", "0.5"])
    }
}
