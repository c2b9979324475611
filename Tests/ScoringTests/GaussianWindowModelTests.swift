import EnergyModels
import Foundation
import Trajectories
import XCTest
@testable import Scoring

/// The Gaussian baseline's conditional likelihood against the bivariate closed form.
final class GaussianWindowModelTests: XCTestCase {
    /// One state number, one context state, one future state; raw = normalised.
    let identity = WindowEncoding(stateSize: 1, contextLength: 1, horizon: 1, futureAsDelta: false, mean: [0, 0], standardDeviation: [1, 1])

    func testConditionalNegativeLogLikelihoodIsTheBivariateClosedForm() throws {
        let (m1, m2, s1, s2, rho) = (0.5, -1.0, 2.0, 0.7, 0.6)
        let model = try GaussianWindowModel(encoding: identity, mean: [m1, m2],
                                            covariance: [s1 * s1, rho * s1 * s2, rho * s1 * s2, s2 * s2])
        for (c, f) in [(0.0, 0.0), (1.3, -2.2), (-4, 3)] {
            // p(f | c) = N(m2 + ρ s2/s1 (c − m1), s2² (1 − ρ²))
            let mu = m2 + rho * s2 / s1 * (c - m1), v = s2 * s2 * (1 - rho * rho)
            let expected = 0.5 * (f - mu) * (f - mu) / v + 0.5 * log(2 * Double.pi * v)
            XCTAssertEqual(model.scores(context: [Float(c)], future: [Float(f)])[0], expected, accuracy: 1e-5)
        }
    }

    func testFitUsesTheWindowsMoments() throws {
        // one episode 0, 1, 3, 6, 10: windows (0,1) (1,3) (3,6) (6,10)
        let data = TrajectoryDataset(episodes: 1, steps: 4, stateSize: 1, controlSize: 0, siteCount: 0,
                                     states: [0, 1, 3, 6, 10], controls: [], sites: [], goal: [-1], episodeSeed: [0])
        let windows = try TrajectoryWindows(data, context: 1, future: 1)
        let model = try GaussianWindowModel(windows: windows, encoding: identity, ridge: 0)
        let pairs = [(0.0, 1.0), (1, 3), (3, 6), (6, 10)]
        let mc = pairs.map(\.0).reduce(0, +) / 4, mf = pairs.map(\.1).reduce(0, +) / 4
        let vcc = pairs.map { ($0.0 - mc) * ($0.0 - mc) }.reduce(0, +) / 4
        let vff = pairs.map { ($0.1 - mf) * ($0.1 - mf) }.reduce(0, +) / 4
        let vcf = pairs.map { ($0.0 - mc) * ($0.1 - mf) }.reduce(0, +) / 4
        XCTAssertEqual(model.mean[0], mc, accuracy: 1e-12)
        XCTAssertEqual(model.mean[1], mf, accuracy: 1e-12)
        let mu = mf + vcf / vcc * (2 - mc), v = vff - vcf * vcf / vcc
        let expected = 0.5 * (5 - mu) * (5 - mu) / v + 0.5 * log(2 * Double.pi * v)
        XCTAssertEqual(model.scores(context: [2], future: [5])[0], expected, accuracy: 1e-6)
    }

    func testSingularCovarianceIsAnError() {
        XCTAssertThrowsError(try GaussianWindowModel(encoding: identity, mean: [0, 0], covariance: [1, 1, 1, 1]))
    }
}
