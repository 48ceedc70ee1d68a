import CellwiseCKKS
import CellwiseCore

/// How much a search may spend: a number of evaluations, a number of seconds, or both.
///
/// The reference plan the driver evaluates first counts as the first evaluation. Plans answered
/// from the cache are free.
public struct Budget: Sendable, Equatable, Codable {
    /// The most evaluations (nil: unlimited).
    public var evaluations: Int?
    /// The most wall-clock seconds (nil: unlimited).
    public var seconds: Double?

    /// Creates a budget; at least one limit must be given.
    public init(evaluations: Int? = nil, seconds: Double? = nil) throws {
        guard evaluations != nil || seconds != nil else {
            throw ConfigurationError(
                key: "budget", problem: "give a number of evaluations, a number of seconds, or both")
        }
        if let evaluations, evaluations < 1 {
            throw ConfigurationError(key: "budget", problem: "must allow at least one evaluation, got \(evaluations)")
        }
        if let seconds, !(seconds > 0) || !seconds.isFinite {
            throw ConfigurationError(key: "seconds", problem: "must be a positive number of seconds, got \(seconds)")
        }
        self.evaluations = evaluations
        self.seconds = seconds
    }
}

/// How close to the reference plan's accuracy a plan must stay.
public struct Tolerance: Sendable, Equatable, Codable {
    /// How the tolerance is applied.
    public enum Mode: String, Sendable, Codable, CaseIterable {
        /// accuracy >= reference x (1 - tolerance)
        case relative
        /// accuracy >= reference - tolerance
        case absolute
    }

    /// The mode.
    public var mode: Mode
    /// The tolerance (a fraction: 0.02 is 2%, or 2 points in absolute mode).
    public var value: Double

    /// Creates a tolerance (the paper's: relative 0.02).
    public init(_ value: Double = 0.02, mode: Mode = .relative) throws {
        guard value >= 0, value < 1, value.isFinite else {
            throw ConfigurationError(key: "tolerance", problem: "must be in [0, 1), got \(value)")
        }
        self.mode = mode
        self.value = value
    }

    /// A tolerance whose value the caller checks (a decoded config, which validates it).
    package init(unchecked value: Double, mode: Mode) {
        self.mode = mode
        self.value = value
    }

    /// The lowest accuracy within tolerance of `reference`.
    public func threshold(reference: Double) -> Double {
        switch mode {
        case .relative: reference * (1 - value)
        case .absolute: reference - value
        }
    }

    /// Whether `accuracy` is within tolerance of `reference`.
    public func accepts(_ accuracy: Double, reference: Double) -> Bool {
        accuracy >= threshold(reference: reference) - 1e-12
    }
}

extension Tolerance.Mode: ConfigurationChoice {}
