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

extension TemporalConvolutionTests {
    /// y = x + conv₂(SiLU(conv₁(x))) against the direct-convolution reference, both tensors'
    /// and the input's gradients, at two batch sizes (the block splits its buffers per batch).
    func testResidualBlockBackwardMatchesFiniteDifferences() {
        let (length, channels, kernelSize) = (5, 3, 3)
        for batch in [1, 3] {
            let convolution = reference(length: length, inputChannels: channels, outputChannels: channels, kernelSize: kernelSize, batch: batch)
            let count = channels * channels * kernelSize + channels
            checkGradients(of: TemporalResidualBlock(length: length, channels: channels, kernelSize: kernelSize), batch: batch, seed: 73) { x, p in
                let hidden = convolution(x, Array(p[0..<count])).map(referenceSiLU)
                return zip(x, convolution(hidden, Array(p[count..<(2 * count)]))).map { $0 + $1 }
            }
        }
        XCTAssertEqual(LayerArchitecture.temporalResidualBlock(length: 5, channels: 3, kernelSize: 3).makeLayer().parameterCount, 2 * (27 + 3))
    }
}
