import CPNG
import Foundation
import Trajectories

/// An 8-bit RGBA image, rows top to bottom; written and read as PNG through libpng.
public struct Image: Equatable, Sendable {
    public let width: Int, height: Int
    /// Pixels [height, width, 4], the top row first.
    public var rgba: [UInt8]

    public init(width: Int, height: Int, rgba: [UInt8]) {
        precondition(rgba.count == width * height * 4)
        (self.width, self.height, self.rgba) = (width, height, rgba)
    }

    /// The pixel at column x, row y (from the top).
    public subscript(x: Int, y: Int) -> SIMD4<UInt8> {
        let o = (y * width + x) * 4
        return SIMD4(rgba[o], rgba[o + 1], rgba[o + 2], rgba[o + 3])
    }

    // MARK: - PNG (libpng's simplified API: errors come back as messages, no longjmp)

    /// Writes the image as an RGBA PNG.
    public func writePNG(to path: String) throws {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        image.width = png_uint_32(width)
        image.height = png_uint_32(height)
        image.format = 3  // PNG_FORMAT_RGBA: colour | alpha
        let ok = rgba.withUnsafeBytes { bytes in
            png_image_write_to_file(&image, path, 0, bytes.baseAddress, png_int_32(width * 4), nil)
        }
        defer { png_image_free(&image) }
        if ok == 0 { throw FileError(.writeFailed, path: path, "cannot write the PNG (\(Self.message(&image)))") }
    }

    /// Reads a PNG as RGBA.
    public init(contentsOfPNG path: String) throws {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_file(&image, path) != 0 else {
            let m = Self.message(&image)
            png_image_free(&image)
            throw FileError(FileError.Kind(.malformed, ifPresentAt: path), path: path, "not a readable PNG (\(m))")
        }
        image.format = 3  // PNG_FORMAT_RGBA: colour | alpha
        let (w, h) = (Int(image.width), Int(image.height))
        var pixels = [UInt8](repeating: 0, count: w * h * 4)
        let ok = pixels.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, png_int_32(w * 4), nil) }
        defer { png_image_free(&image) }
        if ok == 0 { throw FileError(.malformed, path: path, "corrupt PNG (\(Self.message(&image)))") }
        self.init(width: w, height: h, rgba: pixels)
    }

    /// Writes the PNG beside `path` (a hidden temporary file), then renames it over `path`: readers
    /// see the old file or the new one, never a part. On an error the temporary file is removed.
    public func writePNG(atomicallyTo path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            try writePNG(to: temporary.path)
            // rename(2) replaces the target atomically, whether or not it exists
            guard rename(temporary.path, path) == 0 else {
                throw FileError(.writeFailed, path: path, "cannot rename the written PNG into place (\(String(cString: strerror(errno))))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    private static func message(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
