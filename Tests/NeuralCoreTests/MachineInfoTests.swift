import Foundation
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

    /// Cache sizes from a Linux cache folder (index*/level, type, size): K and M suffixes, L1 split
    /// into data and instruction; unreadable, malformed or absurd entries are left out.
    func testCacheSizesAreReadFromTheSysfsLayout() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let entries = [("index0", "1", "Data", "48K"), ("index1", "1", "Instruction", "32K"), ("index2", "2", "Unified", "2048K"),
                       ("index3", "3", "Unified", "105M"), ("index4", "4", "Unified", "12Q"), ("index5", "x", "Unified", "1K"),
                       ("index6", "4", "Unified", "99999999999G")]
        for (name, level, kind, size) in entries {
            let entry = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: entry, withIntermediateDirectories: true)
            try "\(level)\n".write(to: entry.appendingPathComponent("level"), atomically: true, encoding: .utf8)
            try "\(kind)\n".write(to: entry.appendingPathComponent("type"), atomically: true, encoding: .utf8)
            try "\(size)\n".write(to: entry.appendingPathComponent("size"), atomically: true, encoding: .utf8)
        }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("index7"), withIntermediateDirectories: true)
        XCTAssertEqual(MachineInfo.cacheSizes(directory: folder.path),
                       ["l1d": 48 << 10, "l1i": 32 << 10, "l2": 2048 << 10, "l3": 105 << 20])
        XCTAssertEqual(MachineInfo.cacheSizes(directory: folder.appendingPathComponent("absent").path), [:])
        var m = MachineInfo(cpuinfo: "model name\t: X\nvendor_id\t: V\nflags\t: avx2", cores: 4)
        m.cacheBytes = ["l1d": 48 << 10, "l2": 2 << 20, "l3": 105 << 20]
        XCTAssertEqual(m.summary, "X (V, 4 cores; avx2; L1d 48 KiB L2 2048 KiB L3 107520 KiB)")
        XCTAssertEqual(try JSONDecoder().decode(MachineInfo.self, from: JSONEncoder().encode(m)), m)
    }

    /// This Linux machine lists its L1 data cache and L2 (every x86-64 CPU has them).
    func testThisMachineReportsItsCaches() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/sys/devices/system/cpu/cpu0/cache/index0"), "no sysfs cache list")
        let caches = MachineInfo.current.cacheBytes
        XCTAssertGreaterThanOrEqual(caches["l1d"] ?? 0, 8 << 10)
        XCTAssertGreaterThan(caches["l2"] ?? 0, caches["l1d"] ?? 0)
    }
}
