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

    /// The flags that decide which matrix kernel runs well (SSE to AVX-512 and AMX).
    public static let vectorFeatures = ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni",
                                        "avx512_bf16", "amx_tile"]

    /// This machine (fields "unknown" / empty where /proc/cpuinfo cannot be read, e.g. off Linux).
    public static var current: MachineInfo {
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return MachineInfo(cpuinfo: text, cores: ProcessInfo.processInfo.activeProcessorCount)
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

    /// One line: "AMD EPYC (AuthenticAMD family 25 model 17, 2 cores; avx2 fma avx512f …)".
    public var summary: String {
        let numbers = [family.map { "family \($0)" }, modelNumber.map { "model \($0)" }].compactMap { $0 }.joined(separator: " ")
        return "\(model) (\(vendor)\(numbers.isEmpty ? "" : " " + numbers), \(cores) cores; \(features.isEmpty ? "no vector features listed" : features.joined(separator: " ")))"
    }
}
