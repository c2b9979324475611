// BLAS: the one place NeuralCore calls OpenBLAS. Every dense product goes through `gemm`.

import CBLAS
import CNeuralKernels
import Foundation

/// Row-major C = alpha · op(A) · op(B) + beta · C.
///
/// op(A): (m, k), op(B): (k, n), C: (m, n); leading dimensions are row strides in scalars.
/// On one thread, products of at least 8 rows and 16 columns go to `GEMMKernel.current` (the
/// AVX-512 kernel of CNeuralKernels, oneDNN or OpenBLAS); everything else to `cblas_sgemm`.
@inline(__always)
func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
          alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
          b: UnsafePointer<Float>, ldb: Int,
          beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    guard m > 0, n > 0 else { return }
    let kernel = m >= 8 && n >= 16 && BLASThreads.count == 1 ? GEMMKernel.current : .openblas
    sgemm(kernel, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
          b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
}

/// Row-major C = alpha · op(A) · op(B) + beta · C by `kernel` itself (on any shape; the AVX-512
/// kernel and oneDNN on the calling thread, OpenBLAS on `BLASThreads.count`). The kernel must be
/// in `GEMMKernel.available`.
@inline(__always)
func sgemm(_ kernel: GEMMKernel, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
           alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
           beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    switch kernel {
    case .avx512:
        nk_sgemm_avx512(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    case .onednn:
        let status = nk_sgemm_onednn(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        precondition(status == 0, "oneDNN sgemm failed with status \(status)")
    case .openblas:
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
                    beta, c, blasint(ldc))
    }
}

/// The code that multiplies matrices on one thread (OpenBLAS always runs multi-threaded calls).
/// Each kernel is deterministic: the same inputs give the same bits on every call.
///
/// OpenBLAS picks its kernels per CPU family (by vendor and model, so it may miss a new CPU:
/// Debian's 0.3.21 runs SSE3 code on some AVX-512 Xeons, AVX2 code on AMD Zen 5); oneDNN and the
/// AVX-512 kernel of CNeuralKernels choose from the CPU's feature flags. Measured side by side in
/// `benchmarks/README.md` ("Matrix-product libraries", Zen 4): with AVX-512 the package's kernel
/// and oneDNN both run the network's products near the core's peak, each ahead on some shapes by
/// a few percent, so the default stays the AVX-512 kernel where the CPU has it (results as before);
/// on a real AVX2-only core (Zen 3) oneDNN leads on the NT/NN products and OpenBLAS on the TN
/// ones (the network ahead with oneDNN at batch 1024, training mixed), so without AVX-512 the
/// default stays OpenBLAS until a per-product choice is measured. Only the AVX-512 kernel computes
/// a row independently of the batch's size; OpenBLAS and oneDNN move its last bits with it.
/// oneDNN is there to be chosen (`EBM_GEMM=onednn`, `ebm bench nn --gemm onednn`).
public enum GEMMKernel: String, Sendable, CaseIterable {
    case openblas
    case avx512
    /// oneDNN's dnnl_sgemm (Debian libdnnl-dev), loaded at run time where installed.
    case onednn

    /// The kernel in use: `defaultKernel`, or what the environment variable `EBM_GEMM`
    /// (openblas, avx512, onednn) names where it runs here. Settable (benchmarks and tests compare
    /// kernels); not synchronised: set it before work starts.
    nonisolated(unsafe) public static var current: GEMMKernel = defaultKernel

    /// What `current` starts as: `choose(requested: EBM_GEMM, …)` on this machine.
    public static let defaultKernel: GEMMKernel =
        choose(requested: ProcessInfo.processInfo.environment["EBM_GEMM"], avx512: availableOnThisCPU, onednn: onednnLoaded)

    /// The kernel named by `requested` (openblas, avx512, onednn) where it runs, else the one
    /// chosen from the CPU's features: the AVX-512 kernel where the CPU has AVX-512 F/VL/BW/DQ,
    /// else OpenBLAS.
    public static func choose(requested: String?, avx512: Bool, onednn: Bool) -> GEMMKernel {
        switch requested.flatMap(GEMMKernel.init(rawValue:)) {
        case .openblas?: return .openblas
        case .avx512? where avx512: return .avx512
        case .onednn? where onednn: return .onednn
        default: return avx512 ? .avx512 : .openblas
        }
    }

    /// Whether this CPU runs the AVX-512 kernel.
    public static let availableOnThisCPU: Bool = nk_has_avx512() != 0

    /// Whether oneDNN's library was found (dlopen of libdnnl.so.3 / .2).
    public static let onednnLoaded: Bool = nk_has_onednn() != 0

    /// Whether this kernel runs on this machine.
    public var isAvailable: Bool {
        switch self {
        case .openblas: return true
        case .avx512: return Self.availableOnThisCPU
        case .onednn: return Self.onednnLoaded
        }
    }

    /// The kernels that run on this machine, in declaration order.
    public static var available: [GEMMKernel] { allCases.filter(\.isAvailable) }

    /// Why `kernels` cannot be chosen here, naming the first that does not run and those that do
    /// ("--gemm onednn: not available here (available: openblas, avx512)"); nil when all run.
    public static func unavailability(of kernels: [GEMMKernel], option: String = "--gemm") -> String? {
        kernels.first { !$0.isAvailable }.map { "\(option) \($0.rawValue): not available here (available: \(available.map(\.rawValue).joined(separator: ", ")))" }
    }
}

/// Which of OpenBLAS's kernel sets runs its products.
public enum BLASCore {
    /// OpenBLAS's name for the kernels it chose at load time, e.g. "Haswell" or "SkylakeX"
    /// (the environment variable OPENBLAS_CORETYPE overrides its choice).
    public static var name: String { String(cString: openblas_get_corename()) }
}

/// The number of threads OpenBLAS uses inside one call (a process-wide setting).
public enum BLASThreads {
    nonisolated(unsafe) private static var current: Int = -1

    /// Threads OpenBLAS uses for each call.
    public static var count: Int {
        if current < 0 { current = Int(openblas_get_num_threads()) }
        return current
    }

    /// Sets the threads OpenBLAS uses for each call; a no-op when unchanged.
    public static func set(_ threads: Int) {
        let threads = max(1, threads)
        if threads != count {
            openblas_set_num_threads(Int32(threads))
            current = threads
        }
    }

    /// Cores OpenBLAS found at start-up (its default thread count).
    public static let available: Int = Int(openblas_get_num_procs())
}

// MARK: - Measured gemm rate

/// Measurements of the BLAS itself, the yardstick for model speed.
public enum BLASBenchmark {
    /// GFLOP/s of `kernel` for C (m, n) = op(A) · op(B) (op(A): m × k, op(B): k × n, transposed where
    /// asked) on `BLASThreads.count` threads, the best of `repetitions` timed windows of about
    /// `seconds` each (one gemm is 2·m·n·k floating-point operations). OpenBLAS threads itself; the
    /// one-thread kernels get the rows split evenly over the threads. `clock` returns seconds
    /// (wall clock by default).
    public static func sgemmGFLOPS(m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false,
                                   kernel: GEMMKernel = .openblas, seconds: Double = 0.2, repetitions: Int = 3,
                                   clock: () -> Double = wallClockSeconds) -> Double {
        precondition(kernel.isAvailable, "the \(kernel.rawValue) kernel does not run on this machine")
        let threads = BLASThreads.count
        var a = [Float](repeating: 0, count: m * k), b = [Float](repeating: 0, count: k * n)
        var generator = SeededGenerator(seed: 1)
        for i in a.indices { a[i] = generator.nextUniform(-1, 1) }
        for i in b.indices { b[i] = generator.nextUniform(-1, 1) }
        var c = [Float](repeating: 0, count: m * n)
        // Row strides: A is stored (m, k), or (k, m) when transposed; B (k, n), or (n, k).
        let lda = transposeA ? m : k, ldb = transposeB ? k : n
        func multiply() {
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        let (a, b, c) = (a.baseAddress!, b.baseAddress!, c.baseAddress!)
                        guard kernel != .openblas else {
                            return sgemm(.openblas, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                         alpha: 1, a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: c, ldc: n)
                        }
                        DispatchQueue.concurrentPerform(iterations: threads) { part in
                            let rows = m * part / threads..<m * (part + 1) / threads
                            guard !rows.isEmpty else { return }
                            sgemm(kernel, transposeA: transposeA, transposeB: transposeB, m: rows.count, n: n, k: k,
                                  alpha: 1, a: a + rows.lowerBound * (transposeA ? 1 : lda), lda: lda, b: b, ldb: ldb,
                                  beta: 0, c: c + rows.lowerBound * n, ldc: n)
                        }
                    }
                }
            }
        }
        multiply()  // warm-up: page faults, thread start
        let calls = NetworkBenchmark.bestCallsPerSecond(windows: repetitions, window: seconds, clock: clock, multiply)
        return 2 * Double(m) * Double(n) * Double(k) * calls * 1e-9
    }

    /// `sgemmGFLOPS` of every kernel in `kernels` (default: all that run here), keyed by its name.
    public static func sgemmGFLOPSPerKernel(m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false,
                                            kernels: [GEMMKernel] = GEMMKernel.available,
                                            clock: () -> Double = wallClockSeconds) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: kernels.map {
            ($0.rawValue, sgemmGFLOPS(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, kernel: $0, clock: clock))
        })
    }
}

/// Seconds on a monotonic wall clock.
public func wallClockSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

/// Seconds of CPU time used by this process (all threads); on a shared machine this excludes
/// time other processes hold the core, so it measures one-thread work more stably.
public func processCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}
