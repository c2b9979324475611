// DataParallelism: how one training step's global batch is split into shares (micro-batches in
// this process, times MPI ranks) and how the shares' gradients meet: gathered, then summed in
// share order, so the result never depends on message timing or on which process computed what.

import CCollective
import Foundation

/// Processes training one model together, and the two collectives data-parallel training needs
/// (MPI_Allgather and MPI_Alltoall over bytes).
public protocol Collective: AnyObject {
    /// This process's index, 0..<size.
    var rank: Int { get }
    /// Processes in the group.
    var size: Int { get }
    /// Every rank's `local` (the same count on every rank), rank 0's first. Shape (size × local.count).
    func allGather<T: BitwiseCopyable>(_ local: [T]) throws -> [T]
    /// `sent` (size × n): block q goes to rank q; returns (size × n): block r came from rank r.
    func allToAll<T: BitwiseCopyable>(_ sent: [T]) throws -> [T]
}

/// The world of an MPI launch (`mpirun -np N`, `srun`), through CCollective.
public final class MPICollective: Collective {
    public let rank: Int
    public let size: Int

    /// True when this build links MPI (pkg-config found `ompi-c` when it was built).
    public static var isAvailable: Bool { coll_isAvailable() != 0 }
    /// True when an MPI launcher started this process (its environment says so).
    public static var isLaunchedByMPI: Bool { coll_isLaunchedByMPI() != 0 }

    /// The world of this process when an MPI launcher started it, else nil (one process).
    /// - Throws: `TrainingError` when a launcher started several ranks of an ebm built without MPI
    ///   (each would train alone and write the same folder), or MPI_Init fails.
    public static func launched() throws -> MPICollective? {
        guard isLaunchedByMPI else { return nil }
        guard isAvailable else {
            let environment = ProcessInfo.processInfo.environment
            let size = environment["OMPI_COMM_WORLD_SIZE"] ?? environment["PMI_SIZE"] ?? "?"
            guard size == "1" else {
                throw TrainingError.collective("started by an MPI launcher (\(size) ranks), but this build has no MPI: "
                                    + "install libopenmpi-dev (scripts/install-deps.sh) and rebuild, or run one process")
            }
            return nil
        }
        return try MPICollective()
    }

    /// Initialises MPI (once per process).
    /// - Throws: `TrainingError` when this build has no MPI or MPI_Init fails.
    public init() throws {
        var (rank, size) = (Int32(0), Int32(0))
        var message = [CChar](repeating: 0, count: 512)
        let status = coll_initialize(&rank, &size, &message, message.count)
        guard status == COLL_OK else { throw TrainingError.collective("MPI: " + String(cString: message)) }
        (self.rank, self.size) = (Int(rank), Int(size))
    }

    public func allGather<T: BitwiseCopyable>(_ local: [T]) throws -> [T] {
        try exchange(local, received: local.count * size) { coll_allGather($0, $1, $2, $3, $4) }
    }

    public func allToAll<T: BitwiseCopyable>(_ sent: [T]) throws -> [T] {
        precondition(sent.count % size == 0, "MPICollective.allToAll: \(sent.count) values for \(size) ranks")
        return try exchange(sent, received: sent.count) { sent, bytes, received, message, capacity in
            coll_allToAll(sent, bytes / size, received, message, capacity)
        }
    }

    /// Calls `call(sent, sentBytes, received, message, capacity)` into a new array of `received` values.
    private func exchange<T: BitwiseCopyable>(_ sent: [T], received count: Int,
                                              _ call: (UnsafeRawPointer?, Int, UnsafeMutableRawPointer?, UnsafeMutablePointer<CChar>, Int) -> Int32) throws -> [T] {
        var message = [CChar](repeating: 0, count: 512)
        var status = COLL_OK
        let received = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            sent.withUnsafeBytes { bytes in
                message.withUnsafeMutableBufferPointer { m in
                    status = call(bytes.baseAddress, bytes.count, UnsafeMutableRawPointer(buffer.baseAddress), m.baseAddress!, m.count)
                }
            }
            initialized = count
        }
        guard status == COLL_OK else { throw TrainingError.collective("MPI rank \(rank) of \(size): " + String(cString: message)) }
        return received
    }

    /// Ends every rank of the job with exit status `code` (MPI_Abort): what a rank that failed must
    /// do, since the others may be waiting for it in a collective.
    public func abort(code: Int32) -> Never {
        coll_abort(code)
        fatalError("MPI_Abort returned")
    }

    /// Seconds on MPI's clock (MPI_Wtime), or the monotonic clock in a build without MPI.
    public static func wallTime() -> Double { coll_wallTime() }
}

