// NetworkBenchmark+Suite: the table of `ebm bench nn` — the reference network per batch size,
// thread count and matrix kernel, beside the sgemm rate measured on the same threads.

extension NetworkBenchmark {
    /// How the suite spreads a batch over threads.
    public enum Strategy: String, CaseIterable, Sendable {
        /// `Threading.automatic`: the measured choice.
        case auto
        /// OpenBLAS's own threads.
        case blas
        /// The batch split across threads.
        case split

        /// The threading of `threads` threads on a batch of `batch` rows.
        public func threading(threads: Int, batch: Int) -> Threading {
            guard threads > 1 else { return .single }
            switch self {
            case .blas: return .blas(threads: threads)
            case .split: return .batchSplit(threads: threads)
            case .auto: return Threading.automatic(threads: threads, batch: batch)
            }
        }
    }

    /// One row of the suite, its keys spelled as `ebm bench nn --json` writes them.
    public struct Row: Codable, Equatable, Sendable {
        public var batch: Int
        public var threads: Int
        public var evals_per_second: Double
        public var train_steps_per_second: Double
        public var gflops: Double
        /// The fastest sgemm rate at 1024³ on the same threads (GFLOP/s) of the kernels below.
        public var sgemm_gflops: Double
        /// The network's gemm kernel and OpenBLAS's kernel set.
        public var gemm: String
        public var blas_core: String
        public var openblas_sgemm_gflops: Double
        public var avx512_sgemm_gflops: Double?
        /// Every kernel that runs here (`GEMMKernel.available`) → its sgemm GFLOP/s at 1024³ (NN)
        /// and at the network's shape `sgemm_network_shape` (the hidden layers' forward product,
        /// "batch×256×256 NT": C (batch × 256) = X (batch × 256) · Wᵀ), on the same threads.
        public var sgemm_1024_gflops: [String: Double]
        public var sgemm_network_gflops: [String: Double]
        public var sgemm_network_shape: String
        /// The machine: CPU model, vendor, family/model numbers, vector features, cache sizes.
        public var cpu_model: String
        public var cpu_vendor: String
        public var cpu_family: Int?
        public var cpu_model_number: Int?
        public var cpu_features: [String]
        /// Per-core (l1d, l2) and shared (l3) cache sizes in bytes, where Linux reports them.
        public var cpu_cache_bytes: [String: Int]
    }

    /// The hidden layers' forward product at `batch`, the network's shape of `Row.sgemm_network_gflops`:
    /// (m, n, k) = (batch, 256, 256), op(B) = Wᵀ.
    public static func networkSgemmShape(batch: Int) -> (m: Int, n: Int, k: Int, name: String) {
        (batch, 256, 256, "\(batch)×256×256 NT")
    }

    /// A row measured again with another strategy (`compareStrategies`).
    public struct Comparison: Sendable {
        public var batch: Int, threads: Int, strategy: Strategy, measurement: Measurement
    }

    /// For each thread count (OpenBLAS set to it), kernel and batch size: the reference network with
    /// `strategy` over `seconds` of `clock`, and with `compareStrategies` also blas and split on
    /// more than one thread. `GEMMKernel.current` is restored afterwards.
    public static func suite(batches: [Int], threads: [Int], kernels: [GEMMKernel], strategy: Strategy, seconds: Double,
                             clock: () -> Double, compareStrategies: Bool) -> (rows: [Row], comparisons: [Comparison]) {
        var rows: [Row] = [], comparisons: [Comparison] = []
        let chosenKernel = GEMMKernel.current
        let machine = MachineInfo.current
        defer { GEMMKernel.current = chosenKernel }
        for threadCount in threads {
            BLASThreads.set(threadCount)
            // Every available kernel's sgemm rates: 1024³ once per thread count, the network's shape once per batch.
            var square: [String: Double]?
            var network: [Int: [String: Double]] = [:]
            for (kernel, batch) in kernels.flatMap({ kernel in batches.map { (kernel, $0) } }) {
                let shape = networkSgemmShape(batch: batch)
                let squareRates = square ?? BLASBenchmark.sgemmGFLOPSPerKernel(m: 1024, n: 1024, k: 1024, clock: clock)
                let networkRates = network[batch]
                    ?? BLASBenchmark.sgemmGFLOPSPerKernel(m: shape.m, n: shape.n, k: shape.k, transposeB: true, clock: clock)
                (square, network[batch]) = (squareRates, networkRates)
                GEMMKernel.current = kernel
                let m = measure(batch: batch, threading: strategy.threading(threads: threadCount, batch: batch), seconds: seconds, clock: clock)
                rows.append(Row(batch: batch, threads: threadCount, evals_per_second: m.evaluationsPerSecond,
                                train_steps_per_second: m.trainingStepsPerSecond, gflops: m.evaluationGFLOPS,
                                sgemm_gflops: squareRates.values.max() ?? 0, gemm: kernel.rawValue, blas_core: BLASCore.name,
                                openblas_sgemm_gflops: squareRates[GEMMKernel.openblas.rawValue] ?? 0,
                                avx512_sgemm_gflops: squareRates[GEMMKernel.avx512.rawValue],
                                sgemm_1024_gflops: squareRates, sgemm_network_gflops: networkRates,
                                sgemm_network_shape: shape.name,
                                cpu_model: machine.model, cpu_vendor: machine.vendor, cpu_family: machine.family,
                                cpu_model_number: machine.modelNumber, cpu_features: machine.features,
                                cpu_cache_bytes: machine.cacheBytes))
                guard compareStrategies && threadCount > 1 else { continue }
                for other in [Strategy.blas, .split] {
                    comparisons.append(Comparison(batch: batch, threads: threadCount, strategy: other,
                                                  measurement: measure(batch: batch, threading: other.threading(threads: threadCount, batch: batch),
                                                                       seconds: seconds, clock: clock)))
                }
            }
        }
        return (rows, comparisons)
    }
}
