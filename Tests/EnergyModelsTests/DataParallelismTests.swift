import Foundation
import NeuralCore
import XCTest
@testable import EnergyModels

/// Ranks without MPI: `ThreadCollective` runs the collectives between threads of this process, so
/// the rank logic (disjoint shares, the reduce-scatter in share order, gathered negatives, rank 0
/// alone writing) is checked on every machine, mpirun or not.
final class DataParallelismTests: XCTestCase {
    /// MPI_Allgather / MPI_Alltoall between `size` threads: each call waits for every rank.
    final class ThreadCollective: Collective, @unchecked Sendable {
        final class Shared: @unchecked Sendable {
            let condition = NSCondition()
            var slots: [[UInt8]]
            var completed: [[UInt8]] = []
            var arrived = 0, generation = 0
            init(size: Int) { slots = Array(repeating: [], count: size) }
        }
        let rank: Int, size: Int
        let shared: Shared

        init(rank: Int, size: Int, shared: Shared) { (self.rank, self.size, self.shared) = (rank, size, shared) }

        /// Every rank's bytes, rank 0's first.
        func exchange(_ bytes: [UInt8]) -> [[UInt8]] {
            shared.condition.lock()
            defer { shared.condition.unlock() }
            let generation = shared.generation
            shared.slots[rank] = bytes
            shared.arrived += 1
            if shared.arrived == size {
                (shared.completed, shared.arrived, shared.generation) = (shared.slots, 0, generation + 1)
                shared.condition.broadcast()
            } else {
                while shared.generation == generation { shared.condition.wait() }
            }
            return shared.completed
        }

        static func bytes<T: BitwiseCopyable>(_ values: some Collection<T>) -> [UInt8] { Array(values).withUnsafeBytes { Array($0) } }
        static func values<T: BitwiseCopyable>(_ bytes: [UInt8]) -> [T] {
            [T](unsafeUninitializedCapacity: bytes.count / MemoryLayout<T>.stride) { buffer, count in
                bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
                count = bytes.count / MemoryLayout<T>.stride
            }
        }

        func allGather<T: BitwiseCopyable>(_ local: [T]) throws -> [T] { Self.values(exchange(Self.bytes(local)).flatMap { $0 }) }

        func allToAll<T: BitwiseCopyable>(_ sent: [T]) throws -> [T] {
            let n = sent.count / size
            let all = exchange(Self.bytes(sent)).map { Self.values($0) as [T] }
            return (0..<size).flatMap { r in all[r][(rank * n)..<((rank + 1) * n)] }
        }
    }

    func walkFolder() throws -> URL {
        try Fixtures.folder(train: Fixtures.randomWalk(episodes: 8, steps: 10, stateSize: 2, seed: 1),
                            test: Fixtures.randomWalk(episodes: 2, steps: 10, stateSize: 2, seed: 2))
    }

