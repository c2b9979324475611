import XCTest
@testable import Planning
final class PlanningPlaceholderTests: XCTestCase {}
