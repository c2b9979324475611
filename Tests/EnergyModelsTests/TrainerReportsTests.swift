// TrainerReportsTests: the configuration a dataset's recipe names is found only where it exists,
// and each kind of run reports its own figures.

import Foundation
import XCTest
@testable import EnergyModels

final class TrainerReportsTests: XCTestCase {
    func testRecipeConfigurationIsFoundBesideTheRecipes() throws {
        let data = try Fixtures.folder(train: Fixtures.randomWalk(episodes: 4, steps: 6, stateSize: 2, seed: 1))
        let recipes = try Fixtures.temporaryDirectory()
        XCTAssertNil(TrainingConfiguration.recipeFile(dataFolder: data.path, recipes: recipes.path), "no meta.json")
        try #"{"name": "walk"}"#.write(to: data.appendingPathComponent("meta.json"), atomically: true, encoding: .utf8)
        XCTAssertNil(TrainingConfiguration.recipeFile(dataFolder: data.path, recipes: recipes.path), "no walk.train.json")
        let file = recipes.appendingPathComponent("walk.train.json")
        try "{}".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(TrainingConfiguration.recipeFile(dataFolder: data.path, recipes: recipes.path)?.path, file.path)
    }

    func testEachKindReportsItsFigures() throws {
        let data = try Fixtures.folder(train: Fixtures.randomWalk(episodes: 32, steps: 10, stateSize: 2, seed: 2))
        var c = TrainingConfiguration()
        (c.model.contextLength, c.model.horizon, c.model.hiddenWidth, c.model.depth) = (2, 2, 8, 2)
        var m = TrainingMetrics(step: 3, loss: 0.25)
        (m.energyData, m.energySamples, m.langevinGradientNorm, m.replayAge, m.learningRate) = (-1, 0.5, 2, 7, 0.001)
        let ebm = try Trainer(kind: .ebm, configuration: c, dataDirectory: data, outputDirectory: try Fixtures.temporaryDirectory())
        XCTAssertEqual(ebm.progressText(m), "E(data) -1.000 E(samples) 0.500 gap 1.500 |∇E| 2 age 7\u{1B}[K")
        XCTAssertEqual(ebm.evaluationLine(m), "test: E(data) -1.0000, E(samples from noise) 0.5000, gap 1.5000, sample-vs-data MSE 0.2500 (normalised)")
        let ff = try Trainer(kind: .feedforward, configuration: c, dataDirectory: data, outputDirectory: try Fixtures.temporaryDirectory())
        XCTAssertEqual(ff.progressText(m), "mse 0.25\u{1B}[K")
        XCTAssertEqual(ff.evaluationLine(m), "test: MSE 0.25000 (normalised future features)")
        c.optimization.objective = .dsm
        c.denoising.basisSize = 4
        let dsm = try Trainer(kind: .ebm, configuration: c, dataDirectory: data, outputDirectory: try Fixtures.temporaryDirectory())
        XCTAssertEqual(dsm.progressText(m), "dsm loss 0.2500 lr 0.001\u{1B}[K")
        XCTAssertTrue(dsm.evaluationLine(m).hasPrefix("test: denoising loss 0.2500"))
    }

    /// `TrainingProgress` (ebm train's): off a terminal one log line per logged interval and the bar's
    /// closing line; on a terminal the bar with the step's figures; nothing when quiet.
    func testTrainingProgressLinesOnAndOffATerminal() throws {
        let data = try Fixtures.folder(train: Fixtures.randomWalk(episodes: 16, steps: 8, stateSize: 2, seed: 3))
        var c = TrainingConfiguration()
        (c.model.contextLength, c.model.horizon, c.model.hiddenWidth, c.model.depth) = (2, 2, 8, 2)
        (c.optimization.steps, c.optimization.batchSize, c.logEvery, c.checkpointEvery) = (4, 8, 2, 0)
        for (interactive, quiet) in [(false, false), (true, false), (false, true)] {
            var log: [String] = [], terminal = ""
            let trainer = try Trainer(kind: .feedforward, configuration: c, dataDirectory: data, outputDirectory: try Fixtures.temporaryDirectory())
            let progress = TrainingProgress(trainer: trainer, quiet: quiet, interactive: interactive, log: { log.append($0) }, terminal: { terminal += $0 })
            _ = try trainer.run(onStep: progress.step, onLog: progress.logged)
            progress.finish()
            if quiet {
                XCTAssertEqual(log, [])
                XCTAssertEqual(terminal, "")
            } else if interactive {
                XCTAssertEqual(log, [], "on a terminal the figures go on the bar's line")
                XCTAssertTrue(terminal.hasPrefix("\r[#######-"), "step 1 of 4 drawn at once: \(terminal)")
                XCTAssertTrue(terminal.contains("] 4/4 it  "), terminal)
                XCTAssertTrue(terminal.hasSuffix(" \n"))
            } else {
                XCTAssertEqual(log.count, 2, "\(log)")
                XCTAssertTrue(log[0].hasPrefix("step 2/4  loss "), log[0])
                XCTAssertTrue(log[1].hasPrefix("step 4/4  loss "), log[1])
                // a plain line per interval (a slow runner may print one before the end), always the last
                XCTAssertTrue(terminal.contains("4/4 it (100%)") && terminal.hasSuffix("\n"), terminal)
            }
        }
    }

    /// The first and last lines of `ebm train`: kind, data, configuration, folder; the model and the speed.
    func testStartAndFinishLines() throws {
        let data = try Fixtures.folder(train: Fixtures.randomWalk(episodes: 8, steps: 6, stateSize: 2, seed: 4))
        var c = TrainingConfiguration()
        (c.model.contextLength, c.model.horizon, c.model.hiddenWidth, c.model.depth, c.optimization.steps, c.optimization.batchSize) = (2, 2, 8, 2, 40, 8)
        let trainer = try Trainer(kind: .feedforward, configuration: c, dataDirectory: data, outputDirectory: try Fixtures.temporaryDirectory())
        XCTAssertEqual(trainer.startLine(data: "d", configurationFile: nil, out: "runs/x"), "training feedforward on d with built-in defaults → runs/x")
        XCTAssertEqual(trainer.startLine(data: "d", configurationFile: URL(fileURLWithPath: "/c/t.json"), out: "o"), "training feedforward on d with /c/t.json → o")
        XCTAssertEqual(trainer.finishLines(out: "runs/x", seconds: 2), ["wrote runs/x/model.safetensors after 40 steps (2.0 s, 20.0 it/s)"])
        let split = try Trainer(kind: .ebm, configuration: c, dataDirectory: data, outputDirectory: try Fixtures.temporaryDirectory(),
                                parallelism: DataParallelism(microBatches: 2, collective: nil))
        XCTAssertEqual(split.startLine(data: "d", configurationFile: nil, out: "o"), "training ebm on d with built-in defaults → o in 1 rank(s) × 2 micro-batch(es)")
    }
}
