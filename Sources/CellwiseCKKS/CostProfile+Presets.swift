import CellwiseCore

extension CostProfile {
    /// The profiles built into Cellwise, by name. The same profiles are in `configs/profiles/`.
    public static let presets: [String: CostProfile] = [
        heaanFGb.name: heaanFGb,
        heaanFGbUncalibrated.name: heaanFGbUncalibrated,
    ]

    /// A preset by name, or a profile file by path.
    ///
    /// - Throws: ``ConfigurationError`` naming the file and key at fault.
    public static func named(_ argument: String) throws -> CostProfile {
        if let preset = presets[argument] { return preset }
        guard argument.contains("/") || argument.hasSuffix(".toml") else {
            throw ConfigurationError(
                key: "--profile",
                problem:
                    "\"\(argument)\" is neither a preset (\(presets.keys.sorted().joined(separator: ", "))) nor a "
                    + ".toml file"
            )
        }
        return try CostProfile(contentsOf: argument)
    }

    /// Relative operation costs for HEaAN FGb before calibration: a key-switching operation
    /// (multiplication with relinearisation, rotation) at the top level is taken as about 0.15 s
    /// single-threaded, a plaintext multiplication about a tenth of that, an addition about
    /// 1/75. Only the ratios matter: `cellwise calibrate` fits the overall scale and the bootstrap.
    public static let heaanFGbUncalibrated = CostProfile(
        name: "heaan-fgb-uncalibrated",
        description: "HEaAN FGb parameters with relative operation costs, before calibration to the paper's Table 4",
        parameters: .heaanFGb,
        costs: OperationCosts(
            bootstrap: 20, multiplication: 0.15, plaintextMultiplication: 0.015, rotation: 0.14, addition: 0.002))

    /// HEaAN FGb (the paper's parameters) calibrated to its Table 4: the bootstrap cost of
    /// `heaan-fgb-uncalibrated` fitted by least squares (`cellwise calibrate --free bootstrap`) to
    /// 17*28 -> 628.03 s and 7*4,17*24 -> 581.23 s (ideal depth, greedy placement). It predicts
    /// 625.61 s (27 bootstraps) and 583.84 s (25), within 0.45%. Reproduced by a test.
    public static let heaanFGb = CostProfile(
        name: "heaan-fgb",
        description: "HEaAN FGb parameters (N = 2^16, 9 levels per bootstrap), calibrated to the paper's Table 4",
        parameters: .heaanFGb,
        costs: OperationCosts(
            bootstrap: 18.651655513911592, multiplication: 0.15, plaintextMultiplication: 0.015, rotation: 0.14,
            addition: 0.002),
        calibration: CalibrationRecord(
            base: "heaan-fgb-uncalibrated", measurements: "configs/measurements/paper-table4.toml",
            operationScale: 1, maximumRelativeResidual: 0.00448912999894071, depthRule: "ideal",
            placement: "greedy"))
}

extension LatencyMeasurement {
    /// The paper's Table 4 (HEaAN, CPU, single thread).
    public static let paperTable4: [LatencyMeasurement] = [
        LatencyMeasurement(plan: ActivationPlan(uniform: .polynomial(degree: 17), cells: 28), seconds: 628.03),
        LatencyMeasurement(
            plan: ActivationPlan(
                Array(repeating: .polynomial(degree: 7), count: 4)
                    + Array(repeating: .polynomial(degree: 17), count: 24)), seconds: 581.23),
    ]
}
