// libFuzzer target (issue 18): the JSON parser every recipe goes through (JSONValue.parse) and the
// recipe's `physics` object (PhysicsModification). Any bytes give a value or an error: no trap, no
// sanitizer report, and no stack overflow on deep nesting; a parsed value serialises to JSON that
// parses back to the same value. Built by scripts/fuzz.sh with Trajectories' JSONValue.swift,
// RecipeObject.swift, PhysicsModification.swift and DatasetError.swift (swiftc -sanitize=fuzzer,address).
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecipeJSON(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard let value = try? JSONValue.parse([UInt8](UnsafeRawBufferPointer(start: start, count: count))) else { return 0 }
    precondition((try? JSONValue.parse(Array(value.serialized().utf8))) == value, "a parsed value does not survive serialisation")
    if let top = try? RecipeObject(value, path: "", file: "fuzz.json"), let physics = try? top.object("physics") {
        _ = try? PhysicsModification(physics)
    }
    return 0
}
