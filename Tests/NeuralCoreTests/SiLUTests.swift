import XCTest
@testable import NeuralCore
import CNeuralKernels

final class SiLUTests: XCTestCase {
    func testBackwardMatchesFiniteDifferences() {
        checkGradients(of: SiLU(width: 13), batch: 3, seed: 21) { x, _ in x.map(referenceSiLU) }
    }

    func testLargeInputsStayFinite() {
        let model = Sequential([SiLU(width: 4)])
        let output = model.forward(Tensor(rows: [[-200, -50, 50, 200]]))
        assertClose(output.scalars, [0, 0, 50, 200] as [Double], absolute: 1e-6, relative: 1e-6, "saturation")
    }
}

extension SiLUTests {
    /// The AVX2 + FMA kernel (where this CPU has it) against the Swift reference kernel and
    /// against Float64: a (5, 21) block — two whole groups of eight and a tail of five — with a
    /// bias, over inputs from −100 to 100.
    func testAVX2KernelAgreesWithTheReference() throws {
        try XCTSkipUnless(SiLU.useAVX2, "this CPU has no AVX2 + FMA: the Swift kernel is the only one in use")
        let (rows, columns) = (5, 21)
        var generator = SeededGenerator(seed: 3)
        let source = (0..<(rows * columns)).map { i in i % 7 == 0 ? Float(i - 52) * 2 : 4 * generator.nextGaussian() }
        let bias = (0..<columns).map { _ in generator.nextGaussian() }
        var (fastValues, fastDerivatives) = ([Float](repeating: 0, count: rows * columns), [Float](repeating: 0, count: rows * columns))
        var (values, derivatives) = (fastValues, fastDerivatives)
        nk_silu_avx2(rows, columns, source, columns, bias, &fastValues, columns, &fastDerivatives, columns)
        applyPointwise(SiLUKernel(), rows: rows, columns: columns, source: source, sourceStride: columns, bias: bias,
                       values: &values, valueStride: columns, derivatives: &derivatives, derivativeStride: columns)
        for i in 0..<(rows * columns) {
            let z = Double(source[i]) + Double(bias[i % columns])
            let s = 1 / (1 + exp(-z))
            XCTAssertEqual(Double(fastValues[i]), z * s, accuracy: 1e-6 * max(1, abs(z)), "value at z = \(z)")
            XCTAssertEqual(Double(fastDerivatives[i]), s * (1 + z * (1 - s)), accuracy: 1e-6, "derivative at z = \(z)")
            XCTAssertEqual(fastValues[i], values[i], accuracy: 4 * values[i].ulp + 1e-7, "AVX2 vs Swift value at z = \(z)")
            XCTAssertEqual(fastDerivatives[i], derivatives[i], accuracy: 1e-6, "AVX2 vs Swift derivative at z = \(z)")
        }
    }
}
