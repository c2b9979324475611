// Trainer: one `ebm train` run: data, model, optimiser, replay buffer and generator; contrastive
// divergence (energy model) or MSE (baseline) steps; metrics, checkpoints and resume.

import Foundation
import NeuralCore
import Trajectories

/// What one logged interval (or the final evaluation) measured.
public struct TrainingMetrics: Sendable, Equatable {
    /// Steps completed.
    public var step: Int
    /// Mean loss over the interval (CD loss, or MSE on normalised futures).
    public var loss: Double
    /// Mean E over data rows (energy model).
    public var energyData: Double = 0
    /// Mean E over Langevin samples (energy model).
    public var energySamples: Double = 0
    /// Mean ‖∂E/∂z‖ along the chains (energy model).
    public var langevinGradientNorm: Double = 0
    /// Mean age in steps of the replay rows chains started from (energy model).
    public var replayAge: Double = 0
    /// Mean parameter-gradient norm before clipping.
    public var gradientNorm: Double = 0
    /// The learning rate of the interval's last step.
    public var learningRate: Double = 0
    /// E(samples) − E(data).
    public var gap: Double { energySamples - energyData }
}

/// How a run ended.
public enum TrainingOutcome: Sendable, Equatable {
    /// Reached the configured step count; the final checkpoint is written.
    case finished
    /// `shouldStop` returned true; a checkpoint at the current step is written.
    case interrupted(step: Int)
}

/// One training run writing into `outputDirectory`:
/// `config.json`, `metrics.jsonl`, `checkpoints/step-NNNNNNNN.safetensors` (the model, loadable
/// by `Checkpoint.loadModel`, with configuration and window normalisation in its metadata),
/// `checkpoints/step-NNNNNNNN.state.safetensors` (optimiser moments, replay buffer, generator)
/// and, at the end, `model.safetensors`. A directory holding checkpoints is resumed from the
/// latest one.
public final class Trainer {
    public let kind: ModelKind
    public let configuration: TrainingConfiguration
    public let outputDirectory: URL
    /// The training split, read a chunk of episodes at a time when stored uncompressed (see `TrajectorySplit`).
    public let train: TrajectorySplit
    public let test: TrajectorySplit?
    public let encoding: WindowEncoding
    /// The energy model (kind .ebm).
    public let energyModel: TrajectoryEnergyModel?
    /// The baseline (kind .feedforward).
    public let predictor: FeedforwardPredictor?
    /// The noise-conditioned energy model (kind .ebm, objective "dsm"); `energyModel` is nil then.
    public let denoisingModel: DenoisingEnergyModel?
    /// The network being trained.
    public var network: Sequential { energyModel?.network ?? denoisingModel?.network ?? predictor!.network }
    /// Steps completed (resumed runs start above 0).
    public private(set) var step = 0
    /// The step this process started at (0, or the resumed checkpoint's).
    public private(set) var startStep = 0
    /// The steps of the current logging interval not yet written to `metrics.jsonl` (kept in the
    /// training state, so a resumed run logs the same interval means as an uninterrupted one).
    var interval: [TrainingMetrics] = []
    /// The largest state magnitude training accepts (positions in m or rad, velocities per second).
    public static let largestStateValue = 1e12
    /// The training data's `meta.json` identity, stored in every checkpoint.
    public private(set) var datasetIdentity: DatasetIdentity?

    let windows: SplitWindows
    var batches: MiniBatches
    var generator: SeededGenerator
    var optimizer: Adam
    var replay: ReplayBuffer
    /// The second-order pass of denoising score matching.
    var tape: InputGradientTape?
    /// Exponential moving average of the weights (denoising; what checkpoints keep).
    var averagedParameters: [Float] = []
    /// When `run` began (the `wall_s` of metrics lines counts from here).
    var runStart = Date()
    /// How each global batch is split over micro-batches and MPI ranks (see `DataParallelism`).
    public let parallelism: DataParallelism
    /// This rank asked to stop (Ctrl-C) before the current step; ranks agree through the step's reduction.
    var stopRequestedHere = false
    /// Some rank asked to stop: every rank stops after the same step.
    var stopAgreed = false
    /// Seconds this process spent in MPI collectives (gradient reduction, gathering negatives).
    public internal(set) var communicationSeconds = 0.0

