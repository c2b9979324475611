import XCTest
@testable import NeuralCore

/// The machine description of `ebm bench nn`: parsed from a /proc/cpuinfo text.
final class MachineInfoTests: XCTestCase {
    func testTheFirstProcessorsFieldsAndVectorFeaturesAreRead() {
        let text = """
        processor\t: 0
        vendor_id\t: GenuineIntel
        cpu family\t: 6
        model\t\t: 207
        model name\t: Intel(R) Xeon(R) Platinum 8580
        flags\t\t: fpu sse sse2 sse4_2 avx avx2 fma avx512f avx512bw avx512vl amx_tile

        processor\t: 1
        vendor_id\t: SomethingElse
        model name\t: another
        """
        let m = MachineInfo(cpuinfo: text, cores: 2)
        XCTAssertEqual(m.model, "Intel(R) Xeon(R) Platinum 8580")
        XCTAssertEqual(m.vendor, "GenuineIntel")
        XCTAssertEqual(m.family, 6)
        XCTAssertEqual(m.modelNumber, 207)
        XCTAssertEqual(m.features, ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "amx_tile"])
        XCTAssertEqual(m.summary, "Intel(R) Xeon(R) Platinum 8580 (GenuineIntel family 6 model 207, 2 cores; sse4_2 avx avx2 fma avx512f avx512bw avx512vl amx_tile)")
        let unknown = MachineInfo(cpuinfo: "", cores: 1)
        XCTAssertEqual(unknown.model, "unknown")
        XCTAssertEqual(unknown.features, [])
        XCTAssertNil(unknown.family)
    }
}
