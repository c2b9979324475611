// libFuzzer target (issue 18): SafetensorsFile.decode, which every model loader runs first, and the
// checkpoint metadata JSON it returns. Any bytes give a value or a CheckpointError: no trap, no
// sanitizer report. Built by scripts/fuzz.sh with NeuralCore's Safetensors.swift, Tensor.swift and
// CheckpointError.swift (swiftc -sanitize=fuzzer,address).
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard let file = try? SafetensorsFile.decode(Data(bytes: start, count: count), file: "fuzz.safetensors") else { return 0 }
    // re-encoding what was read must give a file that reads back to the same bytes (bytes, not
    // values: NaN payloads compare unequal as numbers)
    let bytes = file.encoded()
    precondition((try? SafetensorsFile.decode(bytes, file: "re-encoded"))?.encoded() == bytes, "re-encoded file differs")
    return 0
}
