import CellwiseCore

/// The shared CKKS cost model: depth of every cell, bootstrap placement and latency of a plan.
///
/// The network is a chain of cells (every pass's step of every layer, in ``SiteLayout`` order)
/// followed by the Dense layer. A cell is a small graph: each gate block multiplies `[x_t | h_{t-1}]` by its
/// plaintext weights (1 level) and evaluates its site's polynomial (its depth by
/// ``DepthRule``); the element-wise products of GRU and LSTM cells (`r * (...)`, `z * (h - h~)`,
/// `f * c`, `i * g`, `o * tanh(c)`) take one level each. A cell's depth is its longest path; the
/// Dense layer is one more matrix-vector product (1 level).
///
/// The state ciphertexts (each pass's `h`, and `c` for an LSTM) are bootstrapped together,
/// so a bootstrap costs the profile's bootstrap time per state ciphertext and the chain
/// placement stays exact for one state (a one-layer SimpleRNN or GRU) and conservative for
/// more. A bidirectional layer's two states are merged (``CiphertextGraph``) before the layer
/// above or the Dense layer reads them. Formulas and worked examples: `docs/cost-model.md`.
public struct CostModel: Sendable {
    /// Operation costs and CKKS parameters.
    public var profile: CostProfile
    /// How polynomial depth follows from the degree.
    public var depthRule: DepthRule
    /// Features per time step (x_t).
    public var inputSize: Int
    /// Hidden units (h_t) of the last layer.
    public var units: Int { stack[stack.count - 1].units }
    /// Output classes.
    public var classes: Int
    /// The layers: cell kind, units, direction and merge of each.
    public var stack: [LayerShape]
    /// Plan sites whose polynomial's map of its interval onto [-1, 1] is folded into the weights
    /// that make its argument (an encrypted run's `--fold-intervals`, ``polynomialDepth(degree:site:)``):
    /// one level less each from degree 3 on. Empty by default: the depth rule as it is.
    public var foldedSites: Set<Int> = []

    /// Levels of `degree`'s polynomial at plan site `site`: the depth rule's, one less when the site
    /// is folded (OpenFHE's Chebyshev series on [-1, 1] skips the affine map, measured: degree 13
    /// takes 4 levels there and 5 on [-4, 4]).
    public func polynomialDepth(degree: Int, site: Int?) -> Int {
        let depth = depthRule.polynomialDepth(degree: degree)
        guard let site, degree >= 3, foldedSites.contains(site) else { return depth }
        return depth - 1
    }
    /// Each layer's units (the last equals ``units``).
    public var layerUnits: [Int] { stack.map(\.units) }
    /// The cell kind every layer shares, or nil for a stack of different kinds.
    public var cell: RecurrentCell? {
        let first = stack[0].cell
        return stack.allSatisfy { $0.cell == first } ? first : nil
    }
    /// What the Dense layer reads: the last layer's output width.
    public var outputSize: Int { Self.outputSize(of: stack[stack.count - 1]) }
    /// What layer `layer` reads per step.
    public func inputWidth(ofLayer layer: Int) -> Int { layer == 0 ? inputSize : Self.outputSize(of: stack[layer - 1]) }

    /// Slots per sample in an encrypted run: the next power of two of the most slots any step
    /// needs (a layer's units beside its inputs, a bidirectional layer's two passes side by side,
    /// the classes). 64 for the shipped models, 128 for a GRU(64) on 12 features.
    public var window: Int { Self.window(inputSize: inputSize, stack: stack, classes: classes) }

    /// The window of a stack on `inputSize` features per step with `classes` outputs (``window``).
    public static func window(inputSize: Int, stack: [LayerShape], classes: Int) -> Int {
        var needed = max(classes, 1)
        for (index, layer) in stack.enumerated() {
            let below = index == 0 ? inputSize : outputSize(of: stack[index - 1])
            needed = max(needed, layer.units + below, outputSize(of: layer))
        }
        return 1 << DepthRule.ceilLog2(needed)
    }

