import CellwiseCore
import Foundation
import Testing

@testable import CellwiseONNX

@Suite struct ONNXImportTests {
    typealias B = ONNXGraphBuilder

    /// The import's error message, or nil when it succeeds.
    func problem(_ path: String) -> String? {
        do {
            _ = try ONNXImport(contentsOf: path)
            return nil
        } catch let error as ONNXImportError {
            #expect(error.file == path)
            #expect(!error.problem.contains("\n"))
            return error.problem
        } catch {
            return "unexpected \(error)"
        }
    }

    /// A valid graph 5,000 nodes deep (an Identity chain in front of the GRU and another behind
    /// it) imports as the shallow one does: the interpreter does not recurse node by node.
    @Test func aDeepGraphImportsWithoutExhaustingTheStack() throws {
        let shallow = try ONNXImport(contentsOf: B.recurrent("GRU")).model
        let deep = try ONNXImport(
            contentsOf: B.recurrent("GRU") { builder, inputs in
                var x = inputs[0]
                for _ in 0..<5_000 { x = builder.node("Identity", [x])[0] }
                inputs[0] = x
            }
        ).model
        #expect(deep == shallow)
        // A cycle is still an error, not a hang.
        var b = B()
        let a = b.node("Identity", ["loop_b"], name: "a")[0]
        var node = Onnx_NodeProto()
        node.opType = "Identity"
        node.name = "b"
        node.input = [a]
        node.output = ["loop_b"]
        b.graph.node.append(node)
        b.output(a)
        #expect(problem(try b.write())?.contains("a cycle") == true)
    }

    @Test func readsTheLSTMGateOrderAndBiasPairs() throws {
        let imported = try ONNXImport(contentsOf: B.recurrent("LSTM"))
        let model = imported.model
        #expect(model.cell == .lstm)
        #expect(model.timeSteps == 5 && model.inputSize == 3 && model.classes == 4)
        let layer = model.layers[0]
        let (h, f) = (2, 3)
        let w = B.ramp(4 * h * f)
        let biases = B.ramp(2 * 4 * h, from: 200)
        // ONNX gates i o f c -> Keras i f c o.
        for (onnxGate, kerasGate) in [(0, 0), (1, 3), (2, 1), (3, 2)] {
            for j in 0..<h {
                for i in 0..<f {
                    #expect(layer.kernel[i * 4 * h + kerasGate * h + j] == w[(onnxGate * h + j) * f + i])
                }
                #expect(layer.bias[kerasGate * h + j] == biases[onnxGate * h + j] + biases[4 * h + onnxGate * h + j])
            }
        }
        #expect(layer.recurrentBias.isEmpty)
        // Gemm with transB: kernel[h][class] = B[class][h].
        #expect(model.denseKernel[0 * 4 + 1] == B.ramp(8, from: 300)[1 * 2 + 0])
        #expect(model.denseBias == B.ramp(4, from: 400))
        #expect(imported.sha256.count == 64)
    }

    /// A time-major input ([time, batch, features], PyTorch's default export) reads as the same
    /// model as its batch-first twin, with a note; the open batch is the middle axis.
    @Test(arguments: ["RNN", "GRU", "LSTM"])
    func readsTimeMajorInputs(op: String) throws {
        let timeMajor = try ONNXImport(contentsOf: B.recurrent(op, timeMajor: true))
        let batchFirst = try ONNXImport(contentsOf: B.recurrent(op))
        #expect(timeMajor.model.timeSteps == 5 && timeMajor.model.inputSize == 3)
        #expect(timeMajor.model.layers == batchFirst.model.layers)
        #expect(timeMajor.model.denseKernel == batchFirst.model.denseKernel)
        #expect(timeMajor.notes.contains { $0.contains("time-major") })
        #expect(!batchFirst.notes.contains { $0.contains("time-major") })
    }

    @Test(arguments: [(Int64(0), false), (Int64(1), true)])
    func readsBothGRUResetConventions(linearBeforeReset: Int64, resetAfter: Bool) throws {
        let model = try ONNXImport(
            contentsOf: B.recurrent("GRU", attributes: ["linear_before_reset": .int(linearBeforeReset)])
        ).model
        #expect(model.cell == .gru(resetAfter: resetAfter))
        let biases = B.ramp(12, from: 200)
        let layer = model.layers[0]
        // z and r: Wb + Rb; h: Wb only when Rbh stays inside the reset product.
        #expect(layer.bias[0] == biases[0] + biases[6])
        if resetAfter {
            #expect(layer.bias[4] == biases[4])
            #expect(layer.recurrentBias == [biases[10], biases[11]])
        } else {
            #expect(layer.bias[4] == biases[4] + biases[10])
            #expect(layer.recurrentBias.isEmpty)
        }
    }

