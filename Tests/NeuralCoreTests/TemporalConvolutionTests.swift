import XCTest
@testable import NeuralCore

final class TemporalConvolutionTests: XCTestCase {
    /// Direct convolution (no im2col), y[t, o] = b[o] + Σ_c Σ_j W[o, c, j] x[t + j − left, c].
    func reference(length: Int, inputChannels: Int, outputChannels: Int, kernelSize: Int, batch: Int)
        -> ([Double], [Double]) -> [Double] {
        { x, p in
            let left = (kernelSize - 1) / 2
            let biasOffset = outputChannels * inputChannels * kernelSize
            var y = [Double](repeating: 0, count: batch * length * outputChannels)
            for n in 0..<batch {
                for t in 0..<length {
                    for o in 0..<outputChannels {
                        var sum = p[biasOffset + o]
                        for c in 0..<inputChannels {
                            for j in 0..<kernelSize {
                                let s = t + j - left
                                guard s >= 0 && s < length else { continue }
                                sum += p[(o * inputChannels + c) * kernelSize + j] * x[(n * length + s) * inputChannels + c]
                            }
                        }
                        y[(n * length + t) * outputChannels + o] = sum
                    }
                }
            }
            return y
        }
    }

    func testOddKernelBackwardMatchesFiniteDifferences() {
        let layer = TemporalConvolution(length: 6, inputChannels: 3, outputChannels: 4, kernelSize: 3)
        checkGradients(of: layer, batch: 2, seed: 71,
                       reference: reference(length: 6, inputChannels: 3, outputChannels: 4, kernelSize: 3, batch: 2))
    }

    func testEvenKernelPadsRightAsPyTorch() {
        let layer = TemporalConvolution(length: 5, inputChannels: 2, outputChannels: 3, kernelSize: 4)
        checkGradients(of: layer, batch: 2, seed: 72,
                       reference: reference(length: 5, inputChannels: 2, outputChannels: 3, kernelSize: 4, batch: 2))
    }
}
