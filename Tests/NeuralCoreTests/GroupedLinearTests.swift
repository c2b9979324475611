import XCTest
@testable import NeuralCore

/// The ensemble layers: each group is an independent Linear, and the mean averages the groups.
final class GroupedLinearTests: XCTestCase {
    func testBackwardMatchesFiniteDifferences() {
        let (batch, groups, inputWidth, outputWidth) = (3, 3, 4, 2)
        checkGradients(of: GroupedLinear(groups: groups, inputWidth: inputWidth, outputWidth: outputWidth), batch: batch, seed: 12) { x, p in
            let block = outputWidth * inputWidth
            var y = [Double](repeating: 0, count: batch * groups * outputWidth)
            for g in 0..<groups {
                var xg: [Double] = []
                for b in 0..<batch {
                    let first: Int = (b * groups + g) * inputWidth
                    xg += x[first..<(first + inputWidth)]
                }
                let biasStart: Int = groups * block + g * outputWidth
                let yg = referenceLinear(xg[...], batch: batch, inputWidth: inputWidth, outputWidth: outputWidth,
                                         weight: p[(g * block)..<((g + 1) * block)], bias: p[biasStart..<(biasStart + outputWidth)])
                for b in 0..<batch { for j in 0..<outputWidth { y[(b * groups + g) * outputWidth + j] = yg[b * outputWidth + j] } }
            }
            return y
        }
    }

    func testGroupMeanBackwardMatchesFiniteDifferences() {
        checkGradients(of: GroupMean(groups: 4, width: 3), batch: 2, seed: 13) { x, _ in
            var y = [Double](repeating: 0, count: 6)
            for b in 0..<2 { for j in 0..<3 { for g in 0..<4 { y[b * 3 + j] += x[b * 12 + g * 3 + j] / 4 } } }
            return y
        }
    }

    /// An ensemble of two MLPs (shared first layer split in column blocks) is the mean of the two
    /// MLPs built from its blocks, and its input gradient is the mean of theirs.
    func testEnsembleIsTheMeanOfItsMembers() {
        let (n, h, M) = (5, 6, 2)
        let ensemble = Sequential([Linear(inputWidth: n, outputWidth: M * h), SiLU(width: M * h),
                                   GroupedLinear(groups: M, inputWidth: h, outputWidth: h), SiLU(width: M * h),
                                   GroupedLinear(groups: M, inputWidth: h, outputWidth: 1), GroupMean(groups: M, width: 1)], seed: 7)
        let p = ensemble.parameters.scalars
        // ensemble layout: W1 (M·h, n), b1 (M·h), W2 (M, h, h), b2 (M, h), W3 (M, 1, h), b3 (M, 1)
        let (w1, b1) = (0, M * h * n), w2 = M * h * n + M * h, b2 = w2 + M * h * h, w3 = b2 + M * h, b3 = w3 + M * h
        var generator = SeededGenerator(seed: 1)
        let x = (0..<(3 * n)).map { _ in generator.nextGaussian() }
        let (energies, gradient) = ensemble.energyAndInputGradient(Tensor(shape: [3, n], scalars: x))
        var meanEnergy = [Float](repeating: 0, count: 3), meanGradient = [Float](repeating: 0, count: 3 * n)
        for g in 0..<M {
            let member = Sequential([Linear(inputWidth: n, outputWidth: h), SiLU(width: h), Linear(inputWidth: h, outputWidth: h), SiLU(width: h),
                                     Linear(inputWidth: h, outputWidth: 1)], seed: 1)
            let values = Array(p[(w1 + g * h * n)..<(w1 + (g + 1) * h * n)]) + Array(p[(b1 + g * h)..<(b1 + (g + 1) * h)])
                + Array(p[(w2 + g * h * h)..<(w2 + (g + 1) * h * h)]) + Array(p[(b2 + g * h)..<(b2 + (g + 1) * h)])
                + Array(p[(w3 + g * h)..<(w3 + (g + 1) * h)]) + [p[b3 + g]]
            XCTAssertEqual(values.count, member.parameters.layout.count)
            for (i, v) in values.enumerated() { member.parameters.storage[i] = v }
            let (e, d) = member.energyAndInputGradient(Tensor(shape: [3, n], scalars: x))
            for i in 0..<3 { meanEnergy[i] += e[i] / Float(M) }
            for i in 0..<(3 * n) { meanGradient[i] += d.scalars[i] / Float(M) }
        }
        for i in 0..<3 { XCTAssertEqual(energies[i], meanEnergy[i], accuracy: 1e-5) }
        for i in 0..<(3 * n) { XCTAssertEqual(gradient.scalars[i], meanGradient[i], accuracy: 1e-5) }
    }
}
