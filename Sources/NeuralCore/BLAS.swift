// BLAS: the one place NeuralCore calls OpenBLAS. Every dense product goes through `gemm`.

import CBLAS
import CNeuralKernels
import Foundation

/// Row-major C = alpha · op(A) · op(B) + beta · C.
///
/// op(A): (m, k), op(B): (k, n), C: (m, n); leading dimensions are row strides in scalars.
/// On one thread with `GEMMKernel.current == .avx512`, products of at least 8 rows and 16 columns
/// go to the AVX-512 kernel of CNeuralKernels; everything else to `cblas_sgemm`.
@inline(__always)
func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
          alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
          b: UnsafePointer<Float>, ldb: Int,
          beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    guard m > 0, n > 0 else { return }
    if m >= 8, n >= 16, GEMMKernel.current == .avx512, BLASThreads.count == 1 {
        nk_sgemm_avx512(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        return
    }
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
                beta, c, blasint(ldc))
}

/// The code that multiplies matrices on one thread (OpenBLAS always runs multi-threaded calls).
///
/// OpenBLAS picks its kernels per CPU family; machines may pin it (`OPENBLAS_CORETYPE`), and
/// OpenBLAS 0.3.21 runs its AVX2 kernels on AMD Zen 5. The AVX-512 kernel of CNeuralKernels
/// measures about twice OpenBLAS's Haswell kernels on the reference network's shapes
/// (`benchmarks/README.md`), so it is the default wherever the CPU has AVX-512.
public enum GEMMKernel: String, Sendable, CaseIterable {
    case openblas
    case avx512

    /// The kernel in use: AVX-512 where the CPU has it, unless the environment variable
    /// `EBM_GEMM=openblas` asks for OpenBLAS. Settable (benchmarks and tests compare both);
    /// not synchronised: set it before work starts.
    nonisolated(unsafe) public static var current: GEMMKernel = defaultKernel

    /// What `current` starts as.
    public static let defaultKernel: GEMMKernel = {
        if ProcessInfo.processInfo.environment["EBM_GEMM"] == "openblas" { return .openblas }
        return availableOnThisCPU ? .avx512 : .openblas
    }()

    /// Whether this CPU runs the AVX-512 kernel.
    public static let availableOnThisCPU: Bool = nk_has_avx512() != 0
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
    /// GFLOP/s of `kernel` for C (m, n) = A (m, k) · B (k, n) on `BLASThreads.count` threads,
    /// the best of `repetitions` timed windows of about `seconds` each (one gemm is 2·m·n·k
    /// floating-point operations). OpenBLAS threads itself; the AVX-512 kernel, one-threaded,
    /// gets the rows split evenly over the threads. `clock` returns seconds (wall clock by default).
    public static func sgemmGFLOPS(m: Int, n: Int, k: Int, kernel: GEMMKernel = .openblas,
                                   seconds: Double = 0.2, repetitions: Int = 3,
                                   clock: () -> Double = wallClockSeconds) -> Double {
        precondition(kernel == .openblas || GEMMKernel.availableOnThisCPU, "this CPU has no AVX-512")
        let threads = BLASThreads.count
        var a = [Float](repeating: 0, count: m * k), b = [Float](repeating: 0, count: k * n)
        var generator = SeededGenerator(seed: 1)
        for i in a.indices { a[i] = generator.nextUniform(-1, 1) }
        for i in b.indices { b[i] = generator.nextUniform(-1, 1) }
        var c = [Float](repeating: 0, count: m * n)
        func multiply() {
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        let (a, b, c) = (a.baseAddress!, b.baseAddress!, c.baseAddress!)
                        switch kernel {
                        case .openblas:
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(m), blasint(n), blasint(k),
                                        1, a, blasint(k), b, blasint(n), 0, c, blasint(n))
                        case .avx512:
                            DispatchQueue.concurrentPerform(iterations: threads) { part in
                                let rows = m * part / threads..<m * (part + 1) / threads
                                nk_sgemm_avx512(0, 0, rows.count, n, k, 1, a + rows.lowerBound * k, k, b, n,
                                                0, c + rows.lowerBound * n, n)
                            }
                        }
                    }
                }
            }
        }
        multiply()  // warm-up: page faults, thread start
        let calls = NetworkBenchmark.bestCallsPerSecond(windows: repetitions, window: seconds, clock: clock, multiply)
        return 2 * Double(m) * Double(n) * Double(k) * calls * 1e-9
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
