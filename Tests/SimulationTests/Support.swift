import Foundation
import XCTest
import Simulation

/// Largest absolute elementwise difference.
func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "size mismatch \(a.count) vs \(b.count)")
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

/// A deterministic generator for test inputs (SplitMix64), so failures reproduce.
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [lo, hi).
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * Double(next() >> 11) / Double(1 << 53)
    }
    mutating func vector(_ n: Int, _ lo: Double, _ hi: Double) -> [Double] {
        (0..<n).map { _ in uniform(lo, hi) }
    }
}

/// Solves the symmetric positive-definite system M x = b (Cholesky), an oracle independent of ABA.
func choleskySolve(_ M: [Double], _ b: [Double]) -> [Double] {
    let n = b.count
    var L = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
        for j in 0...i {
            var sum = M[i * n + j]
            for k in 0..<j { sum -= L[i * n + k] * L[j * n + k] }
            L[i * n + j] = i == j ? sum.squareRoot() : sum / L[j * n + j]
        }
    }
    var y = b
    for i in 0..<n {
        for k in 0..<i { y[i] -= L[i * n + k] * y[k] }
        y[i] /= L[i * n + i]
    }
    var x = y
    for i in stride(from: n - 1, through: 0, by: -1) {
        for k in (i + 1)..<n { x[i] -= L[k * n + i] * x[k] }
        x[i] /= L[i * n + i]
    }
    return x
}

/// Runs a Python snippet, returning stdout, or nil when python3 or `module` is missing.
func runPython(_ script: String, requiring module: String, arguments: [String] = []) throws -> String? {
    let probe = Process()
    probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    probe.arguments = ["python3", "-c", "import \(module)"]
    probe.standardOutput = FileHandle.nullDevice
    probe.standardError = FileHandle.nullDevice
    do { try probe.run() } catch { return nil }
    probe.waitUntilExit()
    if probe.terminationStatus != 0 { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    if process.terminationStatus != 0 {
        XCTFail("python failed: \(String(decoding: errData, as: UTF8.self))")
        return ""
    }
    return String(decoding: data, as: UTF8.self)
}
