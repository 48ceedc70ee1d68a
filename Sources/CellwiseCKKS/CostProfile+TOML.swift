import CellwiseCore
import Foundation

extension CostProfile {
    /// Reads a profile file. Unknown keys, wrong types and negative or missing costs are
    /// rejected with the key named.
    public init(contentsOf file: String) throws {
        try self.init(table: ConfigTable(contentsOf: file))
    }

    /// Reads a profile from TOML text (`file` names it in errors).
    public init(toml: String, file: String) throws {
        try self.init(table: ConfigTable(string: toml, file: file))
    }

    init(table root: ConfigTable) throws {
        let name = try root.string("name")
        let description = root.contains("description") ? try root.string("description") : ""

        let p = try root.table("parameters")
        let parameters = CKKSParameters(
            ringDimension: try p.int("ring_dimension", in: 1...(1 << 20)),
            slots: try p.int("slots", in: 1...(1 << 20)),
            logQ: try p.int("log_q", in: 1...100_000),
            logQMin: try p.int("log_q_min", in: 1...100_000),
            logQMax: try p.int("log_q_max", in: 1...100_000),
            scalingBits: try p.int("scaling_bits", in: 1...200),
            levelsAfterBootstrap: try p.int("levels_after_bootstrap", in: 1...200),
            freshLevels: try p.int("fresh_levels", in: 1...200))
        guard parameters.slots <= parameters.ringDimension / 2 else {
            throw p.error("slots", "is \(parameters.slots); at most ring_dimension / 2 = \(parameters.ringDimension / 2)")
        }
        guard parameters.logQMin < parameters.logQMax, parameters.logQMax <= parameters.logQ else {
            throw p.error("log_q_max", "must satisfy log_q_min < log_q_max <= log_q")
        }
        try p.finish()

        let c = try root.table("costs")
        let costs = OperationCosts(
            bootstrap: try c.double("bootstrap", minimum: 0),
            multiplication: try c.double("multiplication", minimum: 0),
            plaintextMultiplication: try c.double("plaintext_multiplication", minimum: 0),
            rotation: try c.double("rotation", minimum: 0),
            addition: try c.double("addition", minimum: 0))
        let scaling = LevelScaling(rawValue: try c.string("level_scaling", oneOf: LevelScaling.allCases.map(\.rawValue)))
        try c.finish()

        var algorithm = MatrixVectorAlgorithm.bsgs
        var rotations = 0
        if let m = try root.optionalTable("matrix_vector") {
            algorithm = MatrixVectorAlgorithm(rawValue: try m.string("algorithm", oneOf: MatrixVectorAlgorithm.allCases.map(\.rawValue))) ?? .bsgs
            if m.contains("rotations") { rotations = try m.int("rotations", in: 0...1_000_000) }
            try m.finish()
        }

        var calibration: CalibrationRecord?
        if let k = try root.optionalTable("calibration") {
            calibration = CalibrationRecord(
                base: try k.string("base"), measurements: try k.string("measurements"),
                operationScale: try k.double("operation_scale", minimum: 0),
                maximumRelativeResidual: try k.double("maximum_relative_residual", minimum: 0),
                depthRule: try k.string("depth_rule", oneOf: DepthRule.allCases.map(\.rawValue)),
                placement: try k.string("placement", oneOf: PlacementStrategy.allCases.map(\.rawValue)))
            try k.finish()
        }
        try root.finish()
        self.init(name: name, description: description, parameters: parameters, costs: costs,
                  levelScaling: scaling ?? .modulus, matrixVector: algorithm, matrixVectorRotations: rotations,
                  calibration: calibration)
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
            fresh_levels = \(p.freshLevels)

            [costs]                     # seconds per operation at the top level (right after a bootstrap)
            bootstrap = \(number(costs.bootstrap))
            multiplication = \(number(costs.multiplication))             # ciphertext x ciphertext, with relinearisation and rescale
            plaintext_multiplication = \(number(costs.plaintextMultiplication))
            rotation = \(number(costs.rotation))
            addition = \(number(costs.addition))
            level_scaling = \(quoted(levelScaling.rawValue))   # "modulus": proportional to log2 of the modulus at the level; "flat": the same at every level

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
