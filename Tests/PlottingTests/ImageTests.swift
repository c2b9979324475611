import Foundation
import Trajectories
import XCTest
@testable import Plotting

/// PNG round trips, errors that name the file, and atomic replacement.
final class ImageTests: XCTestCase {
    func testPNGRoundTripWithoutDisplay() throws {
        let rgba = (0..<(5 * 3 * 4)).map { UInt8(($0 * 37) % 256) }
        let image = Image(width: 5, height: 3, rgba: rgba)
        let path = NSTemporaryDirectory() + "image-test-\(getpid()).png"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try image.writePNG(to: path)
        XCTAssertEqual(try Image(contentsOfPNG: path), image)
        XCTAssertEqual(image[1, 2], SIMD4(rgba[44], rgba[45], rgba[46], rgba[47]))
    }

    func testCorruptPNGNamesTheFile() throws {
        let path = NSTemporaryDirectory() + "corrupt-\(getpid()).png"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "not a png".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Image(contentsOfPNG: path)) {
            XCTAssertTrue("\($0)".contains(path), "\($0)")
            XCTAssertEqual(($0 as? FileError)?.kind, .malformed, "\($0)")
            XCTAssertEqual(($0 as? FileError)?.path, path, "\($0)")
        }
        let missing = NSTemporaryDirectory() + "missing-\(getpid()).png"
        XCTAssertThrowsError(try Image(contentsOfPNG: missing)) {
            XCTAssertEqual(($0 as? FileError)?.kind, .notFound, "\($0)")
            XCTAssertEqual(($0 as? FileError)?.path, missing, "\($0)")
        }
        XCTAssertThrowsError(try Image(width: 1, height: 1, rgba: [0, 0, 0, 0]).writePNG(to: "/nonexistent-dir/x.png")) {
            XCTAssertEqual(($0 as? FileError)?.kind, .writeFailed, "\($0)")
            XCTAssertEqual(($0 as? FileError)?.path, "/nonexistent-dir/x.png", "\($0)")
        }
        XCTAssertThrowsError(try Image(width: 1, height: 1, rgba: [0, 0, 0, 0]).writePNG(atomicallyTo: "/nonexistent-dir/x.png")) {
            XCTAssertEqual(($0 as? FileError)?.kind, .writeFailed, "\($0)")
        }
    }

    func testAtomicWriteReplacesTheFileAndLeavesNoTemporary() throws {
        let folder = NSTemporaryDirectory() + "image-atomic-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/a.png"
        try "old".write(toFile: path, atomically: false, encoding: .utf8)
        let image = Image(width: 2, height: 2, rgba: [UInt8](repeating: 7, count: 16))
        try image.writePNG(atomicallyTo: path)
        XCTAssertEqual(try Image(contentsOfPNG: path), image)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["a.png"])
    }
}

