// BLAS: the one place NeuralCore calls OpenBLAS. Every dense product goes through `gemm`.

import CBLAS
import Foundation

/// Row-major C = alpha · op(A) · op(B) + beta · C through `cblas_sgemm`.
///
/// op(A): (m, k), op(B): (k, n), C: (m, n); leading dimensions are row strides in scalars.
@inline(__always)
func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
          alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
          b: UnsafePointer<Float>, ldb: Int,
          beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    guard m > 0, n > 0 else { return }
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
                beta, c, blasint(ldc))
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
    /// GFLOP/s of `cblas_sgemm` for C (m, n) = A (m, k) · B (k, n) on the current
    /// `BLASThreads.count`, the best of `repetitions` timed windows of about `seconds` each
    /// (one gemm is 2·m·n·k floating-point operations). `clock` returns seconds (wall clock by
    /// default).
    public static func sgemmGFLOPS(m: Int, n: Int, k: Int, seconds: Double = 0.2, repetitions: Int = 3,
                                   clock: () -> Double = wallClockSeconds) -> Double {
        var a = [Float](repeating: 0, count: m * k), b = [Float](repeating: 0, count: k * n)
        var generator = SeededGenerator(seed: 1)
        for i in a.indices { a[i] = generator.nextUniform(-1, 1) }
        for i in b.indices { b[i] = generator.nextUniform(-1, 1) }
        var c = [Float](repeating: 0, count: m * n)
        func multiply() {
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, a: a.baseAddress!, lda: k,
                             b: b.baseAddress!, ldb: n, beta: 0, c: c.baseAddress!, ldc: n)
                    }
                }
            }
        }
        multiply()  // warm-up: page faults, thread start
        var best = 0.0
        for _ in 0..<repetitions {
            var calls = 0
            let start = clock()
            var elapsed = 0.0
            repeat {
                multiply()
                calls += 1
                elapsed = clock() - start
            } while elapsed < seconds
            best = max(best, 2 * Double(m) * Double(n) * Double(k) * Double(calls) / elapsed * 1e-9)
        }
        return best
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
