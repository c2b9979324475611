import XCTest
@testable import Trajectories

final class JSONValueTests: XCTestCase {
    func testParsesAndSerialisesWithSortedKeys() throws {
        let value = try JSONValue.parse(Array(#"{"b": [1, 2.5, -3e2], "a": {"z": true, "y": null}, "s": "q\"\n\u00e9"}"#.utf8))
        XCTAssertEqual(value["b"], .array([.number(1, isInteger: true), .number(2.5, isInteger: false), .number(-300, isInteger: false)]))
        XCTAssertEqual(value["s"], .string("q\"\né"))
        let text = value.serialized()
        XCTAssertEqual(text, "{\n  \"a\": {\n    \"y\": null,\n    \"z\": true\n  },\n  \"b\": [1, 2.5, -300],\n  \"s\": \"q\\\"\\né\"\n}\n")
        XCTAssertEqual(try JSONValue.parse(Array(text.utf8)), value, "round trip")
    }

    func testSyntaxErrorsGiveLineAndColumn() {
        let cases: [(String, String)] = [
            ("{\n  \"a\": 1,\n}", "3:1: expected a string key"),
            ("{\"a\": 1 \"b\": 2}", "1:9: expected ',' or '}'"),
            ("[1, 2", "expected ',' or ']'"),
            ("{\"a\": 1, \"a\": 2}", "duplicate key \"a\""),
            ("{\"a\": tru}", "1:7"),
            ("{\"a\": 01.}", "malformed number"),
            ("", "unexpected end"),
            ("{} x", "unexpected text after"),
        ]
        for (text, fragment) in cases {
            assertThrows([fragment]) { try JSONValue.parse(Array(text.utf8)) }
        }
    }
}

final class SHA256Tests: XCTestCase {
    /// FIPS 180-4 examples (and the empty message).
    func testKnownVectors() {
        XCTAssertEqual(SHA256.hex([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}

final class EpisodeGeneratorTests: XCTestCase {
    /// xoshiro256** seeded by SplitMix64, checked against an independent Python implementation.
    func testMatchesReferenceImplementation() throws {
        var g = EpisodeGenerator(seed: 12345)
        let ours = (0..<4).map { _ in g.next() }
        let seed = EpisodeGenerator.episodeSeed(master: 20250301, index: 17)
        let output = try Python.plain("""
            M = (1 << 64) - 1
            def splitmix(state):
                state = (state + 0x9E3779B97F4A7C15) & M
                z = state
                z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
                z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
                return state, z ^ (z >> 31)
            rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & M
            x, s = 12345, []
            for _ in range(4):
                x, z = splitmix(x); s.append(z)
            out = []
            for _ in range(4):
                out.append(rotl((s[1] * 5) & M, 7) * 9 & M)
                t = (s[1] << 17) & M
                s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45)
            _, a = splitmix(20250301)
            _, e = splitmix(a ^ 17)
            print(' '.join(map(str, out)), e & ((1 << 63) - 1))
            """)
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), ours.map(String.init).joined(separator: " ") + " \(seed)")
    }

    func testGaussianMomentsAndUniformRange() {
        var g = EpisodeGenerator(seed: 1)
        let n = 100_000
        let x = (0..<n).map { _ in g.gaussian() }
        let mean = x.reduce(0, +) / Double(n)
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        XCTAssertEqual(mean, 0, accuracy: 0.02)      // 5 standard errors
        XCTAssertEqual(variance, 1, accuracy: 0.03)
        var counts = [0, 0, 0, 0]
        for _ in 0..<40_000 { counts[g.index(below: 4)] += 1 }
        XCTAssertTrue(counts.allSatisfy { abs($0 - 10_000) < 500 }, "\(counts)")
    }
}

extension Python {
    /// Runs a plain python3 script (no NumPy needed); skips when python3 is missing.
    static func plain(_ code: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", code]
        let out = Pipe()
        process.standardOutput = out
        do { try process.run() } catch { throw XCTSkip("python3 not available: \(error)") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 127 { throw XCTSkip("python3 not found on PATH") }
        return String(decoding: data, as: UTF8.self)
    }
}
