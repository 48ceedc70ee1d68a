import CellwiseCore
import CellwiseTestSupport

@testable import CellwiseCKKS

// The cost model's cell stages and the ciphertext graph as they were written by hand for each
// cell kind, before both derived from `CellGraph`: the oracle the derived ones must equal
// (CellGraphDerivationTests), so that every committed table and encrypted job stays the same.

extension CostModel {
    func legacyCellStages(degrees: [Int], layer: Int) -> [Element] {
        let cell = self.cell!  // the legacy definitions knew one cell kind per model
        let algorithm = profile.matrixVector
        let rotations = profile.matrixVectorRotations
        let u = layerUnits[layer]
        let input = layer == 0 ? inputSize : layerUnits[layer - 1]
        let product = algorithm.counts(inputs: input + u, outputs: u, rotations: rotations)
        let linear = (0..<cell.blocks).reduce(OperationCounts()) { total, _ in total + product }
        let d = degrees.map(depthRule.polynomialDepth(degree:))
        func polynomials(_ sites: [Int]) -> OperationCounts {
            sites.reduce(OperationCounts()) { $0 + PolynomialOperations.counts(degree: degrees[$1]) }
        }
        let products = OperationCounts(multiplications: 1, plaintextMultiplications: 0, rotations: 0, additions: 2)
        let states = stateCiphertexts
        let others = states - (cell.hasCellState ? 2 : 1)
        func stage(
            _ index: Int, depth: Int, linear: OperationCounts = OperationCounts(), polynomial: OperationCounts,
            polynomialDepth: Int, live: Int
        ) -> Element {
            Element(
                depth: depth, linear: linear, polynomial: polynomial, polynomialDepth: polynomialDepth,
                degree: degrees.max(), bootstrapCiphertexts: index == 0 ? states : live + others, stage: index)
        }
        switch cell.builtInKind {
        case .simpleRNN:
            return [
                stage(0, depth: 1 + d[0], linear: linear, polynomial: polynomials([0]), polynomialDepth: d[0], live: 1)
            ]
        case .gru(let resetAfter):
            let gates = max(d[0], d[1])
            let candidateDepth = (resetAfter ? 1 : 2) + d[2]
            return [
                stage(
                    0, depth: 1 + gates, linear: linear, polynomial: polynomials([0, 1]), polynomialDepth: gates,
                    live: 1),
                stage(
                    1, depth: candidateDepth, polynomial: polynomials([2]) + products, polynomialDepth: candidateDepth,
                    live: 4),
                stage(2, depth: 1, polynomial: products, polynomialDepth: 1, live: 3),
            ]
        case .lstm:
            let gates = max(d[0], d[1], d[2], d[3])
            return [
                stage(
                    0, depth: 1 + gates, linear: linear, polynomial: polynomials([0, 1, 2, 3]), polynomialDepth: gates,
                    live: 2),
                stage(1, depth: 1, polynomial: products + products, polynomialDepth: 1, live: 5),
                stage(2, depth: d[4], polynomial: polynomials([4]), polynomialDepth: d[4], live: 2),
                stage(3, depth: 1, polynomial: products, polynomialDepth: 1, live: 3),
            ]
        }
    }

}