    /// Opens `dataDirectory/train.npz` (and `test.npz` when present), then resumes from the
    /// latest checkpoint in `outputDirectory` or starts afresh.
    /// `parallelism` splits every batch into shares (micro-batches, MPI ranks); only its rank 0
    /// writes into `outputDirectory`. Splits stored uncompressed (as `ebm generate` writes them) are
    /// read a chunk of episodes at a time, so memory does not grow with the dataset; `streaming`
    /// false reads them whole instead (the same numbers, the same weights).
    /// - Throws: `TrainingError` naming the file for unreadable data, too few windows, a
    ///   checkpoint of another configuration or state size, or a corrupted checkpoint.
    public init(kind: ModelKind, configuration: TrainingConfiguration, dataDirectory: URL, outputDirectory: URL,
                parallelism: DataParallelism = .single, streaming: Bool = true) throws {
        try configuration.validate()
        let shares = parallelism.shares
        guard shares <= configuration.optimization.batchSize else {
            throw TrainingError.invalidConfiguration("\(shares) shares (\(parallelism.ranks) ranks × \(parallelism.microBatches) micro-batches) are more than optimization.batchSize \(configuration.optimization.batchSize) rows")
        }
        // spectral normalisation advances its power iteration at every training forward: once per share
        guard shares == 1 || !configuration.model.spectralNorm else {
            throw TrainingError.invalidConfiguration("model.spectralNorm trains in one share only (its power iteration runs at every forward): use --micro-batches 1 and one rank")
        }
        self.parallelism = parallelism
        self.kind = kind
        self.configuration = configuration
        self.outputDirectory = outputDirectory
        let trainURL = dataDirectory.appendingPathComponent("train.npz")
        guard FileManager.default.fileExists(atPath: trainURL.path) else {
            throw TrainingError.file(FileError(.notFound, path: trainURL.path, "no train.npz (generate one with `ebm generate RECIPE`)"))
        }
        train = try Self.readSplit(trainURL, streaming: streaming)
        let testURL = dataDirectory.appendingPathComponent("test.npz")
        test = FileManager.default.fileExists(atPath: testURL.path) ? try Self.readSplit(testURL, streaming: streaming) : nil
        if let test, (test.stateSize, test.controlSize) != (train.stateSize, train.controlSize) {
            throw TrainingError.file(FileError(.mismatched, path: testURL.path, "the test split has states of \(test.stateSize) and controls of \(test.controlSize) numbers, "
                                + "the train split \(train.stateSize) and \(train.controlSize) (splits of different datasets?)"))
        }
        datasetIdentity = DatasetIdentity(datasetFolder: dataDirectory)
        // values no robot reaches would otherwise surface as a divergence blamed on the learning rate
        for (split, url) in [(train, trainURL), (test, testURL)] {
            guard let split else { continue }
            try Self.readingSplit(url) {
                try split.forEachChunk { first, chunk in
                    guard let i = chunk.states.firstIndex(where: { abs($0) > Trainer.largestStateValue }) else { return }
                    let (row, d) = (i / split.stateSize, i % split.stateSize)
                    throw TrainingError.file(FileError(.malformed, path: url.path, "state \(d) of episode \(first + row / (split.steps + 1)), step \(row % (split.steps + 1)) is \(chunk.states[i]), "
                                        + "beyond ±\(Trainer.largestStateValue) (damaged data, or a simulation that diverged)"))
                }
            }
        }
        let m = configuration.model
        let train = self.train
        windows = try Self.readingSplit(trainURL) { try SplitWindows(train, context: m.contextLength, future: m.horizon, padEnd: configuration.data.padEpisodeEnds) }
        guard windows.count >= configuration.optimization.batchSize else {
            throw TrainingError.file(FileError(.malformed, path: trainURL.path, "\(windows.count) windows of \(m.contextLength) + \(m.horizon) states, fewer than the batch size \(configuration.optimization.batchSize)"))
        }
        batches = try MiniBatches(count: windows.count, batchSize: configuration.optimization.batchSize, seed: configuration.seed)
        generator = SeededGenerator(seed: configuration.seed ^ 0x5EED_CD00_0000_0001)
        let o = configuration.optimization
        optimizer = Adam(learningRate: o.learningRate, beta1: o.beta1, beta2: o.beta2)

        // Resume: the latest complete checkpoint pair fixes the encoding, weights and state.
        let latest = try Self.latestCheckpoint(in: outputDirectory)
        var goalCount = 0
        if m.conditionOnGoal {
            let largest = train.goal.max() ?? -1
            guard largest < Int64(WindowEncoding.maximumGoalCount) else {
                throw TrainingError.file(FileError(.malformed, path: trainURL.path, "goal label \(largest) is above the limit \(WindowEncoding.maximumGoalCount - 1) (one input per goal: labels are small indices)"))
            }
            goalCount = Int(largest) + 1
            guard goalCount > 0, train.goal.allSatisfy({ $0 >= 0 }) else {
                throw TrainingError.file(FileError(.malformed, path: trainURL.path, "model.conditionOnGoal needs a goal label (goal >= 0) on every episode; this split has none or some -1"))
            }
            if let test, let bad = test.goal.first(where: { !(0..<Int64(goalCount)).contains($0) }) {
                throw TrainingError.file(FileError(.malformed, path: testURL.path, "goal \(bad) is outside the training split's goals 0..<\(goalCount)"))
            }
        }
        // the statistics pass over every window: only for a fresh run (a resumed one keeps its checkpoint's)
        var measured: WindowEncoding?
        if latest == nil {
            let windows = self.windows
            measured = try Self.readingSplit(trainURL) {
                try WindowEncoding(windows: windows, futureAsDelta: m.futureAsDelta, goalCount: goalCount, conditionOnControls: m.conditionOnControls)
            }
        }
        let denoising = kind == .ebm && configuration.optimization.objective == .dsm
        var basis: FutureBasis?
        if let latest {
            let saved = try CheckpointMetadata.read(latest.model)
            guard saved.kind == kind else {
                throw TrainingError.file(FileError(.mismatched, path: latest.model.path, "holds a \(saved.kind.rawValue) checkpoint; this run trains \(kind.rawValue) (use another --out)"))
            }
            if let was = saved.dataset, let now = datasetIdentity, was != now {
                throw TrainingError.file(FileError(.mismatched, path: latest.model.path, "was trained on \(was.robot) data (model sha256 \(was.modelHash.prefix(12))…); \(dataDirectory.path) holds \(now.robot) "
                                    + "(model sha256 \(now.modelHash.prefix(12))…): resume on the same dataset or use another --out"))
            }
            guard saved.configuration == configuration else {
                throw TrainingError.file(FileError(.mismatched, path: latest.model.path, "was trained with a different configuration; resume with the same one or use another --out"))
            }
            guard saved.encoding.stateSize == train.stateSize else {
                throw TrainingError.file(FileError(.mismatched, path: latest.model.path, "checkpoint states have \(saved.encoding.stateSize) coordinates, the dataset \(trainURL.path) has \(train.stateSize)"))
            }
            measured = saved.encoding
            basis = saved.basis
        }
        encoding = measured!
        switch kind {
        case .ebm where denoising:
            let d = configuration.denoising
            if basis == nil {
                let windows = self.windows
                basis = try Self.readingSplit(trainURL) {
                    try FutureBasis.fit(windows, kind: d.basis, size: d.basisSize, futureAsDelta: m.futureAsDelta, maxWindows: d.basisWindows, originFade: d.originFade)
                }
            }
            let model = DenoisingEnergyModel(configuration: m, denoising: d, encoding: encoding, basis: basis!, seed: configuration.seed)
            (denoisingModel, energyModel, predictor) = (model, nil, nil)
            tape = try InputGradientTape(model.network)
            averagedParameters = Array(UnsafeBufferPointer(start: model.network.parameters.baseAddress, count: model.network.parameterLayout.count))
        case .ebm:
            energyModel = TrajectoryEnergyModel(configuration: m, encoding: encoding, seed: configuration.seed)
            (predictor, denoisingModel) = (nil, nil)
        case .feedforward:
            predictor = FeedforwardPredictor(configuration: m, encoding: encoding, seed: configuration.seed)
            (energyModel, denoisingModel) = (nil, nil)
        }
        replay = ReplayBuffer(width: encoding.width, capacity: configuration.replay.capacity)
        // a share's numbers must not depend on how many cores its process sees (one rank per core under mpirun)
        // (OpenBLAS splits a gemm differently on 1 and on 2 threads, so every share runs on one)
        if shares > 1 { network.threading = .single; BLASThreads.set(1) }
        if let latest {
            do { try Checkpoint.load(from: latest.model, into: network) } catch let error as CheckpointError {
                throw TrainingError.file(FileError(.malformed, path: latest.model.path, "cannot resume: \(error)"))
            }
            try restoreState(from: latest.state, step: latest.step)
            step = latest.step
            for _ in 0..<step { _ = try batches.next() }   // the batch order is a function of the step
        }
        startStep = step
        try requireRanksAgree()
    }

