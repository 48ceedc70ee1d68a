import CellwiseCore
import Foundation

/// A measured encrypted latency of one plan.
public struct LatencyMeasurement: Sendable, Equatable {
    /// The plan that was run.
    public var plan: ActivationPlan
    /// Its measured latency in seconds.
    public var seconds: Double

    /// Creates a measurement.
    public init(plan: ActivationPlan, seconds: Double) {
        self.plan = plan
        self.seconds = seconds
    }

    /// Reads measurements from a TOML file of `[[measurement]]` tables with `plan` and `seconds`
    /// (and optional `bootstraps` and `note`), and an optional top-level `source`.
    public static func read(_ file: String) throws -> [LatencyMeasurement] {
        let layout = try TOMLDecoder().decode(File.self, contentsOf: file)
        guard !layout.measurement.isEmpty else {
            throw ConfigurationError(key: "\(file): measurement", problem: "needs at least one entry")
        }
        return try layout.measurement.enumerated().map { index, entry in
            func fail(_ key: String, _ problem: String) -> ConfigurationError {
                ConfigurationError(key: "\(file): measurement[\(index)].\(key)", problem: problem)
            }
            let plan: ActivationPlan
            do { plan = try ActivationPlan(parsing: entry.plan) } catch let error as PlanError {
                throw fail("plan", error.description)
            }
            guard entry.seconds > 0 else { throw fail("seconds", "must be positive") }
            if let bootstraps = entry.bootstraps, !(0...1_000_000).contains(bootstraps) {
                throw fail("bootstraps", "is \(bootstraps); expected 0-1000000")
            }
            return LatencyMeasurement(plan: plan, seconds: entry.seconds)
        }
    }

    /// The layout of a measurements file.
    private struct File: Decodable {
        var source: String?
        var measurement: [Entry]

        struct Entry: Decodable {
            var plan: String
            var seconds: Double
            var bootstraps: Int?
            var note: String?
        }
    }
}

/// The parameters `cellwise calibrate` may fit.
public enum CalibrationParameters: String, CaseIterable, Sendable {
    /// The bootstrap cost only; every other operation keeps the base profile's cost.
    case bootstrap
    /// The bootstrap cost and one factor on all other operation costs (their ratios kept).
    case all
}

/// Fits a profile's free parameters to measured latencies.
///
/// The model's latency is linear in its free parameters: the bootstrap cost `B` and, with
/// ``CalibrationParameters/all``, a factor `s` on all other operation costs (their ratios come
/// from the base profile): `latency = B x bootstraps + s x W`, `W` the base profile's
/// operation seconds of the plan. The least-squares solution over the measurements is computed
/// by QR (LAPACK `dgels`). With `optimal` placement the placement depends on the costs, so fit
/// and placement are iterated to a fixed point.
public enum Calibration {
    /// The fitted profile and each measurement's prediction.
    public struct Result: Sendable {
        /// The calibrated profile.
        public var profile: CostProfile
        /// Predicted seconds for each measurement, in order.
        public var predictions: [Double]
        /// Bootstraps for each measurement, in order.
        public var bootstraps: [Int]
    }

    /// Calibrates `base` to `measurements`.
    ///
    /// - Throws: ``ConfigurationError`` when the measurements cannot determine the parameters
    ///   or the fit is not physical (a negative cost).
    public static func fit(
        base: CostProfile, measurements: [LatencyMeasurement], free: CalibrationParameters = .bootstrap,
        depthRule: DepthRule, placement: PlacementStrategy, name: String? = nil,
        baseName: String = "", measurementsName: String = ""
    ) throws -> Result {
        let needed = free == .all ? 2 : 1
        guard measurements.count >= needed else {
            throw ConfigurationError(
                key: "measurements",
                problem:
                    "need at least \(needed) measured plan\(needed == 1 ? "" : "s") to fit "
                    + "\(free == .all ? "the bootstrap cost and the operation scale" : "the bootstrap cost")"
            )
        }
        var profile = base
        var scale = 1.0
        for _ in 0..<20 {
            let model = CostModel(profile: profile, depthRule: depthRule)
            var boots = [Double]()
            var work = [Double]()
            for m in measurements {
                let report = try model.cost(of: m.plan, placement: placement)
                boots.append(Double(report.bootstraps))
                // The plan's other operations, at the base profile's costs.
                work.append((report.latencySeconds - Double(report.bootstraps) * profile.costs.bootstrap) / scale)
            }
            let targets = measurements.map(\.seconds)
            let bootstrap: Double
            let newScale: Double
            switch free {
            case .bootstrap:
                let denominator = boots.reduce(0) { $0 + $1 * $1 }
                guard denominator > 0 else {
                    throw ConfigurationError(
                        key: "measurements", problem: "no measured plan needs a bootstrap, so its cost cannot be fitted"
                    )
                }
                bootstrap = zip(boots, zip(targets, work)).reduce(0) { $0 + $1.0 * ($1.1.0 - $1.1.1) } / denominator
                newScale = 1
            case .all:
                guard Set(boots).count > 1 || Set(zip(boots, work).map { $0.1 / max($0.0, 1) }).count > 1 else {
                    throw ConfigurationError(
                        key: "measurements",
                        problem: "the measured plans do not separate the bootstrap cost from the other operations")
                }
                let design = zip(boots, work).flatMap { [$0.0, $0.1] }
                let solution: [Double]
                do {
                    solution = try LinearAlgebra.leastSquares(design, rows: measurements.count, columns: 2, b: targets)
                } catch {
                    throw ConfigurationError(
                        key: "measurements", problem: "the measurements do not determine the fit (\(error))")
                }
                (bootstrap, newScale) = (solution[0], solution[1])
                guard newScale > 0 else {
                    throw ConfigurationError(
                        key: "measurements",
                        problem: String(
                            format:
                                "fitting the operation scale gives %.4g: the measurements are explained by bootstraps "
                                + "alone; fit the bootstrap cost only",
                            newScale))
                }
            }
            guard bootstrap > 0, bootstrap.isFinite, newScale.isFinite else {
                throw ConfigurationError(
                    key: "measurements",
                    problem: String(format: "the fit is not physical (bootstrap %.4g s)", bootstrap))
            }
            let previous = profile
            profile.costs = CostProfile.OperationCosts(
                bootstrap: bootstrap,
                multiplication: base.costs.multiplication * newScale,
                plaintextMultiplication: base.costs.plaintextMultiplication * newScale,
                rotation: base.costs.rotation * newScale,
                addition: base.costs.addition * newScale)
            scale = newScale
            if placement == .greedy || previous.costs == profile.costs { break }
        }
        let model = CostModel(profile: profile, depthRule: depthRule)
        let reports = try measurements.map { try model.cost(of: $0.plan, placement: placement) }
        let predictions = reports.map(\.latencySeconds)
        let residual = zip(predictions, measurements).map { abs($0 - $1.seconds) / $1.seconds }.max() ?? 0
        profile.calibration = CalibrationRecord(
            base: baseName.isEmpty ? base.name : baseName,
            measurements: measurementsName, operationScale: scale,
            maximumRelativeResidual: residual, depthRule: depthRule.rawValue,
            placement: placement.rawValue)
        profile.name = name ?? "\(base.name)-calibrated"
        return Result(profile: profile, predictions: predictions, bootstraps: reports.map(\.bootstraps))
    }
}
