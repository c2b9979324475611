// libFuzzer target (issue 18): the .npy reader (header dictionary, dtype, shape, byte count) that
// every .npz member goes through. Any bytes give an array or a NumPyError: no trap, no sanitizer
// report. Built by scripts/fuzz.sh with Trajectories' NumPy*.swift, NPYHeader.swift and
// AtomicFile.swift (swiftc -sanitize=fuzzer,address).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    guard let array = try? NumPyArray(npyBytes: bytes, file: "fuzz.npy") else { return 0 }
    _ = try? array.requireFinite()
    let encoded = array.npyBytes()   // compared as bytes: NaN payloads compare unequal as numbers
    precondition((try? NumPyArray(npyBytes: encoded, file: "again"))?.npyBytes() == encoded, "re-encoded array differs")
    return 0
}
