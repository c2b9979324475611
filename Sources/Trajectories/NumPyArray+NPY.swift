import Foundation

// MARK: - .npy encoding and decoding

extension NumPyArray {
    /// The array in `.npy` format 1.0, byte-identical to what `np.save` writes for it.
    public func npyBytes() -> [UInt8] {
        NPYHeader(dtype: dtype, shape: shape).encoded() + bytes
    }

    /// Decodes an `.npy` payload (format 1.0, 2.0 or 3.0).
    ///
    /// Big-endian data is swapped to little-endian; `fortran_order: True` data is transposed to C
    /// order, so the result equals what `np.load` returns (as a C-contiguous array).
    ///
    /// - Parameters:
    ///   - npyBytes: The whole payload: magic, header, data.
    ///   - file: Named in error messages (a path, or `a.npz` for an archive entry).
    ///   - array: Named in error messages (the `.npz` entry name), if any.
    /// - Throws: `NumPyError` for a bad magic or version, a malformed header, an unsupported dtype,
    ///   an invalid shape, or data shorter or longer than the shape needs.
    public init(npyBytes: [UInt8], file: String? = nil, array: String? = nil) throws {
        do {
            let (header, dataOffset) = try NPYHeader.decode(npyBytes)
            let count = try NumPyArray.elementCount(of: header.shape)
            let itemSize = header.dtype.itemSize
            let needed = count * itemSize
            let present = npyBytes.count - dataOffset
            guard present == needed else {
                let shape = "shape \(header.shape) of \(header.dtype.descr) needs \(needed) bytes of data"
                if present < needed {
                    throw NumPyError(.truncatedData, "truncated data: \(shape), found \(present) "
                                     + "(\(present / max(itemSize, 1)) of \(count) elements)")
                }
                throw NumPyError(.truncatedData, "\(shape), found \(present) (\(present - needed) trailing bytes)")
            }
            var data = Array(npyBytes[dataOffset...])
            if header.byteSwapped { NumPyArray.swapBytes(&data, itemSize: itemSize) }
            if header.fortranOrder && header.shape.count > 1 {
                data = NumPyArray.fortranToC(data, shape: header.shape, itemSize: itemSize)
            }
            try self.init(shape: header.shape, dtype: header.dtype, bytes: data)
        } catch let error as NumPyError {
            throw error.located(file: file, array: array)
        }
    }

    /// Reverses each `itemSize`-byte element in place.
    private static func swapBytes(_ data: inout [UInt8], itemSize: Int) {
        guard itemSize > 1 else { return }
        var start = 0
        while start < data.count {
            data[start..<(start + itemSize)].reverse()
            start += itemSize
        }
    }

    /// Reorders column-major (Fortran) elements of `shape` into row-major (C) order.
    private static func fortranToC(_ data: [UInt8], shape: [Int], itemSize: Int) -> [UInt8] {
        let count = data.count / itemSize
        guard count > 0 else { return data }
        // fortranStrides[k]: elements between neighbours along axis k in the source
        var fortranStrides = [Int](repeating: 1, count: shape.count)
        for axis in 1..<shape.count { fortranStrides[axis] = fortranStrides[axis - 1] * shape[axis - 1] }
        var out = [UInt8](repeating: 0, count: data.count)
        var index = [Int](repeating: 0, count: shape.count)  // C-order multi-index, last axis fastest
        var source = 0
        for target in 0..<count {
            for byte in 0..<itemSize { out[target * itemSize + byte] = data[source * itemSize + byte] }
            // advance the odometer, keeping `source` = Σ index[k] * fortranStrides[k]
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                source += fortranStrides[axis]
                if index[axis] < shape[axis] { break }
                source -= fortranStrides[axis] * index[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return out
    }
}

// MARK: - .npy files

extension NumPyArray {
    /// Reads an `.npy` file, as `np.load` would.
    ///
    /// - Throws: `FileError` `.unreadable` when the file cannot be read, otherwise `NumPyError` naming `url.path` as
    ///   `init(npyBytes:file:array:)`.
    public init(contentsOf url: URL) throws {
        let bytes = try AtomicFile.read(url)
        try self.init(npyBytes: bytes, file: url.path)
    }

    /// Writes the array as an `.npy` file byte-identical to `np.save(url.path, array)`.
    ///
    /// The write is atomic: the bytes go to a temporary file in the same directory, which is then
    /// renamed over `url`; on error nothing is left behind and an existing file is untouched.
    public func write(to url: URL) throws {
        try AtomicFile.write(npyBytes(), to: url)
    }
}
