import CellwiseCore

/// What an encrypted run evaluates: the plan's ``CiphertextGraph`` (every gate, product and state
/// of every cell), the bootstraps placed on it, the model's weights and each site's Chebyshev
/// series, written as the bridge's job.
///
/// Bootstraps come from the cost model: per ciphertext (``PlacementStrategy/ciphertexts``, the
/// only placement for GRU, LSTM and stacked models), or, for a one-layer SimpleRNN, the chain
/// placements, whose bootstrap before cell `t` refreshes the state `h` it reads.
public struct EncryptedCircuit: Sendable {
    /// The operations.
    public let graph: CiphertextGraph
    /// The ciphertexts bootstrapped just before each operation (by operation index).
    public let refreshes: [Int: [Int]]
    /// The ciphertexts packed into one and bootstrapped together just before each operation
    /// (``PlacementStrategy/packed``), by operation index.
    public let packs: [Int: [[Int]]]

    /// Plan sites whose interval map is folded into the weights (the cost model's ``CostModel/foldedSites``).
    public let foldedSites: Set<Int>

    /// Slots per image: a power of two that holds every layer's units and inputs side by side, its
    /// output (two passes side by side), and the classes (``window(for:)``).
    public let window: Int

    /// The largest window an encrypted run packs one image into: 4,096 slots (a layer of up to
    /// 4,096 units and inputs; one image fills N = 8,192).
    public static let maximumWindow = 4096

    /// The window of `model`: the next power of two of the most slots any step needs (a layer's
    /// units plus its inputs, a bidirectional layer's two passes side by side, the classes): 64
    /// for the shipped models (32 + 28 for mnist5k's SimpleRNN, 32 + 12 for the vowels GRU), 128
    /// for a GRU(64) on 12 features. Every matrix-vector product is a BSGS product over the
    /// window (``MatrixVectorAlgorithm/bsgs``: 8 + 8 baby and giant steps for 64, 16 + 8 for 128).
    public static func window(for model: RecurrentModel) -> Int {
        CostModel.window(inputSize: model.inputSize, stack: model.stack, classes: model.classes)
    }

    /// Whether an encrypted run of `model` encrypts its inputs at the level a bootstrap returns:
    /// so for gated and stacked models, whose many weight matrices then need only that level's
    /// towers (a one-layer SimpleRNN's inputs are fresh, at the context's top level).
    public static func inputsAtBootstrapLevel(for model: RecurrentModel) -> Bool {
        !model.sites.isOneSimpleRNNLayer
    }

    /// `costModel` as an encrypted run of `model` prices a plan: with inputs encrypted at the
    /// bootstrap's level where ``inputsAtBootstrapLevel(for:)`` says so (fresh ciphertexts then have
    /// a bootstrapped one's levels). `cellwise cost --placement ciphertexts` and `cellwise ckks run`
    /// both predict with it, so that they agree on bootstraps and seconds.
    public static func pricing(_ costModel: CostModel, for model: RecurrentModel) -> CostModel {
        guard inputsAtBootstrapLevel(for: model) else { return costModel }
        var priced = costModel
        let parameters = costModel.profile.parameters
        priced.profile.parameters.freshLevels = min(parameters.freshLevels, parameters.levelsAfterBootstrap)
        return priced
    }

    /// The plan sites of `plan` whose interval map an encrypted run can fold into the weights: a
    /// site the layer's cell can fold (``CellGraph/foldableSites``) with a polynomial of degree 3 or
    /// more whose interval is the same in every cell of its layer and pass (one scaled copy of the
    /// weights serves them all; per-cell intervals would need one copy per cell).
    public static func foldableSites(
        model: RecurrentModel, plan: ActivationPlan, approximations: ApproximationLibrary
    ) throws -> Set<Int> {
        let layout = plan.layout
        var intervals = [[Int]: Set<[Double]>]()  // [layer, pass, site in cell] -> intervals
        var sites = [[Int]: [Int]]()
        var blocked = Set<[Int]>()
        let foldableByLayer = model.layers.map(\.cell.graph.foldableSites)
        for index in 0..<layout.cells {
            let cell = layout.cell(index)
            let foldable = foldableByLayer[cell.layer]
            for (offset, site) in cell.sites.enumerated() {
                let key = [cell.layer, cell.pass, offset]
                guard foldable.contains(offset), let candidate = plan.activations[site].candidate,
                    candidate.degree >= 3
                else {
                    blocked.insert(key)
                    continue
                }
                let fit = try approximations.fit(candidate, cell: site)
                intervals[key, default: []].insert([fit.lower, fit.upper])
                sites[key, default: []].append(site)
            }
        }
        return Set(sites.filter { !blocked.contains($0.key) && intervals[$0.key]?.count == 1 }.values.joined())
    }