    @Test func foldsInputPreprocessingIntoTheStandardisation() throws {
        var b = B()
        let centred = b.node("Sub", ["x", b.constant([1, 2, 3], shape: [3])])[0]
        let scaled = b.node("Div", [centred, b.constant([2, 4, 8], shape: [1, 1, 3])])[0]
        let x = b.node("Transpose", [scaled], ["perm": .ints([1, 0, 2])])[0]
        let w = b.constant(B.ramp(6), shape: [1, 2, 3])
        let r = b.constant(B.ramp(4), shape: [1, 2, 2])
        let y = b.node("RNN", [x, w, r], outputs: 2, ["hidden_size": .int(2)])
        let last = b.node("Squeeze", [y[1], b.integers([0])])[0]
        let logits = b.node("MatMul", [last, b.constant(B.ramp(4), shape: [2, 2])])[0]
        b.output(b.node("Softmax", [b.node("Add", [logits, b.constant([0.5, -0.5], shape: [2])])[0]])[0])
        let imported = try ONNXImport(contentsOf: b.write())
        #expect(imported.model.cell == .simpleRNN)
        #expect(imported.model.input.mean == [1, 2, 3])
        #expect(imported.model.input.standardDeviation == [2, 4, 8])
        #expect(imported.model.denseBias == [0.5, -0.5])
        #expect(imported.notes.contains { $0.contains("Softmax") })
    }

    @Test func refusesWhatCellwiseCannotExpress() throws {
        let cases: [(String, String)] = [
            (
                try B.recurrent("GRU", attributes: ["direction": .string("sideways")]),
                "node 'rnn' (GRU): direction is \"sideways\", expected forward, reverse or bidirectional"
            ),
            (try B.recurrent("LSTM", attributes: ["clip": .float(3)]), "node 'rnn' (LSTM): clip"),
            (try B.recurrent("RNN", attributes: ["activations": .strings(["Relu"])]), "node 'rnn' (RNN): activations"),
            (try B.recurrent("LSTM", attributes: ["input_forget": .int(1)]), "input_forget"),
            (
                try B.recurrent("LSTM") { b, inputs in
                    inputs += ["", "", "", b.constant(B.ramp(6), shape: [1, 6])]
                }, "node 'rnn' (LSTM): input P (peephole weights)"
            ),
            (
                try B.recurrent("GRU") { b, inputs in inputs += [b.integers([5, 5, 5])] },
                "node 'rnn' (GRU): sequence_lens"
            ),
            (
                try B.recurrent("GRU") { b, inputs in inputs += ["", b.constant(B.ramp(2), shape: [1, 1, 2])] },
                "initial_h is not zero"
            ),
        ]
        for (path, expected) in cases {
            let message = problem(path)
            #expect(message?.contains(expected) == true, "\(message ?? "imported") should contain \(expected)")
        }
    }