extension CiphertextGraph {
    init(legacyPlan plan: ActivationPlan, model: CostModel) throws {
        let cell = model.cell!
        let layers = model.layerUnits.count
        let perCell = cell.sites.count
        var operations = [Operation]()
        var names = [String]()
        var widths = [Int]()
        var padded = [Bool]()
        var fresh = Set<Int>()
        func ciphertext(_ name: String, width: Int, isFresh: Bool = false, zeroPadded: Bool = true) -> Int {
            names.append(name)
            widths.append(width)
            padded.append(zeroPadded)
            if isFresh { fresh.insert(names.count - 1) }
            return names.count - 1
        }
        var hidden = (0..<layers).map {
            ciphertext("h[\($0)] initial (zero)", width: model.layerUnits[$0], isFresh: true)
        }
        var cellState =
            cell.hasCellState
            ? (0..<layers).map { ciphertext("c[\($0)] initial (zero)", width: model.layerUnits[$0], isFresh: true) }
            : []
        let product = OperationCounts(multiplications: 1, plaintextMultiplications: 0, rotations: 0, additions: 2)
        try model.checkShape(of: plan)
        if let exact = plan.activations.firstIndex(where: { $0.degree == nil }) {
            throw CostModelError.exactTanh(cell: exact)
        }
        let stages = [RecurrentCell.simpleRNN: 1, .gru(resetAfter: true): 3, .gru(resetAfter: false): 3, .lstm: 4][
            cell]!
        var element = 0
        var stepInputs = [Int]()
        for step in 0..<plan.layout.timeSteps {
            var below = ciphertext(
                "x_\(step)", width: model.layerUnits[0] + model.inputSize, isFresh: true, zeroPadded: false)
            stepInputs.append(below)
            for layer in 0..<layers {
                let index = step * layers + layer
                let degrees = plan.activations[(index * perCell)..<((index + 1) * perCell)].map { $0.degree ?? 0 }
                let d = degrees.map(model.depthRule.polynomialDepth(degree:))
                let u = model.layerUnits[layer]
                let width = layer == 0 ? model.inputSize : model.layerUnits[layer - 1]
                let block = model.profile.matrixVector.counts(
                    inputs: width + u, outputs: u, rotations: model.profile.matrixVectorRotations)
                let position = "step \(step) layer \(layer)"
                func op(
                    _ kind: String, _ inputs: [(Int, Int)], stage: Int = 0, depth: Int, linear: OperationCounts,
                    polynomial: OperationCounts = OperationCounts(), name: String? = nil, site: Int? = nil
                ) -> Int {
                    // Sigmoid gates hold 1/2 past the units.
                    let output = ciphertext(
                        name ?? "\(kind) at \(position)", width: u,
                        zeroPadded: !["z", "r", "i", "f", "o"].contains(kind))
                    operations.append(
                        Operation(
                            label: "\(position) \(kind)", inputs: inputs.map { Input(ciphertext: $0.0, lead: $0.1) },
                            polynomialDepth: depth, linear: linear, polynomial: polynomial, output: output,
                            element: element + stage, kind: kind, layer: layer, site: site.map { index * perCell + $0 })
                    )
                    return output
                }
                func gate(_ site: Int, _ kind: String) -> Int {
                    op(
                        kind, [(below, 1), (hidden[layer], 1)], depth: d[site], linear: block,
                        polynomial: PolynomialOperations.counts(degree: degrees[site]), site: site)
                }
                let newName = "h[\(layer)] after step \(step)"
                switch cell.builtInKind {
                case .simpleRNN:
                    hidden[layer] = gate(0, "h")
                    names[hidden[layer]] = newName
                case .gru(let resetAfter):
                    let z = gate(0, "z")
                    let r = gate(1, "r")
                    let candidate = op(
                        "h~", [(below, 1), (r, resetAfter ? 1 : 2), (hidden[layer], 2)], stage: 1, depth: d[2],
                        linear: block + product, polynomial: PolynomialOperations.counts(degree: degrees[2]), site: 2)
                    hidden[layer] = op(
                        "h", [(candidate, 1), (z, 1), (hidden[layer], 1)], stage: 2, depth: 0, linear: product,
                        name: newName)
                case .lstm:
                    let i = gate(0, "i")
                    let f = gate(1, "f")
                    let g = gate(2, "g")
                    let o = gate(3, "o")
                    cellState[layer] = op(
                        "c", [(f, 1), (cellState[layer], 1), (i, 1), (g, 1)], stage: 1, depth: 0,
                        linear: product + product,
                        name: "c[\(layer)] after step \(step)")
                    let squashed = op(
                        "tanh(c)", [(cellState[layer], 0)], stage: 2, depth: d[4], linear: OperationCounts(),
                        polynomial: PolynomialOperations.counts(degree: degrees[4]), site: 4)
                    hidden[layer] = op(
                        "h", [(o, 1), (squashed, 1)], stage: 3, depth: 0, linear: product, name: newName)
                }
                below = hidden[layer]
                element += stages
            }
        }
        let dense = model.denseElement
        operations.append(
            Operation(
                label: "dense", inputs: [Input(ciphertext: hidden[layers - 1], lead: 1)], polynomialDepth: 0,
                linear: dense.linear, polynomial: OperationCounts(), output: ciphertext("logits", width: model.classes),
                element: element,
                kind: "dense", layer: layers - 1))
        self.init(
            operations: operations, names: names, widths: widths, window: model.window, zeroPadded: padded,
            fresh: fresh,
            stepInputs: stepInputs)
    }
}