    private static func readSplit(_ url: URL, streaming: Bool) throws -> TrajectorySplit {
        try readingSplit(url) { try TrajectorySplit(contentsOf: url, streaming: streaming) }
    }

    /// `body`, its read errors (`FileError`, `NumPyError`, `DatasetError`) as `TrainingError.file`
    /// naming `url`: the error's own `FileError` when it names `url`, else one whose detail is the error.
    static func readingSplit<T>(_ url: URL, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as TrainingError { throw error } catch {
            if let fileError = FileError.of(error), fileError.path == url.path { throw TrainingError.file(fileError) }
            throw TrainingError.file(FileError(.malformed, path: url.path, "\(error)"))
        }
    }

    // MARK: - Training

    /// Trains until the configured step count or until `shouldStop()`; reports each logged
    /// interval through `onLog` and every step through `onStep`.
    public func run(shouldStop: () -> Bool = { false },
                    onStep: (Int, TrainingMetrics?) -> Void = { _, _ in },
                    onLog: (TrainingMetrics) -> Void = { _ in }) throws -> TrainingOutcome {
        let writer = parallelism.isWriter
        if writer {
            do { try AtomicFile.createDirectory(outputDirectory.appendingPathComponent("checkpoints")) } catch let error as FileError { throw TrainingError.file(error) }
            removeLeftovers()
            if step == 0 {
                // a fresh run: a model of an earlier run in this folder must not outlive its config and metrics
                try? FileManager.default.removeItem(at: outputDirectory.appendingPathComponent("model.safetensors"))
            }
            try writeText(configuration.encodedJSON() + "\n", to: outputDirectory.appendingPathComponent("config.json"))
            try truncateMetrics(after: step)
        }
        runStart = Date()
        let total = configuration.optimization.steps
        var last: TrainingMetrics?
        (stopRequestedHere, stopAgreed) = (false, false)
        while step < total {
            // several ranks stop together: a request travels with the next step's reduction
            if parallelism.ranks > 1 ? stopAgreed : shouldStop() {
                if writer { try saveCheckpoint() }
                return .interrupted(step: step)
            }
            if parallelism.ranks > 1 { stopRequestedHere = shouldStop() }
            let metrics = kind == .feedforward ? try regressionStep() : denoisingModel != nil ? try denoisingStep() : try contrastiveDivergenceStep()
            step += 1
            interval.append(metrics)
            if step % configuration.logEvery == 0 || step == total {
                let mean = Self.mean(interval, step: step)
                if writer { try appendMetrics(mean, event: "train") }
                onLog(mean)
                last = mean
                interval = []
            }
            onStep(step, last)
            if writer && configuration.checkpointEvery > 0 && step % configuration.checkpointEvery == 0 && step < total {
                try saveCheckpoint()
            }
        }
        guard writer else { return .finished }
        try saveCheckpoint()
        try withAveragedParameters {
            try Checkpoint.save(network, to: outputDirectory.appendingPathComponent("model.safetensors"),
                                normalization: networkNormalization, metadata: try metadata())
        }
        return .finished
    }

