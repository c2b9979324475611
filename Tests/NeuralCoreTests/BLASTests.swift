import CNeuralKernels
@testable import NeuralCore
import XCTest

final class BLASTests: XCTestCase {
    /// The AVX-512 gemm against a Float64 product for every transposition, with row counts that
    /// leave partial register tiles, column counts that leave partial panels, K past one 256 chunk,
    /// padded leading dimensions, and alpha/beta. Padding columns of C must stay untouched.
    func testAVX512KernelMatchesAFloat64Product() throws {
        try XCTSkipUnless(GEMMKernel.availableOnThisCPU, "this CPU has no AVX-512: OpenBLAS runs every product")
        var generator = SeededGenerator(seed: 11)
        let shapes = [(m: 128, n: 256, k: 80), (m: 13, n: 45, k: 300), (m: 8, n: 16, k: 1), (m: 37, n: 33, k: 513),
                      (m: 1, n: 5, k: 7)]
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
                        nk_sgemm_avx512(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, &c, ldc)
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
                                               "(\(m), \(n), \(k)) tA \(transposeA) tB \(transposeB) at (\(i), \(j))")
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

    /// The reference network gives the same energies and input gradients on both kernels (to
    /// Float32 rounding), and each kernel is deterministic.
    func testBothKernelsAgreeOnANetwork() throws {
        try XCTSkipUnless(GEMMKernel.availableOnThisCPU, "this CPU has no AVX-512")
        let saved = GEMMKernel.current
        defer { GEMMKernel.current = saved }
        var generator = SeededGenerator(seed: 3)
        let network = Sequential([Linear(inputWidth: 80, outputWidth: 256), SiLU(width: 256),
                                  Linear(inputWidth: 256, outputWidth: 256), SiLU(width: 256),
                                  Linear(inputWidth: 256, outputWidth: 1)], seed: 3)
        let input = Tensor(shape: [64, 80], scalars: (0..<64 * 80).map { _ in generator.nextUniform(-1, 1) })
        var results: [GEMMKernel: ([Float], [Float])] = [:]
        for kernel in GEMMKernel.allCases {
            GEMMKernel.current = kernel
            let first = network.energyAndInputGradient(input)
            let second = network.energyAndInputGradient(input)
            XCTAssertEqual(first.energies, second.energies, "\(kernel) is not deterministic")
            XCTAssertEqual(first.inputGradient.scalars, second.inputGradient.scalars, "\(kernel) is not deterministic")
            results[kernel] = (first.energies, first.inputGradient.scalars)
        }
        let (energyA, gradientA) = results[.avx512]!, (energyB, gradientB) = results[.openblas]!
        for i in energyA.indices { XCTAssertEqual(energyA[i], energyB[i], accuracy: 1e-4 * max(1, abs(energyB[i]))) }
        let scale = gradientB.map(abs).max()!
        for i in gradientA.indices { XCTAssertEqual(gradientA[i], gradientB[i], accuracy: 1e-4 * scale) }
    }
}
