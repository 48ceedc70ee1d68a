import CellwiseCore

/// What an encrypted run evaluates: the plan's ``CiphertextGraph`` (every gate, product and state
/// of every cell), the bootstraps placed on it, the model's weights and each site's Chebyshev
/// series, written as the bridge's job.
///
/// Bootstraps come from the cost model: per ciphertext (``PlacementStrategy/ciphertexts``, the
/// only placement for GRU, LSTM and stacked models), or, for a one-layer SimpleRNN, the chain
/// placements, whose bootstrap before cell `t` refreshes the state `h` it reads.
struct EncryptedCircuit {
    /// The operations.
    let graph: CiphertextGraph
    /// The ciphertexts bootstrapped just before each operation (by operation index).
    let refreshes: [Int: [Int]]

    /// Every image's window: a layer's units and inputs side by side in 64 slots.
    static let window = 64

    /// The circuit of `plan` with the bootstraps the cost model placed for `prediction`.
    ///
    /// - Throws: ``ConfigurationError`` for a model that does not fit the slots or a chain placement
    ///   of a gated or stacked model.
    init(model: RecurrentModel, plan: ActivationPlan, costModel: CostModel, prediction: CostReport) throws {
        for (index, layer) in model.layers.enumerated() where layer.units + layer.inputSize > Self.window {
            throw ConfigurationError(
                key: "model",
                problem: "layer \(index) has \(layer.units) units and \(layer.inputSize) inputs; encrypted runs pack "
                    + "both into a \(Self.window)-slot window per image")
        }
        guard model.classes <= Self.window else {
            throw ConfigurationError(key: "model", problem: "has \(model.classes) classes; at most \(Self.window)")
        }
        graph = try CiphertextGraph(plan: plan, model: costModel)
        switch prediction.placement {
        case .ciphertexts:
            refreshes = Dictionary(grouping: prediction.ciphertextRefreshes, by: \.operation).mapValues {
                $0.map(\.ciphertext)
            }
        case .greedy, .optimal:
            guard model.cell == .simpleRNN, model.layers.count == 1 else {
                throw ConfigurationError(
                    key: "--placement",
                    problem: "\(prediction.placement.rawValue) places bootstraps on a chain of one state; a "
                        + "\(model.layers.count)-layer \(model.cell.name) runs encrypted with --placement ciphertexts")
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

    /// The bridge's job for `images` (each `timeSteps x inputSize` transformed features).
    func job(
        model: RecurrentModel, plan: ActivationPlan, approximations: ApproximationLibrary, images: [[Float]]
    ) throws -> [String: Any] {
        let cell = model.cell
        let layers: [[String: Any]] = model.layers.map { layer in
            [
                "units": layer.units, "input_size": layer.inputSize, "kernel": layer.kernel.map(Double.init),
                "recurrent_kernel": layer.recurrentKernel.map(Double.init), "bias": layer.bias.map(Double.init),
                "recurrent_bias": layer.recurrentBias.map(Double.init),
            ]
        }
        let inputs = Set(graph.stepInputs)
        let fresh: [[String: Any]] =
            graph.stepInputs.enumerated().map { ["id": $1, "input": $0] }
            + graph.fresh.subtracting(inputs).sorted().map { ["id": $0, "zero": true] }
        let operations: [[String: Any]] = try graph.operations.enumerated().map { index, operation in
            let (kind, block) = try Self.bridgeKind(operation.kind, cell: cell)
            var entry: [String: Any] = [
                "label": operation.label, "kind": kind, "layer": operation.layer, "block": block,
                "inputs": operation.inputs.map(\.ciphertext), "output": operation.output,
                "refresh": refreshes[index] ?? [],
            ]
            if let site = operation.site {
                guard let candidate = plan.activations[site].candidate else {
                    throw CostModelError.exactTanh(cell: site)
                }
                let fit = try approximations.fit(candidate, cell: site)
                entry["chebyshev"] = fit.chebyshevCoefficients
                entry["interval"] = [fit.lower, fit.upper]
            }
            return entry
        }
        return [
            "cell": cell.name, "reset_after": cell == .gru(resetAfter: true), "input_size": model.inputSize,
            "classes": model.classes, "layers": layers, "dense_kernel": model.denseKernel.map(Double.init),
            "dense_bias": model.denseBias.map(Double.init), "fresh": fresh, "operations": operations,
            "logits": graph.logits, "images": images.map { $0.map(Double.init) },
        ]
    }

    /// The bridge's operation kind (and gate block) for a graph operation of `cell`.
    static func bridgeKind(_ kind: String, cell: RecurrentCell) throws -> (String, Int) {
        switch (cell, kind) {
        case (_, "dense"): return ("dense", 0)
        case (.simpleRNN, "h"): return ("gate", 0)
        case (.gru, "z"): return ("gate", 0)
        case (.gru, "r"): return ("gate", 1)
        case (.gru, "h~"): return ("candidate", 2)
        case (.gru, "h"): return ("update", 0)
        case (.lstm, "i"): return ("gate", 0)
        case (.lstm, "f"): return ("gate", 1)
        case (.lstm, "g"): return ("gate", 2)
        case (.lstm, "o"): return ("gate", 3)
        case (.lstm, "c"): return ("cell", 0)
        case (.lstm, "tanh(c)"): return ("squash", 0)
        case (.lstm, "h"): return ("output", 0)
        default: throw ConfigurationError(key: "model", problem: "no encrypted circuit for \(cell.name) \(kind)")
        }
    }
}