    /// The global batch's window indices (B): the next mini-batch, the first `episodeStartFraction`
    /// of it replaced by windows starting in the first `episodeStartSpan` steps of random episodes.
    func batchIndices() throws -> [Int] {
        var indices = try batches.next()
        let d = configuration.data
        let starts = Int((d.episodeStartFraction * Float(indices.count)).rounded())
        let span = min(d.episodeStartSpan, windows.perEpisode)
        for i in 0..<starts {
            let episode = Int(generator.next() % UInt64(train.episodes)), start = Int(generator.next() % UInt64(span))
            indices[i] = episode * windows.perEpisode + start
        }
        return indices
    }

    /// Raw windows of `indices`: contexts (n, contextWidth) and futures (n, H, S).
    func dataWindows(_ indices: ArraySlice<Int>) throws -> (context: [Float], future: [Float]) {
        var context: [Float] = [], future: [Float] = []
        try encoding.gather(windows, Array(indices), context: &context, future: &future)
        return (context, future)
    }

    /// Normalised data rows (n, width) of `indices`.
    private func dataRows(_ indices: ArraySlice<Int>) throws -> [Float] {
        let (context, future) = try dataWindows(indices)
        return encoding.encode(context: context, future: future)
    }

    /// One contrastive-divergence step: loss = mean E(data) − mean E(samples) + α(mean E(data)² + mean E(samples)²).
    /// With several shares, each computes its rows' chains and gradients; the negatives are
    /// gathered after the chains (the replay buffer and the entropy term see the whole batch).
    func contrastiveDivergenceStep() throws -> TrainingMetrics {
        let model = energyModel!
        let (C, W) = (encoding.contextWidth, encoding.width)
        let indices = try batchIndices()
        let batch = indices.count
        let shares = parallelism.localShares.map { parallelism.rows(ofShare: $0, batch: batch) }
        let mine = shares.first!.lowerBound..<shares.last!.upperBound
        // Data rows of this rank's shares (B, width; other ranks' rows stay zero until gathered).
        var positives = [Float](repeating: 0, count: batch * W)
        positives.replaceSubrange((mine.lowerBound * W)..<(mine.upperBound * W), with: try dataRows(indices[mine]))
        // Chains start from the replay buffer (their own context kept) or from noise under a data context;
        // every rank draws every row's numbers and keeps its own.
        var negatives = positives
        var ageSum = 0.0, replayed = 0
        for b in 0..<batch {
            if replay.count > 0 && Float(generator.nextUnitDouble()) < configuration.replay.fraction {
                let j = Int(generator.next() % UInt64(replay.count))
                if mine.contains(b) { negatives.replaceSubrange((b * W)..<((b + 1) * W), with: replay.row(j)) }
                ageSum += Double(step - replay.stepStored[j])
                replayed += 1
            } else {
                let first = configuration.langevin.moveContext ? b * W : b * W + C
                for f in first..<((b + 1) * W) {
                    let value = configuration.langevin.initialScale * generator.nextGaussian()
                    if mine.contains(b) { negatives[f] = value }
                }
            }
        }
        let improved = configuration.improved
        let chainsStart = generator
        var lastSteps: [LangevinChains.LastStep?] = [], normSums: [Double] = []
        for rows in shares {
            // each share replays the whole batch's chain noise from the same state, using its rows' part
            generator = chainsStart
            var chains = Array(negatives[(rows.lowerBound * W)..<(rows.upperBound * W)])
            let (norm, lastStep) = LangevinChains.run(model, rows: &chains, configuration: configuration.langevin,
                                                      moveContext: configuration.langevin.moveContext, generator: &generator,
                                                      captureLastStep: improved.klWeight > 0 || improved.entropyWeight > 0,
                                                      skippedRows: (rows.lowerBound, batch - rows.upperBound))
            negatives.replaceSubrange((rows.lowerBound * W)..<(rows.upperBound * W), with: chains)
            lastSteps.append(lastStep)
            normSums.append(Double(norm) * Double(rows.count))
        }
        if parallelism.ranks > 1 { try gatherRows(&negatives, width: W) }
        replay.insert(negatives, step: step)

        let alpha = configuration.optimization.energyRegularization
        let n = Float(batch), G = encoding.goalCount
        var share = 0
        let sums = try reduceShares(batch: batch, partials: 5) { rows in
            defer { share += 1 }
            let m = rows.count
            let data = Array(positives[(rows.lowerBound * W)..<(rows.upperBound * W)])
            let samples = Array(negatives[(rows.lowerBound * W)..<(rows.upperBound * W)])
            // Extra rows whose parameter gradients carry the second-order terms (see `directionalPairs`).
            var extraRows: [Float] = [], extraGradient: [Float] = []
            if let lastStep = lastSteps[share] {
                improvedCDPairs(samples: negatives, rows: rows, lastStep: lastStep, extraRows: &extraRows, gradient: &extraGradient)
            }
            if improved.gradientPenalty > 0 { gradientPenaltyPairs(data: data, batch: batch, rows: &extraRows, gradient: &extraGradient) }
            let relabelled = configuration.optimization.goalCrossEntropy > 0 ? relabel(data) : nil

            // One forward over [data; samples; extra] so backward sees every term.
            let labelRows = relabelled.map { $0.rows.count / W } ?? 0
            let energies = model.network.forward(Tensor(shape: [2 * m + extraGradient.count + labelRows, W],
                                                        scalars: data + samples + extraRows + (relabelled?.rows ?? [])),
                                                 training: true).scalars
            var lossSum: Double = 0, dataSum: Double = 0, sampleSum: Double = 0, crossEntropy = 0.0
            var outputGradient = [Float](repeating: 0, count: 2 * m) + extraGradient
            if let relabelled {
                // ∂CE/∂E_g = (y_g − p_g) for logits −E: lower the true goal's energy against the others'
                let offset = 2 * m + extraGradient.count, weight = configuration.optimization.goalCrossEntropy / n
                for b in 0..<m {
                    let e = energies[(offset + b * G)..<(offset + (b + 1) * G)]
                    let low = e.min()!
                    let weights = e.map { exp(Double(low - $0)) }, total = weights.reduce(0, +)
                    for g in 0..<G {
                        let p = weights[g] / total, y = g == relabelled.labels[b] ? 1.0 : 0.0
                        if y == 1 { crossEntropy -= log(max(p, 1e-30)) / Double(batch) }
                        outputGradient.append(weight * Float(y - p))
                    }
                }
            }
            for b in 0..<m {
                let (ep, en) = (energies[b], energies[m + b])
                dataSum += Double(ep); sampleSum += Double(en)
                lossSum += Double(ep - en + alpha * (ep * ep + en * en))
                outputGradient[b] = (1 + 2 * alpha * ep) / n
                outputGradient[m + b] = (-1 + 2 * alpha * en) / n
            }
            outputGradient.withUnsafeBufferPointer { g in
                model.network.backward(outputGradient: g.baseAddress!, inputGradient: nil, accumulateParameterGradients: true)
            }
            return [lossSum, dataSum, sampleSum, crossEntropy, normSums[share]]
        }
        let metrics = TrainingMetrics(step: step + 1,
                                      loss: sums[0] / Double(batch) + Double(configuration.optimization.goalCrossEntropy) * sums[3],
                                      energyData: sums[1] / Double(batch), energySamples: sums[2] / Double(batch),
                                      langevinGradientNorm: sums[4] / Double(batch),
                                      replayAge: replayed > 0 ? ageSum / Double(replayed) : 0)
        let threshold = Double(configuration.optimization.divergenceThreshold)
        guard metrics.loss.isFinite, abs(metrics.energyData) < threshold, abs(metrics.energySamples) < threshold else {
            throw divergence(metrics)
        }
        return try optimizerStep(metrics)
    }

