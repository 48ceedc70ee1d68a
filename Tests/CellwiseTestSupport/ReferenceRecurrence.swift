import CellwiseCore
import Foundation

/// A straightforward per-sample implementation of every cell kind in Float64, written from the
/// equations (ONNX's operator definitions) and sharing nothing with the library's evaluator or
/// trainer: the reference their results are checked against. Layers run one after the other,
/// each pass over the whole sequence (a backward pass from the last step), a bidirectional
/// layer's outputs merged per step, and the head reads each last-layer pass's final state.
public enum ReferenceRecurrence {
    /// The logits of one sample (`timeSteps x inputSize` model inputs); `activate(site, x)`
    /// gives each site's activation (default: the exact function). Built-in cells follow their
    /// equations, others their graph.
    public static func logits(
        _ model: RecurrentModel, input: ArraySlice<Float>,
        activate: ((Int, Double) -> Double)? = nil
    ) -> [Double] {
        run(model, input: input, activate: activate, equations: true)
    }

    /// The logits of one sample by interpreting every layer's ``CellGraph`` node by node in
    /// Float64 (any cell kind; for the built-in ones, ``logits(_:input:activate:)`` is written
    /// from the equations instead, and tests check the two agree).
    public static func graphLogits(
        _ model: RecurrentModel, input: ArraySlice<Float>, activate: ((Int, Double) -> Double)? = nil
    ) -> [Double] {
        run(model, input: input, activate: activate, equations: false)
    }

    private static func run(
        _ model: RecurrentModel, input: ArraySlice<Float>, activate: ((Int, Double) -> Double)?, equations: Bool
    ) -> [Double] {
        let layout = model.sites
        let functions = layout.functions
        func act(_ site: Int, _ x: Double) -> Double {
            if let activate { return activate(site, x) }
            return functions[site] == .tanh ? tanh(x) : 1 / (1 + exp(-x))
        }
        let input = Array(input)
        let steps = model.timeSteps
        let f = model.inputSize
        var sequence = (0..<steps).map { t in input[(t * f)..<((t + 1) * f)].map(Double.init) }
        var final = [Double]()
        for (l, layer) in model.layers.enumerated() {
            var outputs = [[[Double]]]()
            var finals = [[Double]]()
            for (p, direction) in layer.direction.passes.enumerated() {
                let weights = layer.passes[p]
                var states = layer.cell.graph.states.map { _ in [Double](repeating: 0, count: layer.units) }
                var out = [[Double]](repeating: [], count: steps)
                for step in 0..<steps {
                    let position = direction.position(ofStep: step, timeSteps: steps)
                    let base = layout.cell(layout.cellIndex(layer: l, direction: direction, step: step)!).firstSite
                    let x = sequence[position]
                    states =
                        equations && layer.cell.isBuiltIn
                        ? equationCell(layer.cell, weights, units: layer.units, x: x, states: states) {
                            act(base + $0, $1)
                        }
                        : graphCell(layer.cell.graph, weights, units: layer.units, x: x, states: states) {
                            act(base + $0, $1)
                        }
                    out[position] = states[0]
                }
                outputs.append(out)
                finals.append(states[0])
            }
            func merge(_ parts: [[Double]]) -> [Double] {
                parts.count == 1
                    ? parts[0] : layer.merge == .concat ? parts[0] + parts[1] : zip(parts[0], parts[1]).map(+)
            }
            sequence = (0..<steps).map { t in merge(outputs.map { $0[t] }) }
            final = merge(finals)
        }
        return (0..<model.classes).map { k in
            final.indices.reduce(Double(model.denseBias[k])) {
                $0 + final[$1] * Double(model.denseKernel[$1 * model.classes + k])
            }
        }
    }

    /// One step of a built-in cell from its equations; `act(k, x)` is site `k` of the cell.
    private static func equationCell(
        _ cell: RecurrentCell, _ layer: RecurrentWeights, units u: Int, x: [Double], states: [[Double]],
        act: (Int, Double) -> Double
    ) -> [[Double]] {
        let w = cell.blocks * u
        // a_k = x W_k + b_k, r_k = h R_k.
        func a(_ k: Int, _ j: Int) -> Double {
            var s = Double(layer.bias[k * u + j])
            for i in x.indices { s += x[i] * Double(layer.kernel[i * w + k * u + j]) }
            return s
        }
        func r(_ k: Int, _ j: Int, _ state: [Double]) -> Double {
            var s = 0.0
            for i in 0..<u { s += state[i] * Double(layer.recurrentKernel[i * w + k * u + j]) }
            return s
        }
        let previous = states[0]
        var next = [Double](repeating: 0, count: u)
        switch cell.builtInKind {
        case .simpleRNN:
            for j in 0..<u { next[j] = act(0, a(0, j) + r(0, j, previous)) }
            return [next]
        case .gru(let resetAfter):
            let z = (0..<u).map { act(0, a(0, $0) + r(0, $0, previous)) }
            let reset = (0..<u).map { act(1, a(1, $0) + r(1, $0, previous)) }
            let scaled = zip(reset, previous).map { $0 * $1 }
            for j in 0..<u {
                let candidate =
                    resetAfter
                    ? act(2, a(2, j) + reset[j] * (r(2, j, previous) + Double(layer.recurrentBias[j])))
                    : act(2, a(2, j) + r(2, j, scaled))
                next[j] = (1 - z[j]) * candidate + z[j] * previous[j]
            }
            return [next]
        case .lstm:
            var c = [Double](repeating: 0, count: u)
            for j in 0..<u {
                let i = act(0, a(0, j) + r(0, j, previous))
                let f = act(1, a(1, j) + r(1, j, previous))
                let gg = act(2, a(2, j) + r(2, j, previous))
                let o = act(3, a(3, j) + r(3, j, previous))
                c[j] = f * states[1][j] + i * gg
                next[j] = o * act(4, c[j])
            }
            return [next, c]
        }
    }

