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

    /// Every image's window: a layer's units and inputs side by side in 64 slots.
    public static let window = 64

    /// The circuit of `plan` with the bootstraps the cost model placed for `prediction`.
    ///
    /// - Throws: ``ConfigurationError`` for a model that does not fit the slots or a chain placement
    ///   of a gated or stacked model.
    public init(model: RecurrentModel, plan: ActivationPlan, costModel: CostModel, prediction: CostReport) throws {
        for (index, layer) in model.layers.enumerated() where layer.units + layer.inputSize > Self.window {
            throw ConfigurationError(
                key: "model",
                problem: "layer \(index) has \(layer.units) units and \(layer.inputSize) inputs; encrypted runs pack "
                    + "both into a \(Self.window)-slot window per image")
        }
        guard model.classes <= Self.window else {
            throw ConfigurationError(key: "model", problem: "has \(model.classes) classes; at most \(Self.window)")
        }
        for (index, layer) in model.layers.enumerated() where layer.outputSize > Self.window {
            throw ConfigurationError(
                key: "model",
                problem: "layer \(index) gives \(layer.outputSize) values per step (two passes side by side); "
                    + "encrypted runs hold them in a \(Self.window)-slot window per image")
        }
        graph = try CiphertextGraph(plan: plan, model: costModel)
        switch prediction.placement {
        case .ciphertexts:
            refreshes = Dictionary(grouping: prediction.ciphertextRefreshes, by: \.operation).mapValues {
                $0.map(\.ciphertext)
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
                inputs: operation.inputs.map(\.ciphertext), output: operation.output, refresh: refreshes[index] ?? [])
            if let site = operation.site {
                guard let candidate = plan.activations[site].candidate else {
                    throw CostModelError.exactTanh(cell: site)
                }
                let fit = try approximations.fit(candidate, cell: site)
                entry.chebyshev = fit.chebyshevCoefficients
                entry.interval = [fit.lower, fit.upper]
            }
            return entry
        }
        return EncryptedJob(
            format: EncryptedJob.currentFormat, cell: cell, inputSize: model.inputSize, classes: model.classes,
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