    /// Rows x ± ε_b·w_b with output gradients ±c_b/(2ε_b): their parameter gradients add
    /// Σ_b c_b · ∂/∂θ [∇ₓE_θ(x_b) · w_b] by central differences along w_b, the second-order term our
    /// first-order layers cannot backpropagate. ε_b puts the two rows `spread` apart in normalised units.
    static func directionalPairs(_ x: [Float], directions w: [Float], scales c: [Float], width W: Int, spread: Float = 1e-2,
                                 rows: inout [Float], gradient: inout [Float]) {
        for b in 0..<c.count {
            var norm: Float = 0
            for j in (b * W)..<((b + 1) * W) { norm += w[j] * w[j] }
            norm = norm.squareRoot()
            guard norm > 0, norm.isFinite, c[b] != 0 else { continue }
            let epsilon = spread / norm
            for sign: Float in [1, -1] {
                rows += (0..<W).map { x[b * W + $0] + sign * epsilon * w[b * W + $0] }
                gradient.append(sign * c[b] / (2 * epsilon))
            }
        }
    }

    /// The KL and entropy terms of improved CD through the last Langevin step
    /// x_K = x_{K−1} − η·clamp(∇ₓE_θ(x_{K−1})) + σξ: with v = ∂L/∂x_K (L = λ_KL·mean E_θ̄(x_K) −
    /// λ_H·mean log ‖z_K − nearest z_K‖, parameters frozen in L), ∂L/∂θ = −η ∂/∂θ[∇ₓE_θ(x_{K−1})·(m ⊙ v)],
    /// m masking clamped elements (Du et al. 2021, eq. 7 and 8). `samples`: the whole batch (B, width);
    /// the pairs are those of `rows` (one share), whose last step `lastStep` holds.
    private func improvedCDPairs(samples: [Float], rows range: Range<Int>, lastStep: LangevinChains.LastStep,
                                 extraRows rows: inout [Float], gradient: inout [Float]) {
        let (C, W) = (encoding.contextWidth, encoding.width)
        let batch = samples.count / W, n = Float(batch), improved = configuration.improved
        let lo = range.lowerBound
        var v = [Float](repeating: 0, count: range.count * W)
        if improved.klWeight > 0 {
            let (_, g) = energyModel!.energyAndRowGradient(rows: Array(samples[(lo * W)..<(range.upperBound * W)]))
            for j in 0..<v.count { v[j] += improved.klWeight / n * g[j] }
        }
        if improved.entropyWeight > 0 && batch > 1 {
            for b in range {
                var best = Float.infinity, nearest = b
                for o in 0..<batch where o != b {
                    var d: Float = 0
                    for j in C..<W { let r = samples[b * W + j] - samples[o * W + j]; d += r * r }
                    if d < best { (best, nearest) = (d, o) }
                }
                guard best > 0 else { continue }
                for j in C..<W { v[(b - lo) * W + j] -= improved.entropyWeight / n * (samples[b * W + j] - samples[nearest * W + j]) / best }
            }
        }
        for j in 0..<v.count { v[j] *= lastStep.unclamped[j] }
        Self.directionalPairs(lastStep.rows, directions: v, scales: [Float](repeating: -lastStep.stepSize, count: range.count), width: W,
                              rows: &rows, gradient: &gradient)
    }

