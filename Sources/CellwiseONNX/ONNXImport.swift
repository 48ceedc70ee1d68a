import CellwiseCore
import Foundation
import SwiftProtobuf

/// A recurrent classifier read from an ONNX file: the RNN, GRU or LSTM layers (one or more,
/// unidirectional, default activations, no peepholes or clipping), the per-feature preprocessing
/// the graph applies to its input (`Sub`/`Div`/`Mul`/`Add` by constants, recorded as the model's
/// input standardisation), and a Dense head on the last step (`Gemm`, or `MatMul` and `Add`, with
/// an optional final `Softmax`, which is dropped: Cellwise models output logits).
///
/// ```swift
/// let imported = try ONNXImport(contentsOf: "Examples/onnx/vowels-gru-pytorch.onnx")
/// print(imported.model.cell, imported.model.layers.count, imported.sha256)
/// ```
///
/// The graph input is `[batch, time, features]`, or `[time, batch, features]` (what PyTorch exports
/// for `batch_first=False`, its default): the import reads the graph as batch-first and, when that
/// does not fit it, as time-major, and says so in a note. An open time dimension takes `timeSteps`.
public struct ONNXImport: Sendable {
    /// The model read (zero initial states, pre-padded sequences, the graph's preprocessing).
    public let model: RecurrentModel
    /// The file read.
    public let path: String
    /// The SHA-256 of the file, hex.
    public let sha256: String
    /// What the import dropped or assumed, one sentence each (e.g. a final Softmax).
    public let notes: [String]
    /// The ONNX producer recorded in the file (e.g. `pytorch 2.13.0`, `tf2onnx 1.16.1`).
    public let producer: String

    /// Reads an ONNX file.
    ///
    /// - Parameters:
    ///   - path: the `.onnx` file (all tensors inside it).
    ///   - timeSteps: the sequence length; when the graph fixes it, the two must agree.
    ///   - openTimeSteps: the sequence length when the graph leaves it open and `timeSteps` is nil
    ///     (e.g. the data's longest sequence).
    /// - Throws: ``ONNXImportError`` naming the node and attribute Cellwise cannot read.
    public init(contentsOf path: String, timeSteps: Int? = nil, openTimeSteps: Int? = nil) throws {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ONNXImportError(path, "cannot read the file (\(describeSystemError(error)))")
        }
        let proto: Onnx_ModelProto
        do {
            proto = try Onnx_ModelProto(serializedBytes: bytes)
        } catch {
            throw ONNXImportError(path, "is not an ONNX model (the protobuf does not decode: \(error))")
        }
        guard proto.hasGraph, !proto.graph.node.isEmpty else {
            throw ONNXImportError(path, "is not an ONNX model (it has no graph nodes)")
        }
        do {
            let graph = try ExternalData.resolve(proto.graph, modelPath: path)
            (model, notes) = try Self.read(graph, timeSteps: timeSteps, openTimeSteps: openTimeSteps, source: path)
        } catch let problem as ONNXProblem {
            throw ONNXImportError(path, problem.message)
        }
        self.path = path
        sha256 = SHA256.hex(of: bytes)
        producer = [proto.producerName, proto.producerVersion].filter { !$0.isEmpty }.joined(separator: " ")
    }

    private static func read(_ graph: Onnx_GraphProto, timeSteps: Int?, openTimeSteps: Int?, source: String) throws
        -> (RecurrentModel, [String])
    {
        var interpreter = try GraphInterpreter(graph: graph)
        let head: (kernel: [Float], bias: [Float], classes: Int)
        do {
            head = try interpreter.readOutput()
        } catch let batchFirst as ONNXProblem {
            // Time-major instead? Only if that reading fits the whole graph; otherwise the error of the
            // reading that got further (more nodes read).
            var timeMajor = try GraphInterpreter(graph: graph, timeMajor: true)
            do {
                head = try timeMajor.readOutput()
            } catch let second as ONNXProblem {
                throw timeMajor.progress > interpreter.progress ? second : batchFirst
            }
            interpreter = timeMajor
        }
        let layers = interpreter.layers
        guard let first = layers.first else {
            throw ONNXProblem("the output does not depend on an RNN, GRU or LSTM operator")
        }
        let time = interpreter.timeDimension
        let steps: Int
        switch (time, timeSteps) {
        case (.fixed(let n), nil):
            steps = n
        case (.fixed(let n), let wanted?):
            guard n == wanted else {
                throw ONNXProblem(
                    "graph input '\(interpreter.inputName)' has \(n) time steps, not the \(wanted) asked for")
            }
            steps = n
        case (.symbol, let wanted?):
            steps = wanted
        case (.symbol, nil) where openTimeSteps != nil:
            steps = openTimeSteps!
        case (.symbol(let name), nil):
            throw ONNXProblem(
                "graph input '\(interpreter.inputName)' has an open time dimension '\(name)'; give the number of "
                    + "steps (cellwise import --time-steps N, or the data set's longest sequence)")
        }
        var input = InputTransform(layout: .series)
        if let affine = interpreter.affine, !affine.isIdentity {
            input.mean = affine.mean.map { Float($0) }
            input.standardDeviation = affine.deviation.map { Float($0) }
        }
        var notes = interpreter.notes
        if interpreter.timeMajor {
            notes.append(
                "graph input '\(interpreter.inputName)' is time-major, [time, batch, features] (PyTorch's "
                    + "batch_first=False); the model reads samples as [batch, time, features] like every Cellwise model"
            )
        }
        let uniform = layers.allSatisfy { $0.cell == first.cell && $0.weights.direction == .forward }
        let stack =
            uniform
            ? "\(layers.count) \(first.cell.name) layer(s) of "
                + "\(layers.map { "\($0.weights.units)" }.joined(separator: ", ")) units"
            : layers.map { layer in
                let w = layer.weights
                let direction =
                    w.direction == .forward
                    ? "" : w.direction == .reverse ? "reverse " : "bidirectional (\(w.merge.rawValue)) "
                return "\(direction)\(layer.cell.name)(\(w.units))"
            }.joined(separator: ", ")
        notes.insert(
            stack + ", \(steps) steps, \(head.classes) classes"
                + (input.mean == nil ? "" : "; the graph's input preprocessing became the input standardisation"),
            at: 0)
        do {
            let model = try RecurrentModel(
                layers: layers.map(\.weights), classes: head.classes, timeSteps: steps, input: input,
                denseKernel: head.kernel, denseBias: head.bias, source: source)
            return (model, notes)
        } catch let error as ModelFileError {
            throw ONNXProblem(error.problem)
        }
    }
}
