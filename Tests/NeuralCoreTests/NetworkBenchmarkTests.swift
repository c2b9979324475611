import XCTest
@testable import NeuralCore

/// The benchmark's reference network has the documented shape, and its timing loop counts calls
/// against the clock it is given (a fake clock that advances a fixed amount per call).
final class NetworkBenchmarkTests: XCTestCase {
    func testReferenceNetworkShape() {
        let net = NetworkBenchmark.referenceNetwork()
        XCTAssertEqual(net.inputWidth, 80)
        XCTAssertEqual(net.outputWidth, 1)
        // weights and biases of 80→256→256→256→1
        XCTAssertEqual(net.parameterLayout.count, 80 * 256 + 256 + 2 * (256 * 256 + 256) + 256 + 1)
    }

    func testCallsPerSecondCountsAgainstTheGivenClock() {
        var now = 0.0, calls = 0
        // every call costs 1 ms of the fake clock: 1000 calls per second in every window
        let rate = NetworkBenchmark.callsPerSecond(seconds: 0.5, clock: { now }) { now += 0.001; calls += 1 }
        XCTAssertEqual(rate, 1000, accuracy: 1e-6 * 1000)
        // warm-up (0.05 s) and five windows of 0.1 s
        XCTAssertEqual(Double(calls), 50 + 5 * 100, accuracy: 6)
    }

    func testMeasurementIsPositiveAndFinite() {
        let m = NetworkBenchmark.measure(batch: 4, threading: .single, seconds: 0.01, clock: wallClockSeconds)
        XCTAssertTrue(m.evaluationsPerSecond > 0 && m.trainingStepsPerSecond > 0 && m.evaluationGFLOPS > 0)
        XCTAssertTrue([m.evaluationsPerSecond, m.trainingStepsPerSecond, m.evaluationGFLOPS].allSatisfy(\.isFinite))
    }
}
