// MachineInfo: the CPU a measurement ran on — model, vendor, family/model numbers and the vector
// features the kernels care about — so figures from different machines can be told apart.

import Foundation

/// The CPU of this machine as Linux's /proc/cpuinfo describes its first processor.
public struct MachineInfo: Codable, Equatable, Sendable {
    /// "model name", e.g. "AMD EPYC" or "Intel(R) Xeon(R) Platinum 8488C".
    public var model: String
    /// "vendor_id": AuthenticAMD, GenuineIntel, …
    public var vendor: String
    /// "cpu family" and "model" numbers (nil where not reported).
    public var family: Int?, modelNumber: Int?
    /// The vector features among `MachineInfo.vectorFeatures` that the CPU reports, in that order.
    public var features: [String]
    /// Cores this process may use.
    public var cores: Int
    /// Cache sizes in bytes of the first processor by level and kind ("l1d", "l1i", "l2", "l3"),
    /// as Linux lists them under /sys/devices/system/cpu/cpu0/cache (empty where it does not).
    public var cacheBytes: [String: Int] = [:]

    /// The flags that decide which matrix kernel runs well (SSE to AVX-512 and AMX).
    public static let vectorFeatures = ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni",
                                        "avx512_bf16", "amx_tile"]

    /// This machine (fields "unknown" / empty where /proc/cpuinfo cannot be read, e.g. off Linux).
    public static var current: MachineInfo {
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        var machine = MachineInfo(cpuinfo: text, cores: ProcessInfo.processInfo.activeProcessorCount)
        machine.cacheBytes = cacheSizes(directory: "/sys/devices/system/cpu/cpu0/cache")
        return machine
    }

    /// The caches described by the `index*` folders of a Linux cache directory (files `level`,
    /// `type` — Data, Instruction or Unified — and `size`, e.g. "32K", "1024K", "32M"), keyed
    /// "l1d", "l1i", "l2", "l3"; entries that do not parse, or sizes above 1 TiB, are left out.
    public static func cacheSizes(directory: String) -> [String: Int] {
        let files = FileManager.default
        guard let entries = try? files.contentsOfDirectory(atPath: directory) else { return [:] }
        func read(_ folder: String, _ name: String) -> String? {
            let path = (directory as NSString).appendingPathComponent(folder + "/" + name)
            return (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var sizes: [String: Int] = [:]
        for folder in entries where folder.hasPrefix("index") {
            guard let level = read(folder, "level").flatMap({ Int($0) }), (1...9).contains(level),
                  let kind = read(folder, "type"), var text = read(folder, "size"), !text.isEmpty else { continue }
            var scale = 1
            switch text.last! {
            case "K": scale = 1 << 10
            case "M": scale = 1 << 20
            case "G": scale = 1 << 30
            default: break
            }
            if scale > 1 { text.removeLast() }
            guard let count = Int(text), count > 0, count <= (1 << 40) / scale else { continue }
            let suffix = level == 1 ? (kind == "Data" ? "d" : kind == "Instruction" ? "i" : "") : ""
            sizes["l\(level)\(suffix)"] = count * scale
        }
        return sizes
    }

    /// Parses the first processor's block of a /proc/cpuinfo text.
    public init(cpuinfo text: String, cores: Int) {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { if !fields.isEmpty { break } else { continue } }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            if fields[key] == nil { fields[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        let flags = Set((fields["flags"] ?? "").split(separator: " ").map(String.init))
        model = fields["model name"] ?? "unknown"
        vendor = fields["vendor_id"] ?? "unknown"
        family = fields["cpu family"].flatMap { Int($0) }
        modelNumber = fields["model"].flatMap { Int($0) }
        features = Self.vectorFeatures.filter(flags.contains)
        self.cores = cores
    }

    /// One line: "AMD EPYC (AuthenticAMD family 25 model 17, 2 cores; avx2 fma avx512f …; L1d 32 KiB L2 1024 KiB L3 32768 KiB)".
    public var summary: String {
        let numbers = [family.map { "family \($0)" }, modelNumber.map { "model \($0)" }].compactMap { $0 }.joined(separator: " ")
        let caches = ["l1d", "l2", "l3"].compactMap { key in cacheBytes[key].map { "\(key.uppercased().replacingOccurrences(of: "D", with: "d")) \($0 >> 10) KiB" } }
        return "\(model) (\(vendor)\(numbers.isEmpty ? "" : " " + numbers), \(cores) cores; \(features.isEmpty ? "no vector features listed" : features.joined(separator: " "))"
            + (caches.isEmpty ? "" : "; " + caches.joined(separator: " ")) + ")"
    }
}