    static func outputSize(of layer: LayerShape) -> Int {
        layer.direction == .bidirectional && layer.merge == .concat ? 2 * layer.units : layer.units
    }

    /// The layout of the sites this model prices.
    public func layout(timeSteps: Int) -> SiteLayout {
        SiteLayout(layers: stack.map { .init(cell: $0.cell, direction: $0.direction) }, timeSteps: timeSteps)
    }

    /// Creates a model for SimpleRNN(`units`) + Dense(`classes`) on `inputSize` features per step
    /// (by default the paper's shape: 28 inputs, 32 units, 10 classes).
    public init(
        profile: CostProfile, depthRule: DepthRule = .ideal, inputSize: Int = 28, units: Int = 32, classes: Int = 10
    ) {
        self.profile = profile
        self.depthRule = depthRule
        self.inputSize = inputSize
        self.classes = classes
        self.stack = [LayerShape(cell: .simpleRNN, units: units)]
    }

    /// Creates a model for any stack of layers.
    public init(
        profile: CostProfile, depthRule: DepthRule = .ideal, inputSize: Int, stack: [LayerShape], classes: Int
    ) {
        precondition(!stack.isEmpty, "a model needs a layer")
        self.profile = profile
        self.depthRule = depthRule
        self.inputSize = inputSize
        self.classes = classes
        self.stack = stack
    }

    /// Creates a model priced at `model`'s shape (layers, inputs per step, classes).
    public init(profile: CostProfile, depthRule: DepthRule = .ideal, shapeOf model: RecurrentModel) {
        self.init(
            profile: profile, depthRule: depthRule, inputSize: model.inputSize, stack: model.stack,
            classes: model.classes)
    }

    /// State ciphertexts refreshed by one bootstrap: each pass's `h` (and `c` for an LSTM).
    public var stateCiphertexts: Int {
        stack.reduce(0) { $0 + $1.direction.passes.count * $1.cell.graph.states.count }
    }

    /// Seconds of a bootstrap before `element` (of every ciphertext it refreshes).
    public func bootstrapSeconds(before element: Element) -> Double {
        profile.costs.bootstrap * Double(element.bootstrapCiphertexts)
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
        /// Ciphertexts a bootstrap before this element refreshes (the states, or a cell's
        /// intermediate values between its stages).
        public var bootstrapCiphertexts: Int = 1
        /// The stage within its cell (0 for a cell's first and for the Dense layer).
        public var stage: Int = 0

        /// Creates an element.
        public init(
            depth: Int, linear: OperationCounts, polynomial: OperationCounts, polynomialDepth: Int, degree: Int?,
            bootstrapCiphertexts: Int = 1, stage: Int = 0
        ) {
            self.depth = depth
            self.linear = linear
            self.polynomial = polynomial
            self.polynomialDepth = polynomialDepth
            self.degree = degree
            self.bootstrapCiphertexts = bootstrapCiphertexts
            self.stage = stage
        }
    }

    /// The chain's elements for `plan`: its cells (every layer's step), then the Dense layer.
    ///
    /// - Throws: ``CostModelError`` for a site with the exact function, which CKKS cannot
    ///   evaluate, or a plan of another shape.
    public func elements(of plan: ActivationPlan) throws -> [Element] {
        try checkShape(of: plan)
        let layout = plan.layout
        var elements = [Element]()
        for index in 0..<layout.cells {
            let cell = layout.cell(index)
            var degrees = [Int]()
            for site in cell.sites {
                guard let degree = plan.activations[site].degree else { throw CostModelError.exactTanh(cell: site) }
                degrees.append(degree)
            }
            elements += cellStages(degrees: degrees, layer: cell.layer, firstSite: cell.firstSite)
        }
        elements.append(denseElement)
        return elements
    }

