import CellwiseCore

/// The shared CKKS cost model: depth of every cell, bootstrap placement and latency of a plan.
///
/// The network is a chain of `cells` RNN cells followed by the Dense layer. Cell `t` multiplies
/// `[x_t | h_{t-1}]` by its plaintext weights (1 level) and evaluates its activation's
/// polynomial (its depth by ``DepthRule``); the Dense layer is one more matrix-vector product
/// (1 level). Formulas and a worked example: `docs/cost-model.md`.
public struct CostModel: Sendable {
    /// Operation costs and CKKS parameters.
    public var profile: CostProfile
    /// How polynomial depth follows from the degree.
    public var depthRule: DepthRule
    /// Features per time step (x_t).
    public var inputSize: Int
    /// Hidden units (h_t).
    public var units: Int
    /// Output classes.
    public var classes: Int

    /// Creates a model for SimpleRNN(`units`) + Dense(`classes`) on `inputSize` features per step
    /// (by default the paper's shape: 28 inputs, 32 units, 10 classes).
    public init(
        profile: CostProfile, depthRule: DepthRule = .ideal, inputSize: Int = 28, units: Int = 32, classes: Int = 10
    ) {
        self.profile = profile
        self.depthRule = depthRule
        self.inputSize = inputSize
        self.units = units
        self.classes = classes
    }

    /// Creates a model priced at `model`'s shape (inputs per step, units, classes).
    public init(profile: CostProfile, depthRule: DepthRule = .ideal, shapeOf model: SimpleRNN) {
        self.init(
            profile: profile, depthRule: depthRule, inputSize: model.inputSize, units: model.units,
            classes: model.classes)
    }

    /// One element of the chain: a cell or the Dense layer.
    public struct Element: Sendable, Equatable {
        /// Levels it consumes.
        public var depth: Int
        /// Its operations in the matrix-vector product (run at the entry level).
        public var linear: OperationCounts
        /// Its polynomial's operations (run across the polynomial's levels).
        public var polynomial: OperationCounts
        /// The polynomial's depth (0 for the Dense layer).
        public var polynomialDepth: Int
        /// The polynomial's degree (nil for the Dense layer).
        public var degree: Int?

        /// Creates an element.
        public init(
            depth: Int, linear: OperationCounts, polynomial: OperationCounts, polynomialDepth: Int, degree: Int?
        ) {
            self.depth = depth
            self.linear = linear
            self.polynomial = polynomial
            self.polynomialDepth = polynomialDepth
            self.degree = degree
        }
    }

    /// The chain's elements for `plan`: its cells, then the Dense layer.
    ///
    /// - Throws: ``CostModelError`` for a cell with the exact tanh, which CKKS cannot evaluate.
    public func elements(of plan: ActivationPlan) throws -> [Element] {
        let algorithm = profile.matrixVector
        let rotations = profile.matrixVectorRotations
        let cellLinear = algorithm.counts(inputs: inputSize + units, outputs: units, rotations: rotations)
        var elements = try plan.activations.enumerated().map { cell, activation -> Element in
            guard let degree = activation.degree else { throw CostModelError.exactTanh(cell: cell) }
            let polynomialDepth = depthRule.polynomialDepth(degree: degree)
            return Element(
                depth: 1 + polynomialDepth, linear: cellLinear,
                polynomial: PolynomialOperations.counts(degree: degree), polynomialDepth: polynomialDepth,
                degree: degree)
        }
        elements.append(
            Element(
                depth: 1, linear: algorithm.counts(inputs: units, outputs: classes, rotations: rotations),
                polynomial: OperationCounts(), polynomialDepth: 0, degree: nil))
        return elements
    }

    /// Levels consumed by each cell of `plan` (without the Dense layer).
    public func depthPerCell(_ plan: ActivationPlan) throws -> [Int] {
        try elements(of: plan).dropLast().map(\.depth)
    }

    /// Seconds of `element`'s operations when it starts with `level` levels left: the
    /// matrix-vector product at `level`, the polynomial at the mean level of its span
    /// (`level - 1 - (depth_p - 1) / 2`).
    public func seconds(of element: Element, atLevel level: Int) -> Double {
        let linear = profile.costs.seconds(of: element.linear) * profile.levelFactor(Double(level))
        guard element.polynomialDepth > 0 else { return linear }
        let mean = Double(level) - 1 - Double(element.polynomialDepth - 1) / 2
        return linear + profile.costs.seconds(of: element.polynomial) * profile.levelFactor(mean)
    }

    /// Places bootstraps and prices `plan`.
    public func cost(of plan: ActivationPlan, placement: PlacementStrategy = .greedy) throws -> CostReport {
        let chain = try elements(of: plan)
        let schedule = try BootstrapPlacement.place(chain, model: self, strategy: placement)
        return CostReport(
            plan: plan, depthPerCell: chain.dropLast().map(\.depth), schedule: schedule,
            profile: profile.name, depthRule: depthRule, placement: placement)
    }
}

/// The cost of one plan.
public struct CostReport: Sendable, Equatable {
    /// The plan priced.
    public var plan: ActivationPlan
    /// Levels consumed by each cell.
    public var depthPerCell: [Int]
    /// Where bootstraps go and at which level each element runs.
    public var schedule: BootstrapSchedule
    /// The profile's name.
    public var profile: String
    /// The depth rule used.
    public var depthRule: DepthRule
    /// The placement used.
    public var placement: PlacementStrategy

    /// Number of bootstraps.
    public var bootstraps: Int { schedule.bootstrapBefore.count }
    /// Total latency in seconds.
    public var latencySeconds: Double { schedule.seconds }

    /// A one-line picture of the chain: cells by degree, `|` where a bootstrap goes, `D` for
    /// the Dense layer: `17|17|...|7 7|7 7 D`.
    public var picture: String {
        let boots = Set(schedule.bootstrapBefore)
        var text = ""
        let labels = plan.activations.map(\.description) + ["D"]
        for (index, label) in labels.enumerated() {
            if boots.contains(index) { text += "|" } else if index > 0 { text += " " }
            text += label
        }
        return text
    }
}

/// Plans or chains the cost model cannot price.
public enum CostModelError: Error, CustomStringConvertible, Equatable {
    /// A cell uses the exact tanh.
    case exactTanh(cell: Int)
    /// A cell needs more levels than a bootstrap provides.
    case cellTooDeep(cell: Int, degree: Int?, depth: Int, available: Int)

    public var description: String {
        switch self {
        case .exactTanh(let cell):
            return "cell \(cell) uses the exact tanh (t), which has no CKKS evaluation; give it a polynomial degree"
        case .cellTooDeep(let cell, let degree, let depth, let available):
            let what = degree.map { "cell \(cell) (degree \($0))" } ?? "the Dense layer"
            return "\(what) needs \(depth) levels, more than the \(available) available after a bootstrap"
        }
    }
}
extension CostModelError: CellwiseError {}
