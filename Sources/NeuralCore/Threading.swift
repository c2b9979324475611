// Threading: how a model call uses the cores: OpenBLAS threads inside each gemm, or the batch
// split into row blocks that run the whole network concurrently.

import Foundation

/// How a model call uses several cores.
public enum Threading: Sendable, Equatable {
    /// One thread for everything.
    case single
    /// OpenBLAS runs each gemm on `threads` threads; pointwise passes stay on one.
    case blas(threads: Int)
    /// Rows are split into `threads` blocks, each running the whole network (one-threaded
    /// gemms) on its own core; parameter gradients are summed at the end.
    case batchSplit(threads: Int)
    /// The measured best for the batch size on all cores (see `resolved(batch:)`).
    case automatic

    /// Cores available to this process, read once: Foundation's activeProcessorCount reads the
    /// cgroup's CPU quota and cpuset files on every call, which was 3 % of an arm7 replan (a
    /// network call resolves `.automatic` each time).
    public static let availableCores: Int = ProcessInfo.processInfo.activeProcessorCount

    /// The measured best way to use `threads` cores on `batch` rows.
    public static func automatic(threads: Int, batch: Int) -> Threading {
        let workers = min(threads, batch / 32)
        return workers >= 2 ? .batchSplit(threads: workers) : .single
    }

    /// The concrete choice for a batch of `batch` rows.
    ///
    /// `.automatic` follows `ebm bench nn` on the reference energy network (2-core AMD EPYC,
    /// OpenBLAS 0.3.21, see benchmarks/README.md): splitting the batch wins at both 128 and
    /// 1024 rows, because one-threaded gemms on half the rows keep the pointwise passes parallel
    /// too and avoid OpenBLAS's per-call thread wake-up (re-measured with the AVX-512 gemm, which
    /// only the split uses: it wins by more). Below 32 rows per core a split costs more than it
    /// saves, so small batches run on one thread.
    public func resolved(batch: Int) -> Threading {
        switch self {
        case .automatic:
            return Threading.automatic(threads: Threading.availableCores, batch: batch)
        case .blas(let threads) where threads <= 1, .batchSplit(let threads) where threads <= 1:
            return .single
        default:
            return self
        }
    }
}

extension Sequential {
    /// Runs `body(rows, worker)` over the batch as `threading` decides: once on all rows, or
    /// concurrently on disjoint row blocks (worker 0 gets the first).
    func forEachRowBlock(batch: Int, _ body: (Range<Int>, Int) -> Void) {
        // Measured: running large batches as sequential 128-row blocks (to stay in L2) was not
        // faster with OpenBLAS 0.3.21 here, so one thread takes the whole batch in one pass.
        switch threading.resolved(batch: batch) {
        case .single, .automatic:
            BLASThreads.set(1)
            body(0..<batch, 0)
        case .blas(let threads):
            BLASThreads.set(threads)
            body(0..<batch, 0)
        case .batchSplit(let threads):
            BLASThreads.set(1)
            let blocks = Sequential.rowBlocks(batch: batch, count: threads)
            DispatchQueue.concurrentPerform(iterations: blocks.count) { worker in body(blocks[worker], worker) }
        }
    }

    /// `count` contiguous row blocks covering 0..<batch, sizes multiples of 8 where possible.
    static func rowBlocks(batch: Int, count: Int) -> [Range<Int>] {
        let count = max(1, min(count, batch))
        let blockSize = ((batch + count - 1) / count + 7) / 8 * 8
        var blocks: [Range<Int>] = []
        var start = 0
        while start < batch {
            blocks.append(start ..< min(batch, start + blockSize))
            start += blockSize
        }
        return blocks
    }
}
