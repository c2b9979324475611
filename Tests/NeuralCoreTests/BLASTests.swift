import CNeuralKernels
@testable import NeuralCore
import XCTest

final class BLASTests: XCTestCase {
    /// The AVX-512 gemm against a Float64 product for every transposition, with row counts that
    /// leave partial register tiles, column counts that leave partial panels (a 16-column remainder
    /// included), K past one 256 chunk, ≥ 512 columns (op(A) = Aᵀ packed), padded leading
    /// dimensions, and alpha/beta. Padding columns of C must stay untouched.
    func testAVX512KernelMatchesAFloat64Product() throws {
        try XCTSkipUnless(GEMMKernel.availableOnThisCPU, "this CPU has no AVX-512: OpenBLAS runs every product")
        try checkAgainstFloat64Products(.avx512)
    }

    /// oneDNN (where libdnnl is installed) against the same Float64 products.
    func testOneDNNMatchesAFloat64Product() throws {
        try XCTSkipUnless(GEMMKernel.onednnLoaded, "oneDNN (libdnnl) is not installed")
        try checkAgainstFloat64Products(.onednn)
    }

    private func checkAgainstFloat64Products(_ kernel: GEMMKernel) throws {
        var generator = SeededGenerator(seed: 11)
        let shapes = [(m: 128, n: 256, k: 80), (m: 13, n: 45, k: 300), (m: 8, n: 16, k: 1), (m: 37, n: 33, k: 513),
                      (m: 1, n: 5, k: 7), (m: 19, n: 80, k: 40), (m: 11, n: 520, k: 270)]
        for (m, n, k) in shapes {
            for transposeA in [false, true] {
                for transposeB in [false, true] {
                    for (alpha, beta) in [(Float(1), Float(0)), (Float(0.5), Float(1)), (Float(-2), Float(0.25))] {
                        let lda = (transposeA ? m : k) + 3, ldb = (transposeB ? k : n) + 2, ldc = n + 5
                        let a = (0..<(transposeA ? k : m) * lda).map { _ in generator.nextUniform(-1, 1) }
                        let b = (0..<(transposeB ? n : k) * ldb).map { _ in generator.nextUniform(-1, 1) }
                        let initial = (0..<m * ldc).map { _ in generator.nextUniform(-1, 1) }
                        var c = initial
                        if beta == 0 { for i in 0..<m { for j in 0..<n { c[i * ldc + j] = .nan } } }  // must not be read
                        c.withUnsafeMutableBufferPointer { c in
                            sgemm(kernel, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                  a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c.baseAddress!, ldc: ldc)
                        }
                        for i in 0..<m {
                            for j in 0..<ldc {
                                guard j < n else {
                                    XCTAssertEqual(c[i * ldc + j], initial[i * ldc + j], "padding column \(j) written")
                                    continue
                                }
                                var sum = 0.0, magnitude = 0.0
                                for p in 0..<k {
                                    let x = Double(transposeA ? a[p * lda + i] : a[i * lda + p])
                                    let y = Double(transposeB ? b[j * ldb + p] : b[p * ldb + j])
                                    sum += x * y
                                    magnitude += abs(x * y)
                                }
                                let expected = Double(alpha) * sum + Double(beta) * Double(initial[i * ldc + j])
                                // Float32 accumulation over k terms: error ≤ k·ε·Σ|x·y| (Higham, Thm 3.5)
                                let tolerance = Double(k + 2) * Double(Float.ulpOfOne) * (abs(Double(alpha)) * magnitude + 1)
                                XCTAssertEqual(Double(c[i * ldc + j]), expected, accuracy: tolerance,
                                               "\(kernel) (\(m), \(n), \(k)) tA \(transposeA) tB \(transposeB) at (\(i), \(j))")
                            }
                        }
                    }
                }
            }
        }
    }

    /// With k = 0 the product is empty: C = beta · C, and beta = 0 clears it.
    func testAVX512KernelWithEmptyInnerDimensionScalesC() throws {
        try XCTSkipUnless(GEMMKernel.availableOnThisCPU, "this CPU has no AVX-512")
        var c: [Float] = [1, 2, 3, 4]
        let none: [Float] = [0]
        nk_sgemm_avx512(0, 0, 2, 2, 0, 1, none, 1, none, 2, 0.5, &c, 2)
        XCTAssertEqual(c, [0.5, 1, 1.5, 2])
        nk_sgemm_avx512(0, 0, 2, 2, 0, 1, none, 1, none, 2, 0, &c, 2)
        XCTAssertEqual(c, [0, 0, 0, 0])
    }

