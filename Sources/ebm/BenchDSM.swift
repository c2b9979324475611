// `ebm bench dsm`: speed of the default model's denoising-score-matching training step (the
// second-order pass) on one thread, and one step's loss and gradient for an independent check.

import ArgumentParser
import EnergyModels
import Foundation
import NeuralCore

/// `ebm bench dsm`: denoising training steps per second of the default model.
struct BenchDSM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dsm",
        abstract: "Measure the default model's denoising-score-matching training step (53 → 256 → 256 → 256 → 1, SiLU) on one thread.",
        discussion: """
        One step on a fixed synthetic batch: the network's rows, E and ∇_y E, the loss \
        mean (σ∇_y E − ε)², its gradient in the weights through the second-order pass, clipping to \
        norm 1, Adam and the weights' moving average — what `ebm train` does with \
        trajectories/reacher2-goals4.train.json after reading a batch. Steps per second are the best \
        of five windows after a warm-up. benchmarks/pytorch_dsm.py runs the same step in PyTorch \
        side by side. --reference N prints, instead, one batch of N rows, the initial weights, the \
        loss and its gradient as JSON (what pytorch_dsm.py checks its objective against). Build with -c release.
        """
    )

    @Option(name: .customLong("batch"), help: "Batch sizes (repeatable).")
    var batches: [Int] = [128, 256, 1024]

    @Option(help: "Seconds per measurement, split into five timed windows; the best window is reported.")
    var seconds: Double = 1

    @Option(help: "wall (default) or cpu: process CPU time, steadier on a shared machine.")
    var clock: BenchClock = .wall

    @Option(help: "Matrix-product kernel: avx512, onednn or openblas (default: EBM_GEMM's or the machine's choice).")
    var gemm: GEMMKernel?

    @Option(help: "Print the loss and gradient of one batch of this many rows as JSON instead of timing.")
    var reference: Int?

    @Flag(help: "Print one JSON array instead of the table.")
    var json = false

    func validate() throws {
        let sizes = DenoisingBenchmark.batchSizes
        guard batches.allSatisfy({ sizes.contains($0) }) else { throw ValidationError("--batch: between \(sizes.lowerBound) and \(sizes.upperBound) rows") }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        if let reference, !sizes.contains(reference) { throw ValidationError("--reference: between 1 and 65536 rows") }
        if let message = GEMMKernel.unavailability(of: gemm.map { [$0] } ?? []) { throw ValidationError(message) }
    }

    func run() throws {
        if let gemm { GEMMKernel.current = gemm }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        if let reference {
            print(String(decoding: try encoder.encode(DenoisingBenchmark.reference(batch: reference)), as: UTF8.self))
            return
        }
        let rows = try DenoisingBenchmark.measure(batches: batches, seconds: seconds, clock: clock.seconds)
        if json {
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
            return
        }
        DenoisingBenchmark.tableLines(rows, clock: clock.rawValue).forEach { print($0) }
    }
}
