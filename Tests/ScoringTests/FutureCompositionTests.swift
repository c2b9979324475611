// FutureCompositionTests: the composition of `ebm compose` over loaded models — contrastive
// experts sample what `ExpertComposition` samples with the sampler built by hand, denoising
// experts what `DenoisingComposition` does; mixed objectives and misplaced options are refused.

import EnergyModels
import Foundation
import Sampling
import XCTest
@testable import Scoring

final class FutureCompositionTests: XCTestCase {
    let context: [Double] = [0.1, -0.2, 0.3, 0.05]

    func testContrastiveExpertsSampleWhatExpertCompositionSamples() throws {
        let (a, b) = (tinyEnergyModel(seed: 1, shift: 0), tinyEnergyModel(seed: 2, shift: 0.3))
        var lang = LangevinConfiguration()
        lang.initialScale = 0.7
        let composed = try FutureComposition(models: [.contrastive(a, langevin: lang), .contrastive(b, langevin: lang)], labels: [nil, nil],
                                             weights: [1, 0.5], initialWeights: [0, 1], annealStages: 2, steps: 4, sampler: .mala, stepSize: 0.02)
        // by hand: the first model's defaults with the step size given, T as `ebm predict` picks it for MALA
        var options = FutureSampler(kind: .mala, steps: 4)
        options.stepSize = 0.02
        let T = options.temperature(for: .contrastive(a, langevin: lang))
        XCTAssertEqual(composed.temperature, T)
        XCTAssertEqual(composed.contextLength, 2)
        let direct = ExpertComposition(experts: [(a, nil), (b, nil)], weights: [1, 0.5], initialWeights: [0, 1], annealStages: 2, steps: 4,
                                       temperature: T, initialScale: Double(lang.initialScale))
        let expected = try direct.sample(context: context, chains: 3, total: 3, sampler: try options.chainSampler(langevin: lang), seed: 9)
        let got = try composed.sample(context: context, chains: 3, total: 3, seed: 9)
        XCTAssertEqual(got.futures, expected.futures, "bit for bit")
        XCTAssertEqual(got.energies, expected.energies)
        XCTAssertEqual(got.futures.count, 3 * 3 * 2)
    }

    func testDenoisingExpertsSampleWhatDenoisingCompositionSamples() throws {
        let (a, b) = (DenoisingCompositionTests.expert(seed: 3), DenoisingCompositionTests.expert(seed: 4))
        let composed = try FutureComposition(models: [.denoising(a), .denoising(b)], labels: [nil, nil], weights: [1, 1], steps: 3, sampler: .annealedMALA)
        let sampler = FutureSampler(kind: .annealedMALA, steps: 3).denoisingSampler(for: a)
        XCTAssertEqual(composed.temperature, sampler.temperature)
        let expected = try DenoisingComposition(experts: [(a, nil), (b, nil)], weights: [1, 1], sampler: sampler).sample(context: context, chains: 2, total: 3, seed: 5)
        XCTAssertEqual(try composed.sample(context: context, chains: 2, total: 3, seed: 5).futures, expected.futures)
    }

    func testMixedObjectivesAndMisplacedOptionsAreRefused() {
        let cd = FutureModel.contrastive(tinyEnergyModel(seed: 1, shift: 0), langevin: LangevinConfiguration())
        let dsm = FutureModel.denoising(DenoisingCompositionTests.expert(seed: 3))
        func error(_ body: () throws -> FutureComposition) -> FutureCompositionError? {
            do { _ = try body(); return nil } catch { return error as? FutureCompositionError }
        }
        XCTAssertEqual(error { try FutureComposition(models: [cd, dsm], labels: [nil, nil], weights: [1, 1], steps: 2, sampler: .langevin) },
                       .mixedObjectives(denoising: 1, contrastive: 1))
        XCTAssertEqual(error { try FutureComposition(models: [cd], labels: [nil], weights: [1], steps: 2, sampler: .ddim) }, .chainSamplerNeeded(.ddim))
        XCTAssertEqual(error { try FutureComposition(models: [dsm], labels: [nil], weights: [1], initialWeights: [0], steps: 2, sampler: .annealedMALA) },
                       .weightAnnealingNeedsContrastive)
        XCTAssertTrue(FutureCompositionError.mixedObjectives(denoising: 1, contrastive: 2).description.hasPrefix("1 denoising (dsm) and 2 contrastive"))
    }