    /// The circuit of `plan` with the bootstraps the cost model placed for `prediction`.
    ///
    /// - Throws: ``ConfigurationError`` for a model that does not fit the slots or a chain placement
    ///   of a gated or stacked model.
    public init(model: RecurrentModel, plan: ActivationPlan, costModel: CostModel, prediction: CostReport) throws {
        window = Self.window(for: model)
        guard window <= Self.maximumWindow else {
            throw ConfigurationError(
                key: "model",
                problem: "needs a \(window)-slot window per image (its widest layer's units and inputs); encrypted "
                    + "runs pack at most \(Self.maximumWindow)")
        }
        graph = try CiphertextGraph(plan: plan, model: costModel)
        foldedSites = costModel.foldedSites
        switch prediction.placement {
        case .ciphertexts, .packed:
            refreshes = Dictionary(grouping: prediction.ciphertextRefreshes, by: \.operation).mapValues {
                $0.map(\.ciphertext)
            }
            packs = Dictionary(grouping: prediction.ciphertextPacks, by: \.operation).mapValues {
                $0.map(\.ciphertexts)
            }
        case .greedy, .optimal:
            guard model.sites.isOneSimpleRNNLayer else {
                throw ConfigurationError(
                    key: "--placement",
                    problem: "\(prediction.placement.rawValue) places bootstraps on a chain of one state; "
                        + "\(CostModel.describe(model.sites.layers)) run encrypted with --placement ciphertexts")
            }
            // One operation per cell, then Dense: element e is operation e; its state is its last input.
            var refreshes = [Int: [Int]]()
            for element in prediction.schedule.bootstrapBefore {
                let state = graph.operations[element].inputs.last!.ciphertext
                if !graph.fresh.contains(state) { refreshes[element] = [state] }
            }
            self.refreshes = refreshes
            packs = [:]
        }
    }

    /// The backend's job for `images` (each `timeSteps x inputSize` transformed features).
    ///
    /// - Throws: ``CostModelError`` for a site with the exact function.
    public func job(
        model: RecurrentModel, plan: ActivationPlan, approximations: ApproximationLibrary, images: [[Float]],
        inputsAtBootstrapLevel: Bool
    ) throws -> EncryptedJob {
        let cell = model.layers[0].cell.graph
        let inputs = Set(graph.stepInputs)
        let fresh =
            graph.stepInputs.enumerated().map { EncryptedJob.Fresh(id: $1, input: $0) }
            + graph.fresh.subtracting(inputs).sorted().map { EncryptedJob.Fresh(id: $0, input: nil) }
        let operations = try graph.operations.enumerated().map { index, operation in
            let kind: EncryptedJob.Operation.Kind =
                operation.node != nil ? .cell : operation.kind == "merge" ? .merge : .dense
            var entry = EncryptedJob.Operation(
                label: operation.label, kind: kind, layer: operation.layer,
                node: operation.node, pass: operation.pass == 0 ? nil : operation.pass,
                reads: operation.node.map { node in
                    model.layers[operation.layer].cell.graph.operations.first { $0.node == node }!.inputs.map {
                        $0.value.description
                    }
                },
                inputs: operation.inputs.map(\.ciphertext), output: operation.output, refresh: refreshes[index] ?? [],
                pack: packs[index].map { groups in
                    groups.map {
                        EncryptedJob.Pack(
                            ciphertexts: $0, widths: $0.map { graph.widths[$0] },
                            zeroPadded: $0.map { graph.zeroPadded[$0] })
                    }
                })
            if let site = operation.site {
                guard let candidate = plan.activations[site].candidate else {
                    throw CostModelError.exactTanh(cell: site)
                }
                let fit = try approximations.fit(candidate, cell: site)
                // Rounded to Float32 (about 1e-7 relative, far below CKKS noise): a least-squares fit's
                // last bits depend on the CPU's LAPACK kernels, and a job must be the same bits on
                // every machine (its digest identifies the run's folder).
                entry.chebyshev = fit.chebyshevCoefficients.map { Double(Float($0)) }
                entry.interval = [fit.lower, fit.upper]
                if foldedSites.contains(site) && candidate.degree >= 3 { entry.fold = true }
            }
            return entry
        }
        return EncryptedJob(
            format: EncryptedJob.currentFormat, window: window, cell: cell, inputSize: model.inputSize,
            classes: model.classes,
            layers: model.layers.map { layer in
                EncryptedJob.Layer(
                    units: layer.units, inputSize: layer.inputSize, kernel: layer.kernel.map(Double.init),
                    recurrentKernel: layer.recurrentKernel.map(Double.init), bias: layer.bias.map(Double.init),
                    recurrentBias: layer.recurrentBias.map(Double.init),
                    cell: layer.cell.graph == cell ? nil : layer.cell.graph,
                    backward: layer.passes.count > 1
                        ? EncryptedJob.Pass(
                            kernel: layer.passes[1].kernel.map(Double.init),
                            recurrentKernel: layer.passes[1].recurrentKernel.map(Double.init),
                            bias: layer.passes[1].bias.map(Double.init),
                            recurrentBias: layer.passes[1].recurrentBias.map(Double.init)) : nil,
                    merge: layer.direction == .bidirectional ? layer.merge : nil)
            },
            denseKernel: model.denseKernel.map(Double.init), denseBias: model.denseBias.map(Double.init),
            fresh: fresh, operations: operations, logits: graph.logits, images: images.map { $0.map(Double.init) },
            inputsAtBootstrapLevel: inputsAtBootstrapLevel)
    }
}