    /// Trains `configuration` on `ranks` threads (ThreadCollective) with `microBatches` each;
    /// returns rank 0's trainer and output folder, and every rank's final weights.
    func trainOnThreads(_ kind: ModelKind, _ configuration: TrainingConfiguration, data: URL, ranks: Int,
                        microBatches: Int) throws -> (trainer: Trainer, out: URL, weights: [[Float]]) {
        let shared = ThreadCollective.Shared(size: ranks)
        let outs = try (0..<ranks).map { _ in try Fixtures.temporaryDirectory() }
        let failures = NSLock()
        var errors: [String] = [], trainers = [Trainer?](repeating: nil, count: ranks)
        // one thread per rank, each making its trainer (init already meets the other ranks) and
        // training it (concurrentPerform may run iterations one after another: a rank waiting in a
        // collective for a rank not yet started would wait forever)
        let done = DispatchSemaphore(value: 0)
        for r in 0..<ranks {
            let thread = Thread {
                do {
                    let trainer = try Trainer(kind: kind, configuration: configuration, dataDirectory: data, outputDirectory: outs[r],
                                              parallelism: DataParallelism(microBatches: microBatches,
                                                                           collective: ThreadCollective(rank: r, size: ranks, shared: shared)))
                    _ = try trainer.run()
                    failures.lock(); trainers[r] = trainer; failures.unlock()
                } catch { failures.lock(); errors.append("rank \(r): \(error)"); failures.unlock() }
                done.signal()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        for _ in 0..<ranks { done.wait() }
        XCTAssertEqual(errors, [])
        let finished = trainers.compactMap { $0 }
        guard finished.count == ranks else { throw TrainingError.collective("ranks failed: \(errors)") }
        return (finished[0], outs[0], finished.map { $0.network.parameters.scalars })
    }

    /// 2 thread ranks = `--micro-batches 2` in one trainer, bit for bit, for DSM, improved CD and
    /// the baseline; 3 ranks × 2 micro-batches (unequal shares of 16 rows) = 6 micro-batches;
    /// every rank ends with the same weights; only rank 0's folder holds files.
    func testRanksOnThreadsMatchMicroBatches() throws {
        let data = try walkFolder()
        var cd = TrainerTests.smallConfiguration()
        (cd.improved.klWeight, cd.improved.entropyWeight, cd.optimization.steps) = (1, 0.1, 12)
        var dsm = TrainerTests.smallConfiguration()
        (dsm.optimization.objective, dsm.optimization.steps, dsm.denoising.basisSize) = (.dsm, 12, 3)
        var ff = TrainerTests.smallConfiguration()
        ff.optimization.steps = 12
        for (name, kind, configuration) in [("cd", ModelKind.ebm, cd), ("dsm", .ebm, dsm), ("ff", .feedforward, ff)] {
            for (ranks, micro) in [(2, 1), (3, 2)] {
                let single = try Trainer(kind: kind, configuration: configuration, dataDirectory: data, outputDirectory: try Fixtures.temporaryDirectory(),
                                         parallelism: DataParallelism(microBatches: ranks * micro, collective: nil))
                XCTAssertEqual(try single.run(), .finished)
                let (trainer, out, weights) = try trainOnThreads(kind, configuration, data: data, ranks: ranks, microBatches: micro)
                XCTAssertEqual(trainer.step, configuration.optimization.steps)
                for (r, w) in weights.enumerated() {
                    XCTAssertTrue(w == single.network.parameters.scalars, "\(name) \(ranks)×\(micro): rank \(r) differs from \(ranks * micro) micro-batches")
                }
                XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("model.safetensors").path))
            }
        }
    }

    /// The plain run is one share; two shares change the float sums only (tolerance), and a
    /// split into more shares than batch rows is refused.
    func testSharesAgreeWithThePlainRunAndAreValidated() throws {
        let data = try walkFolder()
        var c = TrainerTests.smallConfiguration()
        c.optimization.steps = 12
        let plain = try Trainer(kind: .feedforward, configuration: c, dataDirectory: data, outputDirectory: try Fixtures.temporaryDirectory())
        let split = try Trainer(kind: .feedforward, configuration: c, dataDirectory: data, outputDirectory: try Fixtures.temporaryDirectory(),
                                parallelism: DataParallelism(microBatches: 4, collective: nil))
        _ = try plain.run(); _ = try split.run()
        let (a, b) = (plain.network.parameters.scalars, split.network.parameters.scalars)
        let largest = a.map { abs($0) }.max()!
        XCTAssertLessThanOrEqual(zip(a, b).map { abs($0 - $1) }.max()! / largest, 1e-5)
        XCTAssertThrowsError(try Trainer(kind: .feedforward, configuration: c, dataDirectory: data, outputDirectory: try Fixtures.temporaryDirectory(),
                                         parallelism: DataParallelism(microBatches: 17, collective: nil))) {
            XCTAssertTrue("\($0)".contains("more than optimization.batchSize 16"), "\($0)")
        }
    }

    /// Shares tile the batch: contiguous, disjoint, sizes differing by at most one row.
    func testSharesTileTheBatch() {
        for micro in [1, 3, 6, 16] {
            for batch in [16, 17, 256] {
                let p = DataParallelism(microBatches: micro, collective: nil)
                let ranges = (0..<micro).map { p.rows(ofShare: $0, batch: batch) }
                XCTAssertEqual(p.shares, micro)
                XCTAssertEqual(ranges.first?.lowerBound, 0)
                XCTAssertEqual(ranges.last?.upperBound, batch)
                XCTAssertTrue(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                XCTAssertLessThanOrEqual(ranges.map(\.count).max()! - ranges.map(\.count).min()!, 1)
            }
        }
    }
}