    /// `summaryLine` and `acceptanceWarning` (ebm compose's report): weights, sampler, T, acceptance and
    /// each expert's mean energy; the warning only for an adjusted sampler of contrastive experts that accepted < 5 %.
    func testSummaryLineAndAcceptanceWarning() throws {
        let a = tinyEnergyModel(seed: 1, shift: 0)
        let composed = try FutureComposition(models: [.contrastive(a, langevin: LangevinConfiguration()), .contrastive(a, langevin: LangevinConfiguration())],
                                             labels: [nil, nil], weights: [1, 0.5], steps: 4, sampler: .mala, temperature: 2)
        var result = ExpertComposition.Result(futures: [], energies: [1, 2], expertEnergies: [[1, 2], [0.5, 0.25]], acceptance: [0.02, 0.04])
        XCTAssertEqual(composed.summaryLine(result, weights: [1, 0.5], sampler: .mala, steps: 4, total: 6, seconds: 0.25),
                       "compose: 2 futures × 6 states from 2 models (weights 1, 0.5), mala at T = 2, 4 steps per block, in 0.25 s; "
                       + "acceptance 0.03; mean energy per model (last block) 1.5000, 0.3750")
        XCTAssertEqual(composed.acceptanceWarning(result, sampler: .mala),
                       "mala accepted almost none of its proposals: lower --step-size, or use --sampler langevin")
        XCTAssertNil(composed.acceptanceWarning(result, sampler: .langevin))
        result.acceptance = [0.5]
        XCTAssertNil(composed.acceptanceWarning(result, sampler: .mala))
    }

    /// `Settings` (ebm compose's checks): per-model lists match the models, weights are finite, the
    /// stages fit the steps, the bounds hold; defaults resolve to weight 1 and no label.
    func testSettingsAreCheckedInOrderAndResolveTheirDefaults() {
        var s = FutureComposition.Settings(models: 2)
        XCTAssertNoThrow(try s.validate())
        XCTAssertEqual(s.resolvedWeights, [1, 1])
        XCTAssertEqual(s.resolvedLabels, [nil, nil])
        s.labels = [-1, 3]
        XCTAssertEqual(s.resolvedLabels, [nil, 3])
        func refused(_ change: (inout FutureComposition.Settings) -> Void) -> String? {
            var t = FutureComposition.Settings(models: 2)
            change(&t)
            do { try t.validate(); return nil } catch { return "\(error)" }
        }
        XCTAssertEqual(refused { $0.models = 0 }, "give at least one --model")
        XCTAssertEqual(refused { $0.weights = [1] }, "--weight: 1 weights for 2 models (give one per --model, or none)")
        XCTAssertEqual(refused { $0.initialWeights = [0, .nan] }, "--initial-weight must be finite")
        XCTAssertEqual(refused { ($0.annealStages, $0.steps) = (5, 4) }, "--anneal-stages must be between 1 and --steps (4)")
        XCTAssertEqual(refused { $0.labels = [1, 2, 3] }, "--label: 3 labels for 2 models (give one per --model, -1 for none, or none at all)")
        XCTAssertEqual(refused { $0.samples = 0 }, "--samples and --steps must be at least 1")
        XCTAssertEqual(refused { $0.horizon = 0 }, "--horizon must be at least 1")
        XCTAssertEqual(refused { $0.samples = 100_001 }, "--samples must be at most 100000, --steps at most 1000000 and --horizon at most 100000")
        XCTAssertEqual(refused { $0.temperature = 0 }, "--temperature must be positive")
        XCTAssertEqual(refused { ($0.weights, $0.labels) = ([1], [0]) }, "--weight: 1 weights for 2 models (give one per --model, or none)", "the first problem")
    }
}
