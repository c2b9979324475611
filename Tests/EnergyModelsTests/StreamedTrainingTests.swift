import Foundation
import NeuralCore
import Trajectories
import XCTest
@testable import EnergyModels

/// Training on a split read in place (issue 20) gives the same bytes as training on it read whole,
/// and its window statistics, future basis and batches are those of the whole-split API.
final class StreamedTrainingTests: XCTestCase {
    /// A dataset of more than one read chunk (4 MiB) of (q, v) random walks.
    func largeFolder() throws -> URL {
        let train = Fixtures.randomWalk(episodes: 20_000, steps: 10, stateSize: 2, seed: 4)
        XCTAssertGreaterThan(train.episodes, TrajectorySplit(train).episodesPerChunk, "more than one chunk")
        return try Fixtures.folder(train: train, test: Fixtures.randomWalk(episodes: 40, steps: 10, stateSize: 2, seed: 5))
    }

    func testStreamedTrainingIsByteIdenticalToInMemory() throws {
        let data = try largeFolder()
        var dsm = TrainerTests.smallConfiguration()
        dsm.optimization.objective = .dsm
        (dsm.model.horizon, dsm.model.futureAsDelta, dsm.data.padEpisodeEnds) = (4, true, true)
        (dsm.denoising.basis, dsm.denoising.basisSize) = (.pca, 4)
        for (kind, configuration) in [(ModelKind.ebm, TrainerTests.smallConfiguration()), (.ebm, dsm), (.feedforward, TrainerTests.smallConfiguration())] {
            let label = "\(kind) \(configuration.optimization.objective)"
            let streamedOut = try Fixtures.temporaryDirectory(), wholeOut = try Fixtures.temporaryDirectory()
            let streamed = try Trainer(kind: kind, configuration: configuration, dataDirectory: data, outputDirectory: streamedOut)
            let whole = try Trainer(kind: kind, configuration: configuration, dataDirectory: data, outputDirectory: wholeOut, streaming: false)
            XCTAssertTrue(streamed.train.isStreamed && streamed.test!.isStreamed, label)
            XCTAssertFalse(whole.train.isStreamed, label)

            // the data-derived numbers are those of the whole-split API (TrajectoryWindows)
            let dataset = try TrajectoryDataset(contentsOf: data.appendingPathComponent("train.npz"))
            let m = configuration.model
            let windows = try TrajectoryWindows(dataset, context: m.contextLength, future: m.horizon, padEnd: configuration.data.padEpisodeEnds)
            XCTAssertEqual(streamed.encoding, WindowEncoding(windows: windows, futureAsDelta: m.futureAsDelta), label)
            if let model = streamed.denoisingModel {
                let d = configuration.denoising
                XCTAssertEqual(model.basis, try FutureBasis.fit(windows, kind: d.basis, size: d.basisSize, futureAsDelta: m.futureAsDelta,
                                                                maxWindows: d.basisWindows), label)
            }
            let indices = Array(try streamed.batchIndices()) + [0, windows.count - 1]
            var (c1, f1, c2, f2) = ([Float](), [Float](), [Float](), [Float]())
            streamed.encoding.gather(windows, indices, context: &c1, future: &f1)
            try streamed.encoding.gather(streamed.windows, indices, context: &c2, future: &f2)
            XCTAssertEqual(c1, c2, label)
            XCTAssertEqual(f1, f2, label)

            // the same weights, evaluation and files, byte for byte (a fresh trainer: batchIndices above drew a batch)
            let run = try Trainer(kind: kind, configuration: configuration, dataDirectory: data, outputDirectory: try Fixtures.temporaryDirectory())
            XCTAssertEqual(try run.run(), .finished)
            XCTAssertEqual(try whole.run(), .finished)
            XCTAssertEqual(run.network.parameters.scalars, whole.network.parameters.scalars, label)
            XCTAssertEqual(try run.evaluate(), try whole.evaluate(), label)
            XCTAssertEqual(try Data(contentsOf: run.outputDirectory.appendingPathComponent("model.safetensors")),
                           try Data(contentsOf: wholeOut.appendingPathComponent("model.safetensors")), label)
        }
    }

    /// A compressed split trains too (read whole), to the same weights.
    func testCompressedSplitIsReadWholeToTheSameWeights() throws {
        let train = Fixtures.randomWalk(episodes: 30, steps: 10, stateSize: 2, seed: 6)
        let stored = try Fixtures.folder(train: train), compressed = try Fixtures.temporaryDirectory()
        try train.archive().write(to: compressed.appendingPathComponent("train.npz"), compression: .deflate)
        let configuration = TrainerTests.smallConfiguration()
        let a = try Trainer(kind: .ebm, configuration: configuration, dataDirectory: stored, outputDirectory: try Fixtures.temporaryDirectory())
        let b = try Trainer(kind: .ebm, configuration: configuration, dataDirectory: compressed, outputDirectory: try Fixtures.temporaryDirectory())
        XCTAssertTrue(a.train.isStreamed)
        XCTAssertFalse(b.train.isStreamed)
        _ = try a.run()
        _ = try b.run()
        XCTAssertEqual(a.network.parameters.scalars, b.network.parameters.scalars)
    }
}