    /// Every data row under every goal label (B·G rows, goal-major within a row) and each row's
    /// own label, read back from its normalised one-hot.
    private func relabel(_ rows: [Float]) -> (rows: [Float], labels: [Int]) {
        let (K, G, W) = (encoding.stateContextWidth, encoding.goalCount, encoding.width)
        let batch = rows.count / W
        var out = [Float](), labels = [Int]()
        out.reserveCapacity(batch * G * W)
        for b in 0..<batch {
            let row = rows[(b * W)..<((b + 1) * W)]
            labels.append((0..<G).max { row[b * W + K + $0] * encoding.standardDeviation[K + $0] + encoding.mean[K + $0]
                < row[b * W + K + $1] * encoding.standardDeviation[K + $1] + encoding.mean[K + $1] }!)
            for g in 0..<G {
                var copy = Array(row)
                for j in 0..<G { copy[K + j] = ((j == g ? 1 : 0) - encoding.mean[K + j]) / encoding.standardDeviation[K + j] }
                out += copy
            }
        }
        return (out, labels)
    }

    /// λ·mean ‖∇_z E(data)‖² over a batch of `batch` rows, for the rows `data` (n, width) of one share:
    /// ∂/∂θ = (2λ/B) ∂/∂θ[∇ₓE_θ(x)·g] with g the (frozen) gradient itself.
    private func gradientPenaltyPairs(data: [Float], batch: Int, rows: inout [Float], gradient: inout [Float]) {
        let (C, W) = (encoding.contextWidth, encoding.width)
        let count = data.count / W
        var (_, g) = energyModel!.energyAndRowGradient(rows: data)
        for b in 0..<count { for j in (b * W)..<(b * W + C) { g[j] = 0 } }
        let scale = 2 * configuration.improved.gradientPenalty / Float(batch)
        Self.directionalPairs(data, directions: g, scales: [Float](repeating: scale, count: count), width: W, rows: &rows, gradient: &gradient)
    }

