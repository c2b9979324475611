import XCTest
@testable import Scoring
final class ScoringPlaceholderTests: XCTestCase {}
