// NetworkBenchmark+Table: `ebm bench nn`'s table as text lines.

import Foundation

extension NetworkBenchmark {
    /// The table of `rows` (batch, threads, kernel, rates, GFLOP/s and their share of sgemm), the
    /// sgemm rates per kernel, then — when there are any — the strategy `comparisons`.
    public static func tableLines(_ rows: [Row], comparisons: [Comparison]) -> [String] {
        var lines = [String(format: "%6@ %7@ %-8@ %12@ %12@ %9@ %9@ %7@", "batch", "threads", "gemm", "evals/s", "train/s", "GFLOP/s", "sgemm", "of sgemm")]
        for r in rows {
            lines.append(String(format: "%6d %7d %-8@ %12.0f %12.1f %9.1f %9.1f %6.0f%%", r.batch, r.threads, r.gemm, r.evals_per_second,
                                r.train_steps_per_second, r.gflops, r.sgemm_gflops, 100 * r.gflops / r.sgemm_gflops))
        }
        func perKernel(_ rates: [String: Double]) -> String {
            rates.sorted { $0.key < $1.key }.map { String(format: "%@ %.1f", $0.key, $0.value) }.joined(separator: ", ")
        }
        lines.append("evals/s: energy + input-gradient calls on the whole batch; sgemm: the fastest kernel's sgemm 1024³ on the same threads.")
        lines.append("sgemm GFLOP/s per kernel on the same threads:")
        var shown = Set<String>()
        for r in rows where shown.insert("\(r.threads) \(r.batch)").inserted {
            lines.append("  \(r.threads) thread\(r.threads == 1 ? "" : "s"): 1024³ \(perKernel(r.sgemm_1024_gflops)); "
                         + "\(r.sgemm_network_shape) \(perKernel(r.sgemm_network_gflops))")
        }
        guard !comparisons.isEmpty else { return lines }
        lines += ["", "threading strategies", String(format: "%6@ %7@  %-6@ %12@ %12@ %9@", "batch", "threads", "kind", "evals/s", "train/s", "GFLOP/s")]
        for c in comparisons {
            lines.append(String(format: "%6d %7d  %-6@ %12.0f %12.0f %9.1f", c.batch, c.threads, c.strategy.rawValue, c.measurement.evaluationsPerSecond,
                                c.measurement.trainingStepsPerSecond, c.measurement.evaluationGFLOPS))
        }
        return lines
    }
}

extension NetworkBenchmark {
    /// The lines above the table: the network, the strategy, the clock's name and this machine's
    /// load average (from /proc/loadavg; "?" elsewhere); the CPU; the matrix kernels here.
    public static func headerLines(strategy: Strategy, clock: String) -> [String] {
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.map(String.init) ?? "?"
        return ["reference energy network 80 → 256 → 256 → 256 → 1 (SiLU), Float32, strategy \(strategy.rawValue), \(clock) clock, load average \(load)",
                "CPU: \(MachineInfo.current.summary)",
                "OpenBLAS kernels: \(BLASCore.name); matrix kernels here: \(GEMMKernel.available.map(\.rawValue).joined(separator: ", ")) (default \(GEMMKernel.defaultKernel.rawValue))"]
    }
}