    /// One baseline step: MSE between predicted and true normalised futures.
    func regressionStep() throws -> TrainingMetrics {
        let network = predictor!.network
        let (C, F, W) = (encoding.contextWidth, encoding.futureWidth, encoding.width)
        let indices = try batchIndices()
        let batch = indices.count
        let sums = try reduceShares(batch: batch, partials: 1) { share in
            let rows = try dataRows(indices[share])
            let m = share.count
            var input = [Float](repeating: 0, count: m * C), target = [Float](repeating: 0, count: m * F)
            for b in 0..<m {
                for j in 0..<C { input[b * C + j] = rows[b * W + j] }
                for j in 0..<F { target[b * F + j] = rows[b * W + C + j] }
            }
            let output = network.forward(Tensor(shape: [m, C], scalars: input), training: true).scalars
            var lossSum: Double = 0
            var outputGradient = [Float](repeating: 0, count: m * F)
            for i in 0..<(m * F) {
                let r = output[i] - target[i]
                lossSum += Double(r * r)
                outputGradient[i] = 2 * r / Float(batch * F)
            }
            outputGradient.withUnsafeBufferPointer { g in
                network.backward(outputGradient: g.baseAddress!, inputGradient: nil, accumulateParameterGradients: true)
            }
            return [lossSum]
        }
        let metrics = TrainingMetrics(step: step + 1, loss: sums[0] / Double(batch * F))
        guard metrics.loss.isFinite, metrics.loss < Double(configuration.optimization.divergenceThreshold) else { throw divergence(metrics) }
        return try optimizerStep(metrics)
    }

    /// Clips the accumulated parameter gradients, then one Adam step at the scheduled learning rate.
    func optimizerStep(_ metrics: TrainingMetrics) throws -> TrainingMetrics {
        var metrics = metrics
        let clip = configuration.optimization.gradientClip
        let norm = clip > 0 ? GradientClipping.clipByNorm(network.gradients, maxNorm: clip) : Float(network.gradients.trainableNorm())
        guard norm.isFinite else { throw divergence(metrics) }
        metrics.gradientNorm = Double(norm)
        optimizer.learningRate = configuration.optimization.learningRate(step: step)
        metrics.learningRate = Double(optimizer.learningRate)
        optimizer.step(parameters: network.parameters, gradients: network.gradients)
        return metrics
    }

    func divergence(_ m: TrainingMetrics) -> TrainingError {
        let last = (try? Self.latestCheckpoint(in: outputDirectory))??.model.path
        return TrainingError.diverged(String(format: "training diverged at step %d (loss %g, E(data) %g, E(samples) %g); ", m.step, m.loss, m.energyData, m.energySamples)
                             + (last.map { "the last good checkpoint is \($0)" } ?? "no checkpoint was written yet")
                             + "; lower optimization.learningRate or raise energyRegularization")
    }

    static func mean(_ list: [TrainingMetrics], step: Int) -> TrainingMetrics {
        let n = Double(max(list.count, 1))
        func avg(_ key: KeyPath<TrainingMetrics, Double>) -> Double { list.reduce(0) { $0 + $1[keyPath: key] } / n }
        return TrainingMetrics(step: step, loss: avg(\.loss), energyData: avg(\.energyData), energySamples: avg(\.energySamples),
                               langevinGradientNorm: avg(\.langevinGradientNorm), replayAge: avg(\.replayAge),
                               gradientNorm: avg(\.gradientNorm), learningRate: list.last?.learningRate ?? 0)
    }

    // MARK: - Evaluation

    /// Test-split numbers: energy model: mean E on test windows and on Langevin samples from
    /// noise under the same contexts (`chainSteps` steps); baseline: MSE of the predicted futures,
    /// in normalised units (`loss`). At most `maxWindows` windows, evenly spaced.
    public func evaluate(maxWindows: Int = 2048, chainSteps: Int? = nil) throws -> TrainingMetrics? {
        guard let test else { return nil }
        if denoisingModel != nil { return try denoisingEvaluation(test, maxWindows: maxWindows) }
        let m = configuration.model
        let testWindows = try SplitWindows(test, context: m.contextLength, future: m.horizon)
        guard testWindows.count > 0 else { return nil }
        let count = min(maxWindows, testWindows.count)
        let indices = (0..<count).map { $0 * testWindows.count / count }
        var context: [Float] = [], future: [Float] = []
        try encoding.gather(testWindows, indices, context: &context, future: &future)
        let rows = encoding.encode(context: context, future: future)
        let (C, F, W) = (encoding.contextWidth, encoding.futureWidth, encoding.width)
        if let model = energyModel {
            let data = model.energies(rows: rows)
            var samples = rows
            var generator = SeededGenerator(seed: configuration.seed ^ 0xE7A1)
            for b in 0..<count {
                for f in (b * W + C)..<((b + 1) * W) { samples[f] = configuration.langevin.initialScale * generator.nextGaussian() }
            }
            let norm = LangevinChains.run(model, rows: &samples, configuration: configuration.langevin, steps: chainSteps, generator: &generator).gradientNorm
            let sampleEnergies = model.energies(rows: samples)
            var squared: Double = 0
            for b in 0..<count { for j in 0..<F { let r = samples[b * W + C + j] - rows[b * W + C + j]; squared += Double(r * r) } }
            return TrainingMetrics(step: step, loss: squared / Double(count * F),
                                   energyData: data.reduce(0) { $0 + Double($1) } / Double(count),
                                   energySamples: sampleEnergies.reduce(0) { $0 + Double($1) } / Double(count),
                                   langevinGradientNorm: Double(norm))
        }
        let network = predictor!.network
        var input = [Float](repeating: 0, count: count * C)
        for b in 0..<count { for j in 0..<C { input[b * C + j] = rows[b * W + j] } }
        let output = network.forward(Tensor(shape: [count, C], scalars: input)).scalars
        var squared: Double = 0
        for b in 0..<count { for j in 0..<F { let r = output[b * F + j] - rows[b * W + C + j]; squared += Double(r * r) } }
        return TrainingMetrics(step: step, loss: squared / Double(count * F))
    }

