// libFuzzer target (issue 18): TrainingConfiguration.decode, what `ebm train --config` reads. Any bytes
// give a configuration or a TrainingError: no trap, no sanitizer report; a configuration that decodes
// re-encodes to JSON that decodes to the same configuration. Built by scripts/fuzz.sh with EnergyModels'
// TrainingConfiguration.swift, TrainingError.swift and FutureBasisKind.swift (swiftc -sanitize=fuzzer,address).
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfiguration(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard let configuration = try? TrainingConfiguration.decode(Data(bytes: start, count: count), file: "fuzz.json") else { return 0 }
    let again = try? TrainingConfiguration.decode(Data(configuration.encodedJSON().utf8), file: "re-encoded.json")
    precondition(again == configuration, "a decoded configuration does not survive re-encoding")
    return 0
}
