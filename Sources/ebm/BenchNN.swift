// `ebm bench nn`: speed of the reference energy network (energy + input gradient, and training
// steps) against the sgemm rate measured in the same run.

import ArgumentParser
import Foundation
import NeuralCore

/// `ebm bench nn`: evaluations and training steps per second of the reference energy network.
struct BenchNN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nn",
        abstract: "Measure the reference energy network (80 → 256 → 256 → 256 → 1, SiLU) on the CPU.",
        discussion: """
        For each batch size and thread count: energy + input-gradient evaluations per second \
        (one evaluation = one call on the whole batch), training steps per second (forward, \
        backward, Adam), the GFLOP/s the evaluations achieve, and the sgemm GFLOP/s (1024³) \
        measured in the same run on the same threads: the fastest of the matrix kernels that run \
        here (OpenBLAS; the package's own AVX-512 kernel where the CPU has AVX-512; oneDNN where \
        libdnnl is installed). --json adds each kernel's sgemm rate at 1024³ and at the network's \
        shape (batch×256×256, the hidden layers' forward product) and the machine: CPU model, \
        vendor, family/model, vector features and cache sizes. Build with -c release.
        """
    )

    @Option(name: .customLong("batch"), help: "Batch sizes (repeatable).")
    var batches: [Int] = [128, 1024]

    @Option(name: .customLong("threads"), help: "Thread counts (repeatable; default: 1 and all cores).")
    var threadCounts: [Int] = []

    @Option(help: "Seconds per measurement, split into five timed windows; the best window is reported.")
    var seconds: Double = 0.5

    @Option(help: "wall (default) or cpu: process CPU time, steadier on a shared machine but only meaningful with --threads 1.")
    var clock: BenchClock = .wall

    @Option(help: "Multi-thread strategy: auto (the measured choice), blas (OpenBLAS threads), split (batch split).")
    var strategy: NetworkBenchmark.Strategy = .auto

    @Option(help: "Matrix-product kernel of the network (repeatable): avx512 (the default where the CPU has it), onednn (where libdnnl is installed) or openblas; default: EBM_GEMM's or the machine's choice.")
    var gemm: [GEMMKernel] = []

    @Flag(help: "Also time every multi-thread strategy and print the comparison.")
    var compareThreading = false

    @Flag(help: "Print one JSON array instead of the table.")
    var json = false

    func validate() throws {
        guard batches.allSatisfy({ $0 > 0 }) else { throw ValidationError("--batch: batch sizes must be positive") }
        guard threadCounts.allSatisfy({ $0 > 0 }) else { throw ValidationError("--threads: thread counts must be positive") }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        if let message = GEMMKernel.unavailability(of: gemm) { throw ValidationError(message) }
    }

    func run() throws {
        let threads = threadCounts.isEmpty ? Array(Set([1, Threading.availableCores])).sorted() : threadCounts
        let kernels = gemm.isEmpty ? [GEMMKernel.current] : gemm
        let (results, comparisons) = NetworkBenchmark.suite(batches: batches, threads: threads, kernels: kernels, strategy: strategy,
                                                            seconds: seconds, clock: clock.seconds, compareStrategies: compareThreading)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
            return
        }
        NetworkBenchmark.headerLines(strategy: strategy, clock: clock.rawValue).forEach { print($0) }
        NetworkBenchmark.tableLines(results, comparisons: comparisons).forEach { print($0) }
    }
}