    /// The stages of one cell of layer `layer` whose sites have polynomials of `degrees` (in
    /// ``RecurrentCell/sites`` order): the chain elements a bootstrap may go between.
    ///
    /// A SimpleRNN cell is one stage (`1 + d_h`). A GRU cell is three: the gates and the
    /// recurrent product of the candidate (`1 + max(d_z, d_r)`), the candidate (`1 + d_h`, or
    /// `2 + d_h` with the reset before the product: `(r * h) R_h`), the update `h~ + z * (h - h~)`
    /// (1). An LSTM cell is four: the gates (`1 + max(d_i, d_f, d_g, d_o)`), `c = f * c + i * g`
    /// (1), `tanh(c)` (`d_c`), `h = o * tanh(c)` (1). A bootstrap before the first stage refreshes
    /// every state ciphertext; one between stages refreshes the values live there (GRU 4 then 3,
    /// LSTM 5, 2, 3) and the other layers' states.
    /// `firstSite`: the plan index of the cell's first site, for ``foldedSites``.
    public func cellStages(degrees: [Int], layer: Int, firstSite: Int? = nil) -> [Element] {
        let graph = stack[layer].cell.graph
        let u = stack[layer].units
        let input = inputWidth(ofLayer: layer)
        let block = profile.matrixVector.counts(inputs: input + u, outputs: u, rotations: profile.matrixVectorRotations)
        let product = OperationCounts(multiplications: 1, plaintextMultiplications: 0, rotations: 0, additions: 2)
        let d = degrees.enumerated().map { offset, degree in
            polynomialDepth(degree: degree, site: firstSite.map { $0 + offset })
        }
        let others = stateCiphertexts - graph.states.count
        return graph.stages.enumerated().map { index, stage in
            var polynomial = OperationCounts()
            var depth = 0
            for member in stage.operations {
                if let site = member.site {
                    polynomial = polynomial + PolynomialOperations.counts(degree: degrees[site])
                }
                for _ in 0..<member.elementwiseProducts { polynomial = polynomial + product }
                depth = max(depth, member.lead + (member.site.map { d[$0] } ?? 0))
            }
            // Every weight product runs at the cell's entry level, with the first stage.
            let linear =
                index == 0
                ? (0..<graph.blocks).reduce(OperationCounts()) { total, _ in total + block } : OperationCounts()
            return Element(
                depth: depth, linear: linear, polynomial: polynomial, polynomialDepth: index == 0 ? depth - 1 : depth,
                degree: degrees.max(), bootstrapCiphertexts: index == 0 ? stateCiphertexts : stage.live.count + others,
                stage: index)
        }
    }

    /// Chain elements per cell (``cellStages(degrees:layer:)``): SimpleRNN 1, GRU 3, LSTM 4.
    public static func stagesPerCell(_ cell: RecurrentCell) -> Int { cell.graph.stageCount }

    /// Refuses a plan for other layers than the model's.
    func checkShape(of plan: ActivationPlan) throws {
        let expected = layout(timeSteps: plan.layout.timeSteps).layers
        guard plan.layout.layers == expected else {
            throw CostModelError.shape(
                "the plan is for \(Self.describe(plan.layout.layers)), the cost model for \(Self.describe(expected))")
        }
    }

    /// `2 GRU layer(s)`, or `GRU, bidirectional LSTM`.
    static func describe(_ layers: [SiteLayout.Layer]) -> String {
        if layers.allSatisfy({ $0 == layers[0] }) && layers[0].direction == .forward {
            return "\(layers.count) \(layers[0].cell.name) layer(s)"
        }
        return layers.map { ($0.direction == .forward ? "" : "\($0.direction.rawValue) ") + $0.cell.name }
            .joined(separator: ", ")
    }

    /// The Dense layer's element.
    public var denseElement: Element {
        Element(
            depth: 1,
            linear: profile.matrixVector.counts(
                inputs: outputSize, outputs: classes, rotations: profile.matrixVectorRotations),
            polynomial: OperationCounts(), polynomialDepth: 0, degree: nil)
    }