    @Test func refusesUnsupportedGraphs() throws {
        // An operator on the hidden state.
        var b = B()
        let x = b.node("Transpose", ["x"], ["perm": .ints([1, 0, 2])])[0]
        let y = b.node(
            "GRU", [x, b.constant(B.ramp(18), shape: [1, 6, 3]), b.constant(B.ramp(12), shape: [1, 6, 2])],
            outputs: 2, name: "gru", ["hidden_size": .int(2)])
        let relu = b.node("Relu", [b.node("Squeeze", [y[1], b.integers([0])])[0]], name: "act")[0]
        b.output(b.node("Gemm", [relu, b.constant(B.ramp(8), shape: [2, 4])])[0])
        #expect(problem(try b.write())?.contains("node 'act' (Relu): operator Relu on the samples") == true)

        // The first step instead of the last.
        var c = B()
        let xc = c.node("Transpose", ["x"], ["perm": .ints([1, 0, 2])])[0]
        let yc = c.node(
            "RNN", [xc, c.constant(B.ramp(6), shape: [1, 2, 3]), c.constant(B.ramp(4), shape: [1, 2, 2])],
            outputs: 2, ["hidden_size": .int(2)])
        let seq = c.node("Squeeze", [yc[0], c.integers([1])])[0]
        let first = c.node("Gather", [seq, c.integers([0], shape: [])], name: "pick", ["axis": .int(0)])[0]
        c.output(c.node("Gemm", [first, c.constant(B.ramp(8), shape: [2, 4])])[0])
        #expect(problem(try c.write())?.contains("node 'pick' (Gather) selects step 0") == true)

        // Two graph inputs.
        var d = B(inputs: [("x", [-1, 5, 3]), ("h0", [1, -1, 2])])
        d.output(d.node("Identity", ["x"])[0])
        #expect(problem(try d.write())?.contains("the graph has 2 inputs ('x', 'h0')") == true)

        // No recurrent layer.
        var e = B()
        e.output(e.node("Identity", ["x"])[0])
        #expect(problem(try e.write())?.contains("is not a Dense head") == true)
    }

    @Test func refusesFilesThatAreNotONNX() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("not-onnx-\(UUID().uuidString).onnx")
        try Data("hello, this is text".utf8).write(to: path)
        #expect(problem(path.path)?.contains("is not an ONNX model") == true)
        #expect(problem("/nonexistent/model.onnx")?.contains("cannot read the file") == true)
    }

    @Test func externalDataIsNamed() throws {
        var b = B()
        var tensor = Onnx_TensorProto()
        tensor.name = "W"
        tensor.dims = [1, 2, 3]
        tensor.dataType = 1
        tensor.dataLocation = .external
        b.graph.initializer.append(tensor)
        let x = b.node("Transpose", ["x"], ["perm": .ints([1, 0, 2])])[0]
        let y = b.node("RNN", [x, "W", b.constant(B.ramp(4), shape: [1, 2, 2])], outputs: 2, ["hidden_size": .int(2)])
        b.output(
            b.node("Gemm", [b.node("Squeeze", [y[1], b.integers([0])])[0], b.constant(B.ramp(8), shape: [2, 4])])[0])
        #expect(
            problem(try b.write())?.contains("initializer 'W' keeps its data in an external file but names none")
                == true)
    }

    /// torch.onnx.export's default exporter keeps the weights in `model.onnx.data` beside the model.
    @Test func externalDataBesideTheModelIsRead() throws {
        func graph(location: String?) throws -> String {
            var b = B()
            var tensor = Onnx_TensorProto()
            tensor.name = "W"
            tensor.dims = [1, 2, 3]
            tensor.dataType = 1
            if let location {
                tensor.dataLocation = .external
                tensor.externalData = [("location", location), ("offset", "8"), ("length", "24")].map {
                    var entry = Onnx_StringStringEntryProto()
                    (entry.key, entry.value) = $0
                    return entry
                }
            } else {
                tensor.floatData = B.ramp(6)
            }
            b.graph.initializer.append(tensor)
            let x = b.node("Transpose", ["x"], ["perm": .ints([1, 0, 2])])[0]
            let y = b.node(
                "RNN", [x, "W", b.constant(B.ramp(4), shape: [1, 2, 2])], outputs: 2, ["hidden_size": .int(2)])
            b.output(
                b.node(
                    "Gemm", [b.node("Squeeze", [y[1], b.integers([0])])[0], b.constant(B.ramp(8), shape: [2, 4])])[
                        0])
            return try b.write()
        }
        let name = "cellwise-weights-\(UUID().uuidString).data"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(name)
        var bytes = Data(repeating: 0xFF, count: 8)  // the tensor starts at offset 8
        for value in B.ramp(6) { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        try bytes.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let external = try ONNXImport(contentsOf: try graph(location: name), timeSteps: 5)
        let inline = try ONNXImport(contentsOf: try graph(location: nil), timeSteps: 5)
        #expect(external.model == inline.model)
        #expect(problem(try graph(location: "../\(name)"))?.contains("outside the model's folder") == true)
        #expect(problem(try graph(location: "missing.data"))?.contains("'missing.data', which cannot be read") == true)
        try Data(count: 20).write(to: file)
        #expect(problem(try graph(location: name))?.contains("are outside '\(name)' (20 bytes)") == true)
    }
}
