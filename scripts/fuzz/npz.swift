// libFuzzer target (issue 20): the in-place .npz reader training uses (NumPyArchiveIndex: zip central
// directory, ZIP64 fields, local headers; StoredArray: .npy headers, sizes, positional reads). Any
// bytes give members or a NumPyError: no trap, no sanitizer report; every stored array reads back
// whole within the input and its CRC-32 is computed. Built by scripts/fuzz.sh with Trajectories'
// NumPyArchiveIndex.swift, the .npy sources and AtomicFile.swift (swiftc -sanitize=fuzzer,address).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPZ(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let reader = PositionalReader(bytes: [UInt8](UnsafeRawBufferPointer(start: start, count: count)), file: "fuzz.npz")
    guard let index = try? NumPyArchiveIndex(reader) else { return 0 }
    for member in index.members {
        guard let array = try? index.storedArray(named: member.name) else { continue }
        let size = array.count * array.dtype.itemSize
        precondition(array.dataStart >= 0 && array.dataStart + size <= count, "stored array lies past the end of the input")
        var raw = [UInt8](repeating: 0, count: size)
        guard (try? raw.withUnsafeMutableBytes { try array.read(0..<array.count, into: $0) }) != nil else { continue }
        var crc = ZipChecksum()
        raw.withUnsafeBytes { crc.update($0) }
        _ = crc.value == array.checksum
    }
    return 0
}
