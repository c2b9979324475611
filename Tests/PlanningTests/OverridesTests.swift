import Foundation
import XCTest
@testable import Planning

/// `PlanningSetup.Overrides`: typed changes to a preset, applied in one order, checked with the
/// command line's words, decodable from JSON.
final class OverridesTests: XCTestCase {
    func testEachOverrideSetsWhatItNames() throws {
        var setup = try PlanningSetup(preset: .reacher2)
        let defaults = setup
        var o = PlanningSetup.Overrides()
        (o.chains, o.horizon, o.maxSteps, o.threads) = (5, 3, 40, 1)
        o.weights = [.init(term: .goal, value: 7), .init(term: .effort, value: 0.5), .init(term: .goal, value: 9)]
        (o.steps, o.stepSize, o.finalStepSize, o.noise, o.samples) = (11, 0.2, 0.02, 0.3, 17)
        (o.gradientClip, o.margin, o.coldStartRounds, o.temperature) = (2, 0.03, 4, 0.7)
        o.accelerationScale = [50]
        try setup.apply(o)
        XCTAssertEqual([setup.chains, setup.horizon, setup.maxSteps, setup.threads], [5, 3, 40, 1])
        XCTAssertEqual(setup.replanEvery, min(defaults.replanEvery, 3), "a shorter horizon lowers replanEvery")
        XCTAssertEqual(setup.goalWeight, 9, "the later weight of a term wins")
        XCTAssertEqual(setup.effortWeight, 0.5)
        XCTAssertEqual(setup.obstacleWeight, defaults.obstacleWeight)
        XCTAssertEqual([setup.langevinSteps, setup.malaSteps, setup.populationIterations, setup.populationSamples], [11, 11, 11, 17])
        XCTAssertEqual([setup.langevinStepSize, setup.malaStepSize, setup.langevinFinalStepSize], [0.2, 0.2, 0.02])
        XCTAssertEqual([setup.langevinNoise, setup.populationNoise, setup.simNoise], [0.3, 0.3, 0.3])
        XCTAssertEqual([setup.gradientClip, setup.malaGradientClip, setup.margin, setup.malaTemperature], [2, 2, 0.03, 0.7])
        XCTAssertEqual(setup.coldStartRounds, 4)
        XCTAssertEqual(setup.accelerationScale, [50, 50], "one scale for every joint")
        try setup.validate()

        // nothing given: nothing changes
        var untouched = defaults
        try untouched.apply(PlanningSetup.Overrides())
        XCTAssertEqual(untouched.horizon, defaults.horizon)
        XCTAssertEqual(untouched.accelerationScale, defaults.accelerationScale)
        XCTAssertEqual(untouched.langevinNoise, defaults.langevinNoise)
    }

    func testStatesCoordinatesDropTheAccelerationScale() throws {
        var setup = try PlanningSetup(preset: .reacher2)
        XCTAssertNotNil(setup.accelerationScale, "the preset plans in accelerations")
        var o = PlanningSetup.Overrides()
        o.coordinates = .states
        try setup.apply(o)
        XCTAssertNil(setup.accelerationScale)
        guard case .states = setup.coordinates else { return XCTFail("still accelerations") }
        var perJoint = try PlanningSetup(preset: .reacher2)
        o = PlanningSetup.Overrides()
        (o.coordinates, o.accelerationScale) = (.accelerations, [10, 20])
        try perJoint.apply(o)
        XCTAssertEqual(perJoint.accelerationScale, [10, 20])
    }

