// NumberList: comma-separated numbers as a command line writes a point, a sphere or a
// configuration ("-0.10,0.14", "x,y,z,r", "q1,q2,…"), and the goal, obstacle and start they give.

import Foundation
import Simulation

/// A `NumberList` that does not give what is asked: the wrong count or a number out of range. The
/// descriptions name the flag the text came from.
public enum NumberListError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `text` (of `flag`) is not `counts` finite numbers separated by commas.
    case count(flag: String, text: String, counts: [Int])
    /// `text` (of `flag`) holds a value at or below zero where `what` must be positive.
    case notPositive(flag: String, text: String, what: String)

    public var description: String {
        switch self {
        case .count(let flag, let text, let counts):
            return "\(flag) '\(text)': expected \(counts.map(String.init).joined(separator: " or ")) comma-separated numbers"
        case .notPositive(let flag, let text, let what):
            return "\(flag) '\(text)': \(what) must be positive"
        }
    }
}

/// Comma-separated numbers as written (kept for messages); a leading minus sign is a number, not a
/// flag. Errors name `flag`, the option the text came from.
public struct NumberList: Equatable, Sendable {
    /// The text as given, e.g. "-0.10,0.14".
    public let text: String

    public init(_ text: String) { self.text = text }

    /// The numbers, when there are as many as one of `counts` and all are finite; else
    /// `NumberListError.count`.
    public func values(counts: [Int], flag: String) throws -> [Double] {
        let values = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard counts.contains(values.count), values.allSatisfy({ $0?.isFinite == true }) else {
            throw NumberListError.count(flag: flag, text: text, counts: counts)
        }
        return values.map { $0! }
    }

    /// `values(counts:)`, each > 0 (else `NumberListError.notPositive` naming `what`).
    public func positiveValues(counts: [Int], what: String, flag: String) throws -> [Double] {
        let v = try values(counts: counts, flag: flag)
        guard v.allSatisfy({ $0 > 0 }) else { throw NumberListError.notPositive(flag: flag, text: text, what: what) }
        return v
    }

    /// The sphere x,y,z,r (m; r > 0).
    public func sphere(flag: String = "--obstacle") throws -> Obstacle {
        let o = try values(counts: [4], flag: flag)
        guard o[3] > 0 else { throw NumberListError.notPositive(flag: flag, text: text, what: "the radius") }
        return .sphere(center: SIMD3(o[0], o[1], o[2]), radius: o[3])
    }
}

extension PlanningSetup {
    /// The goal point of `x,y` or `x,y,z` (m) for the steered site; z defaults to the site's height at `qpos` (nq).
    public func goal(_ numbers: NumberList, qpos: [Double], flag: String = "--goal") throws -> SIMD3<Double> {
        let g = try numbers.values(counts: [2, 3], flag: flag)
        return try goal(x: g[0], y: g[1], z: g.count == 3 ? g[2] : nil, qpos: qpos)
    }
}
