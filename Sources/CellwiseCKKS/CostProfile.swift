import CellwiseCore
import Foundation

/// The cost of each CKKS operation on one machine and parameter set, and the algorithms the
/// operation counts assume. Stored as a TOML file (format in `docs/cost-model.md`).
public struct CostProfile: Sendable, Equatable, ValidatedConfiguration {
    /// The profile's name, recorded in every output.
    public var name: String
    /// A one-line description.
    public var description: String
    /// The CKKS parameters.
    public var parameters: CKKSParameters
    /// Seconds per operation at the top level.
    public var costs: OperationCosts
    /// How operation costs change with the level.
    public var levelScaling: LevelScaling
    /// The matrix-vector algorithm.
    public var matrixVector: MatrixVectorAlgorithm
    /// Rotations per matrix-vector product; 0 takes the algorithm's count.
    public var matrixVectorRotations: Int
    /// How the costs were fitted, when `cellwise calibrate` wrote the profile.
    public var calibration: CalibrationRecord?

    /// Creates a profile.
    public init(
        name: String, description: String, parameters: CKKSParameters, costs: OperationCosts,
        levelScaling: LevelScaling = .modulus, matrixVector: MatrixVectorAlgorithm = .bsgs,
        matrixVectorRotations: Int = 0, calibration: CalibrationRecord? = nil
    ) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.costs = costs
        self.levelScaling = levelScaling
        self.matrixVector = matrixVector
        self.matrixVectorRotations = matrixVectorRotations
        self.calibration = calibration
    }

    /// Seconds per operation.
    public struct OperationCosts: Sendable, Equatable, Codable {
        /// One bootstrap (restores `levelsAfterBootstrap` levels).
        public var bootstrap: Double
        /// Ciphertext-ciphertext multiplication with relinearisation and rescale, at the top level.
        public var multiplication: Double
        /// Plaintext-ciphertext multiplication, at the top level.
        public var plaintextMultiplication: Double
        /// Rotation, at the top level.
        public var rotation: Double
        /// Addition, at the top level.
        public var addition: Double

        /// Creates costs.
        public init(
            bootstrap: Double, multiplication: Double, plaintextMultiplication: Double, rotation: Double,
            addition: Double
        ) {
            self.bootstrap = bootstrap
            self.multiplication = multiplication
            self.plaintextMultiplication = plaintextMultiplication
            self.rotation = rotation
            self.addition = addition
        }

        /// The seconds of `counts` at these (top-level) costs.
        public func seconds(of counts: OperationCounts) -> Double {
            counts.multiplications * multiplication + counts.plaintextMultiplications * plaintextMultiplication
                + counts.rotations * rotation + counts.additions * addition
        }
    }

    /// How the cost of an operation depends on the level it runs at.
    public enum LevelScaling: String, Sendable, Equatable, Codable, CaseIterable {
        /// Proportional to log2 of the ciphertext modulus at that level (the number of RNS limbs):
        /// `cost(l) = cost_top x (log_q_min + l x scaling_bits) / (log_q_min + L x scaling_bits)`.
        case modulus
        /// The same at every level.
        case flat
    }

    /// The largest cost of one operation a profile may give, in seconds (a day): larger values
    /// are typos, and sums of them would overflow.
    public static let maximumOperationSeconds = 86_400.0

    /// Checks the parameters and costs; errors name the profile file's keys (`costs.bootstrap`).
    ///
    /// Every cost must be positive and finite (a zero cost makes latencies and savings
    /// meaningless), and the parameters consistent.
    public func validate() throws {
        func fail(_ key: String, _ problem: String) -> ConfigurationError {
            ConfigurationError(key: key, problem: problem)
        }
        guard !name.isEmpty else { throw fail("name", "must not be empty") }
        let p = parameters
        for (key, value, range) in [
            ("ring_dimension", p.ringDimension, 1...(1 << 20)), ("slots", p.slots, 1...(1 << 20)),
            ("log_q", p.logQ, 1...100_000), ("log_q_min", p.logQMin, 1...100_000),
            ("log_q_max", p.logQMax, 1...100_000), ("scaling_bits", p.scalingBits, 1...200),
            ("levels_after_bootstrap", p.levelsAfterBootstrap, 1...200), ("fresh_levels", p.freshLevels, 1...200),
        ] {
            guard range.contains(value) else {
                throw fail("parameters.\(key)", "is \(value); expected \(range.lowerBound)-\(range.upperBound)")
            }
        }
        guard p.slots <= p.ringDimension / 2 else {
            throw fail("parameters.slots", "is \(p.slots); at most ring_dimension / 2 = \(p.ringDimension / 2)")
        }
        if let batch = p.samplesPerCiphertext {
            guard batch >= 1, batch <= p.slots else {
                throw fail("parameters.samples_per_ciphertext", "is \(batch); expected 1-\(p.slots) (the slots)")
            }
        }
        guard p.logQMin < p.logQMax, p.logQMax <= p.logQ else {
            throw fail("parameters.log_q_max", "must satisfy log_q_min < log_q_max <= log_q")
        }
        let c = costs
        for (key, value) in [
            ("bootstrap", c.bootstrap), ("multiplication", c.multiplication),
            ("plaintext_multiplication", c.plaintextMultiplication), ("rotation", c.rotation),
            ("addition", c.addition),
        ] {
            guard value > 0, value <= Self.maximumOperationSeconds else {
                throw fail(
                    "costs.\(key)",
                    "is \(value); expected more than 0 and at most \(Int(Self.maximumOperationSeconds)) seconds")
            }
        }
        guard (0...1_000_000).contains(matrixVectorRotations) else {
            throw fail("matrix_vector.rotations", "is \(matrixVectorRotations); expected 0-1000000")
        }
        if let k = calibration {
            guard k.operationScale.isFinite, k.operationScale > 0 else {
                throw fail("calibration.operation_scale", "must be positive")
            }
            guard k.maximumRelativeResidual.isFinite, k.maximumRelativeResidual >= 0 else {
                throw fail("calibration.maximum_relative_residual", "must not be negative")
            }
        }
    }

    /// The cost factor of an operation run with `level` levels left (may be fractional).
    public func levelFactor(_ level: Double) -> Double {
        switch levelScaling {
        case .flat:
            return 1
        case .modulus:
            let top = Double(parameters.logModulus(atLevel: parameters.levelsAfterBootstrap))
            return (Double(parameters.logQMin) + level * Double(parameters.scalingBits)) / top
        }
    }
}

/// How `cellwise calibrate` fitted a profile.
public struct CalibrationRecord: Sendable, Equatable, Codable {
    /// The base profile whose relative operation costs were scaled.
    public var base: String
    /// The file of measured (plan, seconds) pairs.
    public var measurements: String
    /// The fitted factor applied to the base profile's operation costs (not the bootstrap).
    public var operationScale: Double
    /// The largest |predicted - measured| / measured over the measurements.
    public var maximumRelativeResidual: Double
    /// Depth rule and placement used for the fit.
    public var depthRule: String
    /// Placement used for the fit.
    public var placement: String

    /// Creates a record.
    public init(
        base: String, measurements: String, operationScale: Double, maximumRelativeResidual: Double,
        depthRule: String, placement: String
    ) {
        self.base = base
        self.measurements = measurements
        self.operationScale = operationScale
        self.maximumRelativeResidual = maximumRelativeResidual
        self.depthRule = depthRule
        self.placement = placement
    }
}

extension CostProfile.LevelScaling: ConfigurationChoice {}