/// How each global batch of B rows is split: S = ranks × microBatches contiguous shares, share s
/// holding rows s·B/S ..< (s+1)·B/S; rank r computes shares r·M ..< (r+1)·M one after another.
///
/// Every rank draws the whole batch's random numbers (window choice, noise, chain noise) from the
/// one replicated generator and uses its shares' part, so the draws do not depend on S. Each
/// share's parameter gradient (of the loss normalised by the global B) is kept apart and every
/// element is summed in share order, g = ((g₀ + g₁) + g₂) + …: rank q sums the q-th of N slices
/// of the parameters over all S shares (MPI_Alltoall, a reduce-scatter in a fixed order), then the
/// sums are gathered (MPI_Allgather): about 2·M·P floats through each rank per step at any N, and
/// the same floats on every rank. Hence `mpirun -np N` equals `--micro-batches N` in one process
/// bit for bit, and S = 1 is the plain single-process step.
public struct DataParallelism {
    /// Micro-batches per rank (M ≥ 1).
    public var microBatches: Int
    /// The MPI world, or nil for one process.
    public var collective: (any Collective)?

    /// One process, one share: the plain step.
    public static let single = DataParallelism(microBatches: 1, collective: nil)

    public init(microBatches: Int, collective: (any Collective)?) {
        precondition(microBatches >= 1, "DataParallelism: microBatches must be >= 1")
        (self.microBatches, self.collective) = (microBatches, collective)
    }

    public var rank: Int { collective?.rank ?? 0 }
    public var ranks: Int { collective?.size ?? 1 }
    /// S: shares per global batch.
    public var shares: Int { ranks * microBatches }
    /// The shares this rank computes.
    public var localShares: Range<Int> { (rank * microBatches)..<((rank + 1) * microBatches) }
    /// Rank 0 writes the run folder (config, metrics, checkpoints, model); the others only compute.
    public var isWriter: Bool { rank == 0 }

    /// Rows of share `s` in a batch of `batch` rows.
    public func rows(ofShare s: Int, batch: Int) -> Range<Int> { (s * batch / shares)..<((s + 1) * batch / shares) }

    /// Every share's `local` block in share order, from this rank's blocks (one per local share,
    /// each `count` values; shorter blocks are padded). Shape (S, count).
    func allShares<T: BitwiseCopyable & Numeric>(_ local: [[T]], count: Int) throws -> [T] {
        precondition(local.count == microBatches && local.allSatisfy { $0.count <= count }, "DataParallelism.allShares: blocks")
        var flat = [T](); flat.reserveCapacity(microBatches * count)
        for block in local { flat += block; flat += repeatElement(T.zero, count: count - block.count) }
        guard let collective, collective.size > 1 else { return flat }
        return try collective.allGather(flat)   // rank-major = share order
    }

    /// Σ_s block_s in share order (s = 0, 1, …), each block `count` values of `all` (S × count).
    static func sumInShareOrder<T: FloatingPoint>(_ all: [T], count: Int, into sum: UnsafeMutablePointer<T>) {
        let shares = all.count / max(count, 1)
        all.withUnsafeBufferPointer { a in
            for i in 0..<count { sum[i] = a[i] }
            for s in 1..<max(shares, 1) {
                let block = a.baseAddress! + s * count
                for i in 0..<count { sum[i] += block[i] }
            }
        }
    }
}
