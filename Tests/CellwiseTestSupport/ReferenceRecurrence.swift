import CellwiseCore
import Foundation

/// A straightforward per-sample implementation of every cell kind in Float64, written from the
/// equations (ONNX's operator definitions) and sharing nothing with the library's evaluator or
/// trainer: the reference their results are checked against.
public enum ReferenceRecurrence {
    /// The logits of one sample (`timeSteps x inputSize` model inputs); `activate(site, x)`
    /// gives each site's activation (default: the exact function).
    public static func logits(
        _ model: RecurrentModel, input: ArraySlice<Float>,
        activate: ((Int, Double) -> Double)? = nil
    ) -> [Double] {
        guard model.cell.isBuiltIn else { return graphLogits(model, input: input, activate: activate) }
        let layout = model.sites
        let functions = layout.functions
        func act(_ site: Int, _ x: Double) -> Double {
            if let activate { return activate(site, x) }
            return functions[site] == .tanh ? tanh(x) : 1 / (1 + exp(-x))
        }
        let input = Array(input)
        let layers = model.layers
        var h = layers.map { [Double](repeating: 0, count: $0.units) }
        var c = h
        let g = model.cell.blocks
        for t in 0..<model.timeSteps {
            var x = input[(t * model.inputSize)..<((t + 1) * model.inputSize)].map(Double.init)
            for (l, layer) in layers.enumerated() {
                let u = layer.units
                let w = g * u
                let base = (t * layers.count + l) * layout.sitesPerCell
                // a_k = x W_k + b_k, r_k = h R_k.
                func a(_ k: Int, _ j: Int) -> Double {
                    var s = Double(layer.bias[k * u + j])
                    for i in 0..<layer.inputSize { s += x[i] * Double(layer.kernel[i * w + k * u + j]) }
                    return s
                }
                func r(_ k: Int, _ j: Int, _ state: [Double]) -> Double {
                    var s = 0.0
                    for i in 0..<u { s += state[i] * Double(layer.recurrentKernel[i * w + k * u + j]) }
                    return s
                }
                let previous = h[l]
                var next = [Double](repeating: 0, count: u)
                switch model.cell.builtInKind {
                case .simpleRNN:
                    for j in 0..<u { next[j] = act(base, a(0, j) + r(0, j, previous)) }
                case .gru(let resetAfter):
                    let z = (0..<u).map { act(base, a(0, $0) + r(0, $0, previous)) }
                    let reset = (0..<u).map { act(base + 1, a(1, $0) + r(1, $0, previous)) }
                    let scaled = zip(reset, previous).map { $0 * $1 }
                    for j in 0..<u {
                        let candidate =
                            resetAfter
                            ? act(base + 2, a(2, j) + reset[j] * (r(2, j, previous) + Double(layer.recurrentBias[j])))
                            : act(base + 2, a(2, j) + r(2, j, scaled))
                        next[j] = (1 - z[j]) * candidate + z[j] * previous[j]
                    }
                case .lstm:
                    var cell = [Double](repeating: 0, count: u)
                    for j in 0..<u {
                        let i = act(base, a(0, j) + r(0, j, previous))
                        let f = act(base + 1, a(1, j) + r(1, j, previous))
                        let gg = act(base + 2, a(2, j) + r(2, j, previous))
                        let o = act(base + 3, a(3, j) + r(3, j, previous))
                        cell[j] = f * c[l][j] + i * gg
                        next[j] = o * act(base + 4, cell[j])
                    }
                    c[l] = cell
                }
                h[l] = next
                x = next
            }
        }
        let last = h[layers.count - 1]
        return (0..<model.classes).map { k in
            (0..<model.units).reduce(Double(model.denseBias[k])) {
                $0 + last[$1] * Double(model.denseKernel[$1 * model.classes + k])
            }
        }
    }

    /// The logits of one sample by interpreting the model's ``CellGraph`` node by node in Float64
    /// (any cell kind; for the built-in ones, ``logits(_:input:activate:)`` is written from the
    /// equations instead, and tests check the two agree).
    public static func graphLogits(
        _ model: RecurrentModel, input: ArraySlice<Float>, activate: ((Int, Double) -> Double)? = nil
    ) -> [Double] {
        let graph = model.cell.graph
        let functions = model.sites.functions
        let input = Array(input)
        let layers = model.layers
        var states = layers.map { layer in graph.states.map { _ in [Double](repeating: 0, count: layer.units) } }
        let g = graph.blocks
        for t in 0..<model.timeSteps {
            var x = input[(t * model.inputSize)..<((t + 1) * model.inputSize)].map(Double.init)
            for (l, layer) in layers.enumerated() {
                let (u, w) = (layer.units, g * layer.units)
                let base = (t * layers.count + l) * graph.sites.count
                var values = [[Double]]()
                func value(_ v: CellGraph.Value) -> [Double] {
                    switch v {
                    case .input: x
                    case .state(let k): states[l][k]
                    case .node(let n): values[n]
                    }
                }
                for node in graph.nodes {
                    let result: [Double]
                    switch node.operation {
                    case .inputProduct(let k):
                        result = (0..<u).map { j in
                            (0..<layer.inputSize).reduce(Double(layer.bias[k * u + j])) {
                                $0 + x[$1] * Double(layer.kernel[$1 * w + k * u + j])
                            }
                        }
                    case .recurrentProduct(let v, let k, let withBias):
                        let a = value(v)
                        result = (0..<u).map { j in
                            (0..<u).reduce(
                                withBias && !layer.recurrentBias.isEmpty ? Double(layer.recurrentBias[j]) : 0
                            ) {
                                $0 + a[$1] * Double(layer.recurrentKernel[$1 * w + k * u + j])
                            }
                        }
                    case .add(let a, let b): result = zip(value(a), value(b)).map { $0 + $1 }
                    case .subtract(let a, let b): result = zip(value(a), value(b)).map { $0 - $1 }
                    case .multiply(let a, let b): result = zip(value(a), value(b)).map { $0 * $1 }
                    case .activate(let v, let site):
                        result = value(v).map { z in
                            activate?(base + site, z) ?? (functions[base + site] == .tanh ? tanh(z) : 1 / (1 + exp(-z)))
                        }
                    }
                    values.append(result)
                }
                states[l] = graph.outputs.map(value)
                x = states[l][0]
            }
        }
        let last = states[layers.count - 1][0]
        return (0..<model.classes).map { k in
            (0..<model.units).reduce(Double(model.denseBias[k])) {
                $0 + last[$1] * Double(model.denseKernel[$1 * model.classes + k])
            }
        }
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
        var model = RecurrentModel(
            kerasInitializedWithSeed: seed, cell: cell, inputSize: inputSize, units: units, classes: classes,
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