    func testErrorsNameTheFirstBadFieldInTheCommandLinesWords() throws {
        func message(_ edit: (inout PlanningSetup.Overrides) -> Void) throws -> String? {
            var setup = try PlanningSetup(preset: .reacher2)
            var o = PlanningSetup.Overrides()
            edit(&o)
            do { try setup.apply(o) } catch let e as PlanningSetup.OverrideError { return e.message(prefix: "--") }
            return nil
        }
        XCTAssertEqual(try message { $0.steps = 0 }, "--steps must be at least 1")
        XCTAssertEqual(try message { $0.replanEvery = 17 }, "--replan-every must lie in 1...16")
        XCTAssertEqual(try message { ($0.horizon, $0.replanEvery) = (8, 9) }, "--replan-every must lie in 1...8")
        XCTAssertEqual(try message { $0.gradientClip = 0 }, "--gradient-clip must be positive")
        XCTAssertEqual(try message { $0.margin = -0.01 }, "--margin must be >= 0 m")
        XCTAssertEqual(try message { $0.coldStartRounds = 0 }, "--cold-start-rounds must be at least 1")
        XCTAssertEqual(try message { $0.temperature = .infinity }, "--temperature must be positive")
        XCTAssertEqual(try message { ($0.coordinates, $0.accelerationScale) = (.states, [1]) }, "--acceleration-scale needs --coordinates accelerations")
        XCTAssertEqual(try message { $0.accelerationScale = [1, 2, 3] }, "--acceleration-scale '1.0,2.0,3.0': expected 1 or 2 values")
        XCTAssertEqual(try message { $0.accelerationScale = [1, 0] }, "--acceleration-scale '1.0,0.0': every value must be positive")
        XCTAssertEqual(try message { $0.weights = [.init(term: .goal, value: -1)] }, "--weight 'goal=-1.0': expected NAME=VALUE with VALUE >= 0")
        // the first in the order of the properties wins
        XCTAssertEqual(try message { ($0.temperature, $0.steps) = (-1, 0) }, "--steps must be at least 1")
        XCTAssertNil(try message { $0.steps = 1 })
        XCTAssertEqual(PlanningSetup.OverrideError.outOfRange(.margin, "must be >= 0 m").description, "margin must be >= 0 m")
    }

    func testTermWeightParsing() throws {
        XCTAssertEqual(try PlanningSetup.TermWeight(parsing: "obstacle=2.5e3"), .init(term: .obstacle, value: 2500))
        XCTAssertEqual(try PlanningSetup.TermWeight(parsing: "model=0"), .init(term: .model, value: 0))
        for (text, expected) in [("goal", "--weight 'goal': expected NAME=VALUE with VALUE >= 0"),
                                 ("goal=-2", "--weight 'goal=-2': expected NAME=VALUE with VALUE >= 0"),
                                 ("goal=nan", "--weight 'goal=nan': expected NAME=VALUE with VALUE >= 0"),
                                 ("speed=1", "--weight 'speed=1': unknown term 'speed' (goal, obstacle, limits, smoothness, effort, model)")] {
            XCTAssertThrowsError(try PlanningSetup.TermWeight(parsing: text)) { error in
                XCTAssertEqual((error as? PlanningSetup.OverrideError)?.message(prefix: "--"), expected)
            }
        }
    }

    func testOverridesDecodeFromJSON() throws {
        let json = #"{"horizon": 12, "weights": [{"term": "goal", "value": 300}], "coordinates": "states", "noise": 0.1}"#
        let o = try JSONDecoder().decode(PlanningSetup.Overrides.self, from: Data(json.utf8))
        XCTAssertEqual(o.horizon, 12)
        XCTAssertEqual(o.weights, [.init(term: .goal, value: 300)])
        XCTAssertEqual(o.coordinates, .states)
        XCTAssertNil(o.steps)
        XCTAssertEqual(try JSONDecoder().decode(PlanningSetup.Overrides.self, from: JSONEncoder().encode(o)), o)
        XCTAssertThrowsError(try JSONDecoder().decode(PlanningSetup.Overrides.self, from: Data(#"{"coordinates": "joints"}"#.utf8)))
        var setup = try PlanningSetup(preset: .arm7)
        try setup.apply(o)
        XCTAssertEqual(setup.horizon, 12)
        XCTAssertEqual(setup.goalWeight, 300)
        XCTAssertNil(setup.accelerationScale)
    }
}
