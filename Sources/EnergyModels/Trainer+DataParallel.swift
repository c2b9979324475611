// Trainer+DataParallel: one step's shares — run each of this rank's, gather every rank's, and sum
// gradients and partial sums in share order (see `DataParallelism`).

import Foundation
import NeuralCore

extension Trainer {
    /// Runs `body(rows)` for each of this rank's shares of a batch of `batch` rows, the parameter
    /// gradients zeroed before each; `body` adds its share's gradient (of the loss normalised by
    /// the whole batch) and returns `partials` partial sums. Afterwards `network.gradients` holds
    /// Σ_s over all shares of every rank in share order, and the result Σ_s of the partial sums.
    /// One share (the plain step) runs `body` on the whole batch with no copy.
    func reduceShares(batch: Int, partials: Int, _ body: (Range<Int>) throws -> [Double]) throws -> [Double] {
        let p = parallelism
        guard p.shares > 1 else {
            network.zeroGradients()
            return try body(0..<batch)
        }
        let count = network.parameterLayout.count
        var gradients: [Float] = [], sums: [[Double]] = []
        gradients.reserveCapacity(p.microBatches * count)
        for s in p.localShares {
            network.zeroGradients()
            var partial = try body(p.rows(ofShare: s, batch: batch))
            precondition(partial.count == partials, "reduceShares: partial sums")
            // the last number: this rank asked to stop (counted once per rank)
            partial.append(s == p.localShares.lowerBound && stopRequestedHere ? 1 : 0)
            gradients += UnsafeBufferPointer(start: network.gradients.baseAddress, count: count)
            sums.append(partial)
        }
        let start = Date()
        defer { communicationSeconds += Date().timeIntervalSince(start) }
        try sumGradientsInShareOrder(gradients, count: count)
        var total = [Double](repeating: 0, count: partials + 1)
        let allSums = try p.allShares(sums, count: partials + 1)
        total.withUnsafeMutableBufferPointer { DataParallelism.sumInShareOrder(allSums, count: partials + 1, into: $0.baseAddress!) }
        if total[partials] > 0 { stopAgreed = true }
        return Array(total.prefix(partials))
    }

    /// network.gradients ← Σ_s g_s over all S shares in share order, from this rank's M blocks
    /// `local` (M × count). Several ranks: rank q sums slice q of the parameters (MPI_Alltoall
    /// brings it every share's block of that slice, in share order), then MPI_Allgather joins the
    /// slices — the same additions, in the same order, as one process summing all S blocks.
    private func sumGradientsInShareOrder(_ local: [Float], count: Int) throws {
        let p = parallelism, sum = network.gradients.baseAddress
        guard let collective = p.collective, collective.size > 1 else {
            DataParallelism.sumInShareOrder(local, count: count, into: sum)
            return
        }
        let (N, M) = (p.ranks, p.microBatches)
        let slice = (count + N - 1) / N
        // block for rank q: slice q of each local share, padded to `slice`
        var sent = [Float](repeating: 0, count: N * M * slice)
        for q in 0..<N {
            let range = min(q * slice, count)..<min((q + 1) * slice, count)
            for m in 0..<M where !range.isEmpty {
                sent.replaceSubrange(((q * M + m) * slice)..<((q * M + m) * slice + range.count), with: local[(m * count + range.lowerBound)..<(m * count + range.upperBound)])
            }
        }
        let received = try collective.allToAll(sent)   // (N ranks × M shares) × slice: share order
        var mine = [Float](repeating: 0, count: slice)
        mine.withUnsafeMutableBufferPointer { DataParallelism.sumInShareOrder(received, count: slice, into: $0.baseAddress!) }
        let all = try collective.allGather(mine)
        all.withUnsafeBufferPointer { sum.update(from: $0.baseAddress!, count: count) }
    }

    /// Throws unless every rank starts from the same state: step, data size, generator and weights
    /// (ranks given different --data, or node-local --out folders resumed at different steps, would
    /// otherwise train on silently).
    func requireRanksAgree() throws {
        guard let collective = parallelism.collective, collective.size > 1 else { return }
        // FNV-1a over the weights' bits
        var weights: UInt64 = 0xcbf2_9ce4_8422_2325
        for x in UnsafeBufferPointer(start: network.parameters.baseAddress, count: network.parameterLayout.count) {
            weights = (weights ^ UInt64(x.bitPattern)) &* 0x100_0000_01b3
        }
        let mine: [UInt64] = [UInt64(step), UInt64(windows.count), UInt64(train.episodes), generator.state, weights]
        let all = try collective.allGather(mine)
        for r in 0..<collective.size where Array(all[(r * mine.count)..<((r + 1) * mine.count)]) != mine {
            throw TrainingError.collective("rank \(r) starts at step \(all[r * mine.count]) with \(all[r * mine.count + 1]) windows, rank \(collective.rank) at step \(step) "
                                + "with \(windows.count) windows (or their weights differ): give every rank the same --data and one shared --out folder")
        }
    }

    /// Fills every other rank's shares of `rows` (B, width) from those ranks: afterwards every
    /// rank holds the whole batch (the negatives after the chains).
    func gatherRows(_ rows: inout [Float], width: Int) throws {
        let p = parallelism, batch = rows.count / width
        let longest = (batch + p.shares - 1) / p.shares
        let mine = p.localShares.map { s in Array(rows[(p.rows(ofShare: s, batch: batch).lowerBound * width)..<(p.rows(ofShare: s, batch: batch).upperBound * width)]) }
        let start = Date()
        let all = try p.allShares(mine, count: longest * width)
        communicationSeconds += Date().timeIntervalSince(start)
        for s in 0..<p.shares where !p.localShares.contains(s) {
            let r = p.rows(ofShare: s, batch: batch)
            rows.replaceSubrange((r.lowerBound * width)..<(r.upperBound * width), with: all[(s * longest * width)..<((s * longest + r.count) * width)])
        }
    }
}