    /// Every kernel that runs here is deterministic on the network's products and on 1024-row
    /// products of 512-wide layers (packed path): the same inputs give the same bits on a repeated call.
    func testEveryKernelRepeatsItsProductsBitForBit() {
        var generator = SeededGenerator(seed: 5)
        for (m, n, k, transposeA, transposeB) in [(128, 256, 80, false, true), (128, 80, 256, false, false),
                                                  (256, 80, 128, true, false), (512, 512, 300, true, false)] {
            let a = (0..<m * k).map { _ in generator.nextUniform(-1, 1) }, b = (0..<k * n).map { _ in generator.nextUniform(-1, 1) }
            for kernel in GEMMKernel.available {
                var results: [[Float]] = []
                for _ in 0..<2 {
                    var c = [Float](repeating: 0, count: m * n)
                    c.withUnsafeMutableBufferPointer { c in
                        sgemm(kernel, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1, a: a,
                              lda: transposeA ? m : k, b: b, ldb: transposeB ? k : n, beta: 0, c: c.baseAddress!, ldc: n)
                    }
                    results.append(c)
                }
                XCTAssertEqual(results[0], results[1], "\(kernel) (\(m), \(n), \(k)) is not deterministic")
                XCTAssertTrue(results[0].contains { $0 != 0 }, "\(kernel) wrote nothing")
            }
        }
    }

    /// EBM_GEMM names a kernel where it runs; otherwise the CPU's features choose: AVX-512, else
    /// OpenBLAS (oneDNN only on request).
    func testKernelChoiceFollowsTheRequestAndTheMachine() {
        XCTAssertEqual(GEMMKernel.choose(requested: nil, avx512: true, onednn: true), .avx512)
        XCTAssertEqual(GEMMKernel.choose(requested: nil, avx512: false, onednn: true), .openblas)
        XCTAssertEqual(GEMMKernel.choose(requested: nil, avx512: false, onednn: false), .openblas)
        XCTAssertEqual(GEMMKernel.choose(requested: "openblas", avx512: true, onednn: true), .openblas)
        XCTAssertEqual(GEMMKernel.choose(requested: "onednn", avx512: true, onednn: true), .onednn)
        XCTAssertEqual(GEMMKernel.choose(requested: "onednn", avx512: true, onednn: false), .avx512, "not installed")
        XCTAssertEqual(GEMMKernel.choose(requested: "avx512", avx512: false, onednn: false), .openblas, "no AVX-512")
        XCTAssertEqual(GEMMKernel.choose(requested: "mkl", avx512: false, onednn: true), .openblas, "unknown name")
        XCTAssertEqual(GEMMKernel.choose(requested: "onednn", avx512: false, onednn: true), .onednn)
        XCTAssertEqual(GEMMKernel.available.first, .openblas)
        XCTAssertTrue(GEMMKernel.current.isAvailable)
        // what `--gemm` refuses: the first kernel that does not run here, and those that do
        XCTAssertNil(GEMMKernel.unavailability(of: GEMMKernel.available))
        XCTAssertNil(GEMMKernel.unavailability(of: []))
        let names = GEMMKernel.available.map(\.rawValue).joined(separator: ", ")
        for kernel in GEMMKernel.allCases where !kernel.isAvailable {
            XCTAssertEqual(GEMMKernel.unavailability(of: [.openblas, kernel]), "--gemm \(kernel.rawValue): not available here (available: \(names))")
        }
    }

    /// The reference network gives the same energies and input gradients on every kernel that runs
    /// here (to Float32 rounding), and each kernel is deterministic.
    func testEveryKernelAgreesOnANetwork() throws {
        try XCTSkipUnless(GEMMKernel.available.count > 1, "only OpenBLAS runs here")
        let saved = GEMMKernel.current
        defer { GEMMKernel.current = saved }
        var generator = SeededGenerator(seed: 3)
        let network = Sequential([Linear(inputWidth: 80, outputWidth: 256), SiLU(width: 256),
                                  Linear(inputWidth: 256, outputWidth: 256), SiLU(width: 256),
                                  Linear(inputWidth: 256, outputWidth: 1)], seed: 3)
        let input = Tensor(shape: [64, 80], scalars: (0..<64 * 80).map { _ in generator.nextUniform(-1, 1) })
        var results: [GEMMKernel: ([Float], [Float])] = [:]
        for kernel in GEMMKernel.available {
            GEMMKernel.current = kernel
            let first = network.energyAndInputGradient(input)
            let second = network.energyAndInputGradient(input)
            XCTAssertEqual(first.energies, second.energies, "\(kernel) is not deterministic")
            XCTAssertEqual(first.inputGradient.scalars, second.inputGradient.scalars, "\(kernel) is not deterministic")
            results[kernel] = (first.energies, first.inputGradient.scalars)
        }
        let (energyB, gradientB) = results[.openblas]!
        let scale = gradientB.map(abs).max()!
        for (kernel, (energyA, gradientA)) in results where kernel != .openblas {
            for i in energyA.indices { XCTAssertEqual(energyA[i], energyB[i], accuracy: 1e-4 * max(1, abs(energyB[i])), "\(kernel)") }
            for i in gradientA.indices { XCTAssertEqual(gradientA[i], gradientB[i], accuracy: 1e-4 * scale, "\(kernel)") }
        }
    }
}
