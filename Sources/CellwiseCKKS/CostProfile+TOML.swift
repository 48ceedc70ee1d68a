import CellwiseCore
import Foundation

extension CostProfile {
    /// Reads a profile file. Unknown keys, wrong types, and missing, zero or huge costs are
    /// rejected with the key named.
    public init(contentsOf file: String) throws {
        self = try TOMLDecoder().decode(File.self, contentsOf: file).profile(file: file)
    }

    /// Reads a profile from TOML text (`file` names it in errors).
    public init(toml: String, file: String) throws {
        self = try TOMLDecoder().decode(File.self, from: toml, file: file).profile(file: file)
    }

    /// The layout of a profile file: its sections and keys as written.
    struct File: Decodable {
        var name: String
        var description: String?
        var parameters: Parameters
        var costs: Costs
        var matrixVector: MatrixVector?
        var calibration: Calibration?

        enum CodingKeys: String, CodingKey {
            case name, description, parameters, costs, calibration
            case matrixVector = "matrix_vector"
        }

        struct Parameters: Decodable {
            var ringDimension: Int
            var slots: Int
            var logQ: Int
            var logQMin: Int
            var logQMax: Int
            var scalingBits: Int
            var levelsAfterBootstrap: Int
            var freshLevels: Int
            var samplesPerCiphertext: Int?

            enum CodingKeys: String, CodingKey {
                case slots
                case samplesPerCiphertext = "samples_per_ciphertext"
                case ringDimension = "ring_dimension"
                case logQ = "log_q"
                case logQMin = "log_q_min"
                case logQMax = "log_q_max"
                case scalingBits = "scaling_bits"
                case levelsAfterBootstrap = "levels_after_bootstrap"
                case freshLevels = "fresh_levels"
            }
        }

        struct Costs: Decodable {
            var bootstrap: Double
            var multiplication: Double
            var plaintextMultiplication: Double
            var rotation: Double
            var addition: Double
            var levelScaling: LevelScaling

            enum CodingKeys: String, CodingKey {
                case bootstrap, multiplication, rotation, addition
                case plaintextMultiplication = "plaintext_multiplication"
                case levelScaling = "level_scaling"
            }
        }

        struct MatrixVector: Decodable {
            var algorithm: MatrixVectorAlgorithm
            var rotations: Int?
        }

        struct Calibration: Decodable {
            var base: String
            var measurements: String
            var operationScale: Double
            var maximumRelativeResidual: Double
            var depthRule: DepthRule
            var placement: PlacementStrategy

            enum CodingKeys: String, CodingKey {
                case base, measurements, placement
                case operationScale = "operation_scale"
                case maximumRelativeResidual = "maximum_relative_residual"
                case depthRule = "depth_rule"
            }
        }

        func profile(file: String) throws -> CostProfile {
            let p = parameters
            let c = costs
            let profile = CostProfile(
                name: name, description: description ?? "",
                parameters: CKKSParameters(
                    ringDimension: p.ringDimension, slots: p.slots, logQ: p.logQ, logQMin: p.logQMin,
                    logQMax: p.logQMax, scalingBits: p.scalingBits,
                    levelsAfterBootstrap: p.levelsAfterBootstrap, freshLevels: p.freshLevels,
                    samplesPerCiphertext: p.samplesPerCiphertext),
                costs: OperationCosts(
                    bootstrap: c.bootstrap, multiplication: c.multiplication,
                    plaintextMultiplication: c.plaintextMultiplication, rotation: c.rotation, addition: c.addition),
                levelScaling: c.levelScaling, matrixVector: matrixVector?.algorithm ?? .bsgs,
                matrixVectorRotations: matrixVector?.rotations ?? 0,
                calibration: calibration.map {
                    CalibrationRecord(
                        base: $0.base, measurements: $0.measurements, operationScale: $0.operationScale,
                        maximumRelativeResidual: $0.maximumRelativeResidual, depthRule: $0.depthRule.rawValue,
                        placement: $0.placement.rawValue)
                })
            do {
                try profile.validate()
            } catch let error as ConfigurationError {
                throw ConfigurationError(key: "\(file): \(error.key)", problem: error.problem)
            }
            return profile
        }
    }

    /// The profile as a commented TOML file that ``init(contentsOf:)`` reads back exactly.
    public var tomlText: String {
        func number(_ x: Double) -> String { "\(x)" }
        func quoted(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        let p = parameters
        var text = """
            # Cellwise CKKS cost profile (format: docs/cost-model.md).
            name = \(quoted(name))
            description = \(quoted(description))

            [parameters]
            ring_dimension = \(p.ringDimension)
            slots = \(p.slots)
            log_q = \(p.logQ)
            log_q_min = \(p.logQMin)            # below this modulus a bootstrap is required
            log_q_max = \(p.logQMax)            # modulus right after a bootstrap
            scaling_bits = \(p.scalingBits)
            levels_after_bootstrap = \(p.levelsAfterBootstrap)
            fresh_levels = \(p.freshLevels)\(p.samplesPerCiphertext.map {
                "\nsamples_per_ciphertext = \($0)     # images packed per ciphertext (costs measured at these slots)"
            } ?? "")

            [costs]                     # seconds per operation at the top level (right after a bootstrap)
            bootstrap = \(number(costs.bootstrap))
            multiplication = \(number(costs.multiplication))             # ciphertext x ciphertext, with \
            relinearisation and rescale
            plaintext_multiplication = \(number(costs.plaintextMultiplication))
            rotation = \(number(costs.rotation))
            addition = \(number(costs.addition))
            level_scaling = \(quoted(levelScaling.rawValue))   # "modulus": proportional to log2 of the modulus at \
            the level; "flat": the same at every level

            [matrix_vector]
            algorithm = \(quoted(matrixVector.rawValue))          # "bsgs" (baby-step giant-step) or "diagonal"
            rotations = \(matrixVectorRotations)                # 0: the algorithm's own count

            """
        if let c = calibration {
            text += """

                [calibration]               # written by `cellwise calibrate`
                base = \(quoted(c.base))
                measurements = \(quoted(c.measurements))
                operation_scale = \(number(c.operationScale))
                maximum_relative_residual = \(number(c.maximumRelativeResidual))
                depth_rule = \(quoted(c.depthRule))
                placement = \(quoted(c.placement))

                """
        }
        return text
    }
}
