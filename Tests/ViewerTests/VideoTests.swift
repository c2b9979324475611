import Foundation
import XCTest
@testable import Viewer

/// ffmpeg is looked up on the PATH given, executable files only, first directory first.
final class VideoTests: XCTestCase {
    func testFFmpegIsFoundOnThePathGiven() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("video-\(UUID().uuidString)")
        let (a, b) = (root.appendingPathComponent("a"), root.appendingPathComponent("b"))
        for d in [a, b] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        defer { try? FileManager.default.removeItem(at: root) }
        XCTAssertNil(Video.ffmpegPath(environment: ["PATH": "\(a.path):\(b.path)"]))
        // a plain file is not a program; an executable one is
        FileManager.default.createFile(atPath: a.appendingPathComponent("ffmpeg").path, contents: Data())
        XCTAssertNil(Video.ffmpegPath(environment: ["PATH": "\(a.path):\(b.path)"]))
        FileManager.default.createFile(atPath: b.appendingPathComponent("ffmpeg").path, contents: Data("#!/bin/sh\n".utf8),
                                       attributes: [.posixPermissions: 0o755])
        XCTAssertEqual(Video.ffmpegPath(environment: ["PATH": "\(a.path):\(b.path)"]), b.appendingPathComponent("ffmpeg").path)
        XCTAssertTrue(Video.missingFFmpeg.contains("ffmpeg is not installed"))
    }
}
