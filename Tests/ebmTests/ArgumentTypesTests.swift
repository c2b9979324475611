import ArgumentParser
import Foundation
import Planning
import XCTest
@testable import ebm

/// The library's enums as argument types, the planner options shared by `plan` and `bench plan`,
/// and `ebm train --kind` beside the older `--model`.
final class ArgumentTypesTests: XCTestCase {
    func testTrainKindAndItsOlderSpelling() throws {
        let folder = FileManager.default.temporaryDirectory.path   // validate() wants the data folder to exist
        let base = ["--data", folder, "--out", "o"]
        XCTAssertEqual(try Train.parse(base).modelKind, .ebm)
        XCTAssertEqual(try Train.parse(base + ["--kind", "feedforward"]).modelKind, .feedforward)
        XCTAssertEqual(try Train.parse(base + ["--model", "feedforward"]).modelKind, .feedforward)
        XCTAssertEqual(try Train.parse(base + ["--kind", "ebm", "--model", "ebm"]).modelKind, .ebm)
        XCTAssertThrowsError(try Train.parse(base + ["--kind", "mlp"]))
        // both spellings, different kinds: refused
        XCTAssertThrowsError(try Train.parse(["--data", folder, "--out", "o", "--kind", "ebm", "--model", "feedforward"])) { error in
            XCTAssertTrue(Train.message(for: error).contains("--kind ebm and --model feedforward differ"), Train.message(for: error))
        }
    }

    func testEnumsParseTheirSpellingsAndRefuseOthers() throws {
        let required = ["--model", "run", "--data", "data", "--out", "o.npz"]
        XCTAssertEqual(try Predict.parse(required).window.dataset.split, .test)
        XCTAssertEqual(try Predict.parse(required + ["--split", "train"]).window.dataset.split, .train)
        XCTAssertThrowsError(try Predict.parse(required + ["--split", "valid"]))
        XCTAssertEqual(try Score.parse(required + ["--split", "train"]).input.split, .train)
        let plan = ["--robot", "pointmass2d", "--goal", "0.1,0.2", "--out", "x"]
        XCTAssertEqual(try Plan.parse(plan).planner, .langevin)
        XCTAssertEqual(try Plan.parse(plan + ["--planner", "cem-sim"]).planner, .cemSim)
        XCTAssertThrowsError(try Plan.parse(plan + ["--planner", "teleport"]))
        XCTAssertEqual(try Plan.parse(plan + ["--coordinates", "states"]).tuning.coordinates, .states)
        XCTAssertThrowsError(try Plan.parse(plan + ["--coordinates", "joints"]))
        XCTAssertEqual(try Simulate.parse(["reacher2", "--steps", "1", "--integrator", "rk4", "--out", "s.npz"]).integrator, .rk4)
        XCTAssertEqual(try BenchSim.parse(["--clock", "cpu", "--integrators", "rk4"]).clock, .cpu)
        XCTAssertEqual(try BenchSim.parse(["--clock", "cpu", "--integrators", "rk4"]).integrators, [.rk4])
        XCTAssertThrowsError(try BenchNN.parse(["--clock", "sundial"]))
    }

    func testPredictAndEvaluateShareTheirSamplerOptions() throws {
        let required = ["--model", "run", "--data", "data", "--out", "o"]
        let settings = ["--sampler", "hmc", "--steps", "9", "--step-size", "0.02", "--leapfrog", "4", "--target-acceptance", "0.8",
                        "--temperature", "0.5", "--initial-scale", "0.3", "--levels", "6", "--noise", "0.01", "--tolerance", "1e-3"]
        for options in [try Predict.parse(required + settings).sampling, try Evaluate.parse(required + settings).sampling] {
            XCTAssertEqual(options.sampler, .hmc)
            XCTAssertEqual(options.steps, 9)
            XCTAssertEqual([options.stepSize, options.targetAcceptance, options.temperature, options.initialScale, options.noise, options.tolerance],
                           [0.02, 0.8, 0.5, 0.3, 0.01, 1e-3])
            XCTAssertEqual([options.leapfrog, options.levels], [4, 6])
        }
        // nothing given: each command's own default kind, the library's defaults for the rest
        let defaults = try Evaluate.parse(required).sampling
        XCTAssertNil(defaults.sampler)
        XCTAssertNil(defaults.steps)
        XCTAssertEqual(defaults.leapfrog, 10)
        XCTAssertEqual(defaults.targetAcceptance, 0.65)
    }

    func testPlanAndBenchPlanShareTheirTuningOptions() throws {
        let tuning = ["--weight", "goal=200", "--steps", "7", "--step-size", "0.05", "--final-step-size", "0.01", "--noise", "0.1",
                      "--samples", "9", "--temperature", "0.3", "--margin", "0.02", "--gradient-clip", "2", "--cold-start-rounds", "3"]
        let plan = try Plan.parse(["--robot", "reacher2", "--goal", "0.1,0.1", "--out", "x"] + tuning).tuning
        let bench = try BenchPlan.parse(tuning).tuning
        for options in [plan, bench] {
            var setup = try PlanningSetup(preset: .reacher2)
            try options.apply(to: &setup)
            XCTAssertEqual(setup.goalWeight, 200)
            XCTAssertEqual([setup.langevinSteps, setup.populationSamples, setup.coldStartRounds], [7, 9, 3])
            XCTAssertEqual([setup.langevinStepSize, setup.langevinFinalStepSize, setup.simNoise, setup.malaTemperature, setup.margin, setup.malaGradientClip],
                           [0.05, 0.01, 0.1, 0.3, 0.02, 2])
        }
    }

    func testOverrideErrorsKeepTheirCommandLineText() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("ebm-tests-\(UUID().uuidString)").path
        for (flags, message) in [(["--gradient-clip", "0"], "Error: --gradient-clip must be positive"),
                                 (["--weight", "speed=1"], "Error: --weight 'speed=1': unknown term 'speed' (goal, obstacle, limits, smoothness, effort, model)"),
                                 (["--replan-every", "17"], "Error: --replan-every must lie in 1...16"),
                                 (["--coordinates", "states", "--acceleration-scale", "x"], "Error: --acceleration-scale needs --coordinates accelerations"),
                                 (["--acceleration-scale", "1,0"], "Error: --acceleration-scale '1,0': every value must be positive"),
                                 (["--acceleration-scale", "1,2,3"], "Error: --acceleration-scale '1,2,3': expected 1 or 2 comma-separated numbers")] {
            let r = try EBMProcess.run(["plan", "--robot", "reacher2", "--goal", "0.1,0.1", "--out", out] + flags)
            XCTAssertNotEqual(r.status, 0)
            XCTAssertEqual(r.stderr.trimmingCharacters(in: .newlines), message)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }
}
