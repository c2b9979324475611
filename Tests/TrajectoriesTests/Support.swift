import Foundation
import XCTest
@testable import Trajectories

// MARK: - Error assertions

/// Asserts that `body` throws a `FileError` (or a module error wrapping one) of `kind` about `path`,
/// whose description is "path: detail" and contains every fragment.
func assertFileError<T>(_ kind: FileError.Kind, path: String, _ fragments: [String] = [],
                        file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("expected FileError.\(kind) for \(path), but nothing was thrown", file: file, line: line)
    } catch {
        guard let fileError = FileError.of(error) else {
            return XCTFail("expected a FileError, got \(type(of: error)): \(error)", file: file, line: line)
        }
        XCTAssertEqual(fileError.kind, kind, "\(error)", file: file, line: line)
        XCTAssertEqual(fileError.path, path, "\(error)", file: file, line: line)
        XCTAssertEqual("\(error)", "\(path): \(fileError.detail)", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(fileError.detail.contains(fragment), "message \"\(error)\" lacks \"\(fragment)\"", file: file, line: line)
        }
    }
}

/// Asserts that `body` throws a `NumPyError` of `kind` whose description contains every fragment.
func assertNumPyError<T>(_ kind: NumPyError.Kind, _ fragments: [String],
                         file: StaticString = #filePath, line: UInt = #line,
                         _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("expected NumPyError.\(kind) containing \(fragments), but nothing was thrown", file: file, line: line)
    } catch let error as NumPyError {
        XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(error.description.contains(fragment),
                          "message \"\(error)\" lacks \"\(fragment)\"", file: file, line: line)
        }
        XCTAssertEqual(error.errorDescription, error.description, file: file, line: line)
    } catch {
        XCTFail("expected NumPyError, got \(type(of: error)): \(error)", file: file, line: line)
    }
}

// MARK: - Fixtures

/// A fresh directory under the system temporary directory, removed by `removeScratch`.
func makeScratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("TrajectoriesTests-" + UUID().uuidString, isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Deterministic test values: element `i` of a `dtype` array. Mirrored by `pythonValues` below,
/// so that Swift and NumPy build the same arrays independently.
func testArray(_ dtype: NumPyDType, shape: [Int]) throws -> NumPyArray {
    let count = shape.reduce(1, *)
    let i = (0..<count)
    switch dtype {
    case .float64: return try NumPyArray(doubles: i.map { Double($0) * 0.5 - 3.0 }, shape: shape)
    case .float32: return try NumPyArray(floats: i.map { Float($0) * 0.25 - 1.0 }, shape: shape)
    case .int64: return try NumPyArray(int64s: i.map { Int64($0) * 1_000_003 - 7 }, shape: shape)
    case .int32: return try NumPyArray(int32s: i.map { Int32($0) * 7 - 100 }, shape: shape)
    case .uint8: return try NumPyArray(uint8s: i.map { UInt8($0 % 256) }, shape: shape)
    case .bool: return try NumPyArray(bools: i.map { $0 % 3 == 0 }, shape: shape)
    }
}

/// Python for `testArray`: `values(descr, shape)` builds the same array with NumPy.
let pythonValues = """
import numpy as np
def values(descr, shape):
    n = int(np.prod(shape, dtype=np.int64))
    i = np.arange(n, dtype=np.int64)
    if descr == '<f8': v = i * 0.5 - 3.0
    elif descr == '<f4': v = i.astype('<f4') * np.float32(0.25) - np.float32(1.0)
    elif descr == '<i8': v = i * 1000003 - 7
    elif descr == '<i4': v = i * 7 - 100
    elif descr == '|u1': v = i % 256
    elif descr == '|b1': v = i % 3 == 0
    else: raise ValueError(descr)
    return v.astype(descr).reshape(shape)  # a C-ordered copy; 0-d stays 0-d
"""

/// Special doubles whose bits must survive every path: signed zero, infinities, NaN, subnormal.
let specialDoubles: [Double] = [0, -0.0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, .pi, 1e308]
let pythonSpecialDoubles = "np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, np.pi, 1e308])"

/// An `.npy` payload with an arbitrary header text, padded as NumPy pads.
func handMadeNPY(header: String, data: [UInt8] = [], major: UInt8 = 1) -> [UInt8] {
    let lengthBytes = major == 1 ? 2 : 4
    var body = Array(header.utf8)
    let unpadded = 6 + 2 + lengthBytes + body.count + 1
    body += [UInt8](repeating: 0x20, count: (64 - unpadded % 64) % 64)
    body.append(0x0A)
    var out = NPYHeader.magic + [major, 0]
    for index in 0..<lengthBytes { out.append(UInt8(truncatingIfNeeded: body.count >> (8 * index))) }
    return out + body + data
}

// MARK: - Python with NumPy

/// Runs `python3` with NumPy, or skips the test with a message saying why.
enum Python {
    /// Why Python with NumPy cannot run here, or `nil` when it can. Probed once.
    static let unavailableReason: String? = {
        do {
            let result = try run(["-c", "import numpy; print(numpy.__version__)"])
            switch result.status {
            case 0: return nil
            case 127: return "python3 not found on PATH"
            default: return "python3 cannot import numpy (\(result.stderr.split(separator: "\n").last ?? ""))"
            }
        } catch {
            return "python3 not found (\(error))"
        }
    }()

    static func requireNumPy() throws {
        if let reason = unavailableReason {
            throw XCTSkip("NumPy interop test skipped: \(reason). Install python3 and numpy to run it.")
        }
    }

    /// Runs `script` (with `pythonValues` prepended) with `arguments`; fails the test on a non-zero
    /// exit and returns standard output.
    @discardableResult
    static func script(_ script: String, _ arguments: [String] = [],
                       file: StaticString = #filePath, line: UInt = #line) throws -> String {
        try requireNumPy()
        let result = try run(["-c", pythonValues + "\n" + script] + arguments)
        if result.status != 0 {
            XCTFail("python3 exited \(result.status):\n\(result.stderr)", file: file, line: line)
        }
        return result.stdout
    }

    private static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Drain both pipes before waiting so a chatty script cannot fill a pipe and block.
        let stderrBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            stderrBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdoutData, as: UTF8.self),
                String(decoding: stderrBox.data, as: UTF8.self))
    }

    /// Holds what the reader thread read; `group.wait()` orders the write before the read.
    private final class Box: @unchecked Sendable { var data = Foundation.Data() }
}
