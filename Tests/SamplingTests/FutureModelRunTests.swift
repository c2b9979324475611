// FutureModelRunTests: the sampler each model kind gets by default, the samplers a contrastive model
// refuses (a typed case), and a run folder's model loaded whichever objective trained it.

import EnergyModels
import NeuralCore
import XCTest
@testable import Sampling

final class FutureModelRunTests: XCTestCase {
    /// An untrained contrastive-divergence model: k = 2, H = 3, S = 4.
    func testDefaultSamplerFollowsTheModelKind() throws {
        let cd = FutureSamplerTests.contrastive()
        let dsm = FutureModel.denoising(try DenoisingSamplerTests.trainedModel())
        XCTAssertFalse(cd.isDenoising)
        XCTAssertTrue(dsm.isDenoising)
        XCTAssertEqual(try FutureSampler(kind: nil, chainDefault: .mala, for: cd).kind, .mala)
        XCTAssertEqual(try FutureSampler(kind: nil, chainDefault: .langevin, for: cd, steps: 7).steps, 7)
        XCTAssertEqual(try FutureSampler(kind: nil, chainDefault: .mala, for: dsm).kind, .annealedMALA)
        XCTAssertEqual(try FutureSampler(kind: .hmc, chainDefault: .mala, for: dsm).kind, .hmc)
        XCTAssertEqual(try FutureSampler(kind: .ddim, chainDefault: .mala, for: dsm).kind, .ddim)
        for kind in FutureSamplerKind.allCases where !kind.isChain {
            XCTAssertThrowsError(try FutureSampler(kind: kind, chainDefault: .langevin, for: cd)) {
                XCTAssertEqual($0 as? FutureSamplerError, .needsDenoisingModel(kind))
            }
        }
        XCTAssertTrue(FutureSamplerError.needsDenoisingModel(.heun).description.hasPrefix("--sampler heun needs a denoising model"))
    }

    func testMissingAndUnfinishedRunsAreRefused() throws {
        let nowhere = "/nonexistent/\(UUID().uuidString)"
        XCTAssertThrowsError(try FutureModel.load(run: nowhere)) { XCTAssertEqual($0 as? RunFolderError, .missing(path: nowhere)) }
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("fm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        XCTAssertThrowsError(try FutureModel.load(run: empty.path)) { XCTAssertEqual($0 as? RunFolderError, .unfinished(path: empty.path)) }
    }
}