    // MARK: - Metrics file

    var metricsURL: URL { outputDirectory.appendingPathComponent("metrics.jsonl") }

    /// Appends one JSON line.
    func appendMetrics(_ m: TrainingMetrics, event: String) throws {
        var fields = [String(format: "\"event\":\"%@\",\"step\":%d,\"loss\":%.6g", event, m.step, m.loss)]
        if denoisingModel != nil {
            fields.append("\"objective\":\"dsm\"")
        } else if kind == .ebm {
            fields.append(String(format: "\"energy_data\":%.6g,\"energy_samples\":%.6g,\"gap\":%.6g,\"langevin_grad_norm\":%.6g,\"replay_age\":%.6g",
                                 m.energyData, m.energySamples, m.gap, m.langevinGradientNorm, m.replayAge))
        }
        if event == "train" { fields.append(String(format: "\"grad_norm\":%.6g", m.gradientNorm)) }
        if event == "train" && denoisingModel != nil { fields.append(String(format: "\"learning_rate\":%.6g", m.learningRate)) }
        // train lines: the learning rate of their last step; every line: seconds since this process began training, Unix time
        if event == "train" { fields.append(String(format: "\"lr\":%.6g", m.learningRate)) }
        if event == "test" { fields.append(String(format: "\"test_loss\":%.6g", m.loss)) }
        fields.append(String(format: "\"wall_s\":%.3f,\"time\":%.3f", Date().timeIntervalSince(runStart), Date().timeIntervalSince1970))
        let line = "{" + fields.joined(separator: ",") + "}\n"
        if !FileManager.default.fileExists(atPath: metricsURL.path),
           !FileManager.default.createFile(atPath: metricsURL.path, contents: nil) {
            throw TrainingError.file(FileError(.writeFailed, path: metricsURL.path, "cannot create the metrics file"))
        }
        let handle = try FileHandle(forWritingTo: metricsURL)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(line.utf8))
    }

    /// Records the test evaluation as a metrics line.
    public func recordEvaluation(_ m: TrainingMetrics) throws { try appendMetrics(m, event: "test") }

    /// Drops metric lines past `step` (a resumed run rewrites them).
    private func truncateMetrics(after step: Int) throws {
        guard let text = try? String(contentsOf: metricsURL, encoding: .utf8) else { return }
        let kept = text.split(separator: "\n").filter { line in
            guard let range = line.range(of: "\"step\":") else { return false }
            let digits = line[range.upperBound...].prefix { $0.isNumber }
            // a line cut by a kill mid-write (no closing brace) goes too
            return (Int(digits) ?? .max) <= step && !line.contains("\"event\":\"test\"") && line.hasSuffix("}")
        }
        try writeText(kept.map { $0 + "\n" }.joined(), to: metricsURL)
    }

    /// Removes what killed runs leave: temporary files (`.NAME.tmp-…`) of interrupted atomic writes
    /// and checkpoint files without their pair. One trainer writes a run folder at a time.
    func removeLeftovers() {
        let manager = FileManager.default
        let complete = Set(Self.completeCheckpoints(in: outputDirectory).flatMap { [$0.model.lastPathComponent, $0.state.lastPathComponent] })
        for folder in [outputDirectory, outputDirectory.appendingPathComponent("checkpoints")] {
            for name in (try? manager.contentsOfDirectory(atPath: folder.path)) ?? [] {
                let temporary = name.hasPrefix(".") && name.contains(".tmp-")
                let orphan = folder.lastPathComponent == "checkpoints" && name.hasPrefix("step-") && !complete.contains(name)
                if temporary || orphan { try? manager.removeItem(at: folder.appendingPathComponent(name)) }
            }
        }
    }

    private func writeText(_ text: String, to url: URL) throws {
        do { try AtomicFile.write(Array(text.utf8), to: url) } catch { throw TrainingError.file(FileError(.writeFailed, path: url.path, "cannot write: \(error)")) }
    }
}