    /// One step of any cell by interpreting its graph node by node.
    private static func graphCell(
        _ graph: CellGraph, _ layer: RecurrentWeights, units u: Int, x: [Double], states: [[Double]],
        act: (Int, Double) -> Double
    ) -> [[Double]] {
        let w = graph.blocks * u
        var values = [[Double]]()
        func value(_ v: CellGraph.Value) -> [Double] {
            switch v {
            case .input: x
            case .state(let k): states[k]
            case .node(let n): values[n]
            }
        }
        for node in graph.nodes {
            let result: [Double]
            switch node.operation {
            case .inputProduct(let k):
                result = (0..<u).map { j in
                    x.indices.reduce(Double(layer.bias[k * u + j])) {
                        $0 + x[$1] * Double(layer.kernel[$1 * w + k * u + j])
                    }
                }
            case .recurrentProduct(let v, let k, let withBias):
                let a = value(v)
                result = (0..<u).map { j in
                    (0..<u).reduce(withBias && !layer.recurrentBias.isEmpty ? Double(layer.recurrentBias[j]) : 0) {
                        $0 + a[$1] * Double(layer.recurrentKernel[$1 * w + k * u + j])
                    }
                }
            case .add(let a, let b): result = zip(value(a), value(b)).map { $0 + $1 }
            case .subtract(let a, let b): result = zip(value(a), value(b)).map { $0 - $1 }
            case .multiply(let a, let b): result = zip(value(a), value(b)).map { $0 * $1 }
            case .activate(let v, let site): result = value(v).map { act(site, $0) }
            }
            values.append(result)
        }
        return graph.outputs.map(value)
    }

    /// Mean softmax cross-entropy of the exact model on `indices` of `inputs`.
    public static func loss(_ model: RecurrentModel, inputs: [Float], labels: [UInt8], indices: [Int]) -> Double {
        let width = model.timeSteps * model.inputSize
        var total = 0.0
        for sample in indices {
            let l = logits(model, input: inputs[(sample * width)..<((sample + 1) * width)])
            let top = l.max()!
            total += log(l.reduce(0) { $0 + exp($1 - top) }) + top - l[Int(labels[sample])]
        }
        return total / Double(indices.count)
    }

    /// A model of `cell` with random weights large enough that every path matters.
    public static func randomModel(
        cell: RecurrentCell, inputSize: Int = 5, units: [Int] = [4], classes: Int = 3, timeSteps: Int = 6,
        seed: UInt64 = 5
    ) -> RecurrentModel {
        randomModel(
            stack: units.map { LayerShape(cell: cell, units: $0) }, inputSize: inputSize, classes: classes,
            timeSteps: timeSteps, seed: seed)
    }

    /// A model of any stack with random weights large enough that every path matters.
    public static func randomModel(
        stack: [LayerShape], inputSize: Int = 5, classes: Int = 3, timeSteps: Int = 6, seed: UInt64 = 5
    ) -> RecurrentModel {
        var model = RecurrentModel(
            kerasInitializedWithSeed: seed, stack: stack, inputSize: inputSize, classes: classes,
            timeSteps: timeSteps, input: InputTransform(layout: .series))
        var generator = SeededGenerator(seed: seed &+ 1)
        model.parameters = model.parameters.map { tensor in
            tensor.map { $0 * 1.5 + Float(generator.nextUniform(-0.3, 0.3)) }
        }
        return model
    }

    /// `count` samples of random inputs and labels for `model`.
    public static func randomInputs(for model: RecurrentModel, count: Int, seed: UInt64 = 9) -> ([Float], [UInt8]) {
        var generator = SeededGenerator(seed: seed)
        let inputs = (0..<(count * model.timeSteps * model.inputSize)).map { _ in
            Float(generator.nextUniform(-1.5, 1.5))
        }
        let labels = (0..<count).map { _ in UInt8(generator.nextUniform(0, Double(model.classes)).rounded(.down)) }
        return (inputs, labels.map { min($0, UInt8(model.classes - 1)) })
    }
}

/// The built-in cell kinds as a closed enum, for tests that spell each one out (references,
/// oracles written from the equations).
public enum BuiltInCellKind {
    case simpleRNN
    case gru(resetAfter: Bool)
    case lstm
}

extension RecurrentCell {
    /// Which built-in kind it is (traps for a cell of one's own).
    public var builtInKind: BuiltInCellKind {
        if let resetAfter { return .gru(resetAfter: resetAfter) }
        if self == .lstm { return .lstm }
        precondition(self == .simpleRNN, "\(name) is not a built-in cell")
        return .simpleRNN
    }
}