    /// Levels consumed by each element of `plan` (its cells' stages, without the Dense layer).
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
        if placement == .ciphertexts || placement == .packed {
            let graph = try CiphertextGraph(plan: plan, model: self)
            let placed =
                placement == .packed
                ? try CiphertextPlacement.packed(graph, model: self)
                : try CiphertextPlacement.optimal(graph, model: self)
            // One entry per bootstrap (a refreshed ciphertext or a pack), at the chain element of the
            // operation it precedes.
            var before = placed.refreshes.map { graph.operations[$0.operation].element }
            if !placed.packs.isEmpty {
                before = (before + placed.packs.map { graph.operations[$0.operation].element }).sorted()
            }
            let schedule = BootstrapSchedule(bootstrapBefore: before, entryLevels: [], seconds: placed.seconds)
            return CostReport(
                plan: plan, depthPerCell: chain.dropLast().map(\.depth), schedule: schedule, profile: profile.name,
                depthRule: depthRule, placement: placement, samplesPerCiphertext: profile.parameters.batch,
                ciphertextRefreshes: placed.refreshes, ciphertextPacks: placed.packs)
        }
        let schedule = try BootstrapPlacement.place(chain, model: self, strategy: placement)
        return CostReport(
            plan: plan, depthPerCell: chain.dropLast().map(\.depth), schedule: schedule,
            profile: profile.name, depthRule: depthRule, placement: placement,
            samplesPerCiphertext: profile.parameters.batch)
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
    /// Samples per ciphertext under the profile (SIMD packing).
    public var samplesPerCiphertext: Int = 1
    /// With ``PlacementStrategy/ciphertexts``: each bootstrap, as the ciphertext of the plan's
    /// ``CiphertextGraph`` refreshed before an operation (empty for the chain placements).
    public var ciphertextRefreshes: [CiphertextSchedule.Refresh] = []
    /// With ``PlacementStrategy/packed``: the bootstraps of several ciphertexts packed into one.
    public var ciphertextPacks: [CiphertextSchedule.Pack] = []
    /// Seconds per sample: the latency of a ciphertext shared by the samples packed in it.
    public var amortizedSeconds: Double { latencySeconds / Double(samplesPerCiphertext) }

    /// A one-line picture of the chain: cells by degree, `|` where a bootstrap goes, `D` for
    /// the Dense layer: `17|17|...|7 7|7 7 D`.
    public var picture: String {
        let boots = Set(schedule.bootstrapBefore)
        var text = ""
        let tokens = plan.tokens
        var labels = [String]()
        for cell in 0..<plan.layout.cells {
            let sites: ArraySlice<String> = tokens[plan.layout.cell(cell).sites]
            labels.append(sites.joined(separator: "/"))
            labels += Array(repeating: "+", count: CostModel.stagesPerCell(plan.layout.kind(ofCell: cell)) - 1)
        }
        labels.append("D")
        for (index, label) in labels.enumerated() {
            if boots.contains(index) { text += "|" } else if index > 0 { text += " " }
            text += label
        }
        return text
    }
}

/// Plans or chains the cost model cannot price.
public enum CostModelError: Error, CustomStringConvertible, Equatable {
    /// A site (a cell of the paper's SimpleRNN) uses the exact function.
    case exactTanh(cell: Int)
    /// A cell needs more levels than a bootstrap provides.
    case cellTooDeep(cell: Int, degree: Int?, depth: Int, available: Int)
    /// The plan's shape is not the cost model's.
    case shape(String)

    public var description: String {
        switch self {
        case .exactTanh(let cell):
            return "cell \(cell) uses the exact function (t), which has no CKKS evaluation; give it a polynomial degree"
        case .shape(let problem):
            return problem
        case .cellTooDeep(let cell, let degree, let depth, let available):
            let what = degree.map { "cell \(cell) (degree \($0))" } ?? "the Dense layer"
            return "\(what) needs \(depth) levels, more than the \(available) available after a bootstrap"
        }
    }
}
extension CostModelError: CellwiseError {}
