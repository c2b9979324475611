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
        /// The faster of the two sgemm rates below (GFLOP/s, 1024³ on the same threads).
        public var sgemm_gflops: Double
        /// The network's gemm kernel and OpenBLAS's kernel set.
        public var gemm: String
        public var blas_core: String
        public var openblas_sgemm_gflops: Double
        public var avx512_sgemm_gflops: Double?
        /// The machine: CPU model, vendor, family/model numbers and vector features.
        public var cpu_model: String
        public var cpu_vendor: String
        public var cpu_family: Int?
        public var cpu_model_number: Int?
        public var cpu_features: [String]
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
            let openblasSgemm = BLASBenchmark.sgemmGFLOPS(m: 1024, n: 1024, k: 1024, kernel: .openblas, clock: clock)
            let avx512Sgemm = GEMMKernel.availableOnThisCPU
                ? BLASBenchmark.sgemmGFLOPS(m: 1024, n: 1024, k: 1024, kernel: .avx512, clock: clock) : nil
            for (kernel, batch) in kernels.flatMap({ kernel in batches.map { (kernel, $0) } }) {
                GEMMKernel.current = kernel
                let m = measure(batch: batch, threading: strategy.threading(threads: threadCount, batch: batch), seconds: seconds, clock: clock)
                rows.append(Row(batch: batch, threads: threadCount, evals_per_second: m.evaluationsPerSecond,
                                train_steps_per_second: m.trainingStepsPerSecond, gflops: m.evaluationGFLOPS,
                                sgemm_gflops: max(openblasSgemm, avx512Sgemm ?? 0), gemm: kernel.rawValue, blas_core: BLASCore.name,
                                openblas_sgemm_gflops: openblasSgemm, avx512_sgemm_gflops: avx512Sgemm,
                                cpu_model: machine.model, cpu_vendor: machine.vendor, cpu_family: machine.family,
                                cpu_model_number: machine.modelNumber, cpu_features: machine.features))
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
