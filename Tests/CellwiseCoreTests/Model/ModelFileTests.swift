import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseCore

@Suite struct ModelFileTests {
    static func sample() -> ModelFile {
        let model = RecurrentModel(kerasInitializedWithSeed: 3, units: [8])
        let metadata = ModelMetadata(
            dataset: "mnist5k", splitSeed: 4, training: TrainingConfiguration(), epochsRun: 12,
            bestEpoch: 9, validationLoss: 0.5, validationAccuracy: 0.87, testAccuracy: 0.86,
            cellRanges: (0..<28).map { ValueRange(min: -Float($0), max: Float($0) + 0.5) })
        return ModelFile(model: model, metadata: metadata)
    }

    @Test func savesAndLoadsExactly() throws {
        let path = try TestData.directory().appendingPathComponent("m.json").path
        let file = Self.sample()
        try file.save(to: path)
        #expect(try ModelFile.load(from: path) == file)
    }

    /// A loaded or saved model carries the SHA-256 of its file's bytes, which results record.
    @Test func theFilesDigestTravelsWithTheModel() throws {
        let path = try TestData.directory().appendingPathComponent("m.json").path
        #expect(Self.sample().fileSHA256 == nil)
        let saved = try Self.sample().saved(to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(saved.fileSHA256 == SHA256.hex(of: [UInt8](bytes)))
        #expect(try ModelFile.load(from: path).fileSHA256 == saved.fileSHA256)
        #expect(ModelFile.sha256(ofFileAt: path) == saved.fileSHA256)
        // Another model: another digest; the digest is not part of equality.
        var other = Self.sample()
        other.metadata.testAccuracy = 0.5
        #expect(try other.saved(to: path).fileSHA256 != saved.fileSHA256)
        #expect(saved == Self.sample())
    }

    /// Writes the sample with one JSON edit and returns the load error.
    func loadError(_ edit: (inout [String: Any]) -> Void) throws -> ModelFileError? {
        let path = try TestData.directory().appendingPathComponent("m.json").path
        try Self.sample().save(to: path)
        var json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        edit(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        return #expect(throws: ModelFileError.self) { try ModelFile.load(from: path) }
    }

    @Test func rejectsAnotherVersion() throws {
        let error = try loadError { $0["version"] = 4 }
        #expect(error?.problem == "model file version 4 is not supported (this cellwise reads versions 1, 2 and 3)")
        #expect(error?.reason == .unsupported)
        #expect(try loadError { $0["layers"] = [] }?.reason == .invalid)
    }

    /// A cell of one's own is saved as version 3 with its graph and reads back equal; built-in
    /// cells stay version 2; a graph that is not the named cell, a built-in cell spelled as a
    /// graph, or a graph in a version-2 file are refused.
    @Test func aCellOfOnesOwnTravelsWithItsGraph() throws {
        let model = ReferenceRecurrence.randomModel(cell: TestCells.minimalGatedUnit, units: [4, 3])
        var metadata = Self.sample().metadata
        metadata.cellRanges = nil
        let file = ModelFile(model: model, metadata: metadata)
        let path = try TestData.directory().appendingPathComponent("mgu.json").path
        try file.save(to: path)
        #expect(try ModelFile.load(from: path) == file)
        var json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        #expect(json["version"] as? Int == 3)
        func error(_ edit: (inout [String: Any]) -> Void) throws -> String? {
            var copy = json
            edit(&copy)
            try JSONSerialization.data(withJSONObject: copy).write(to: URL(fileURLWithPath: path))
            return #expect(throws: ModelFileError.self) { try ModelFile.load(from: path) }?.problem
        }
        var architecture = json["architecture"] as! [String: Any]
        architecture["cell"] = "GRU"
        #expect(try error { $0["architecture"] = architecture }?.contains("cell_graph defines \"MGU\"") == true)
        architecture["cell"] = "MGU"
        #expect(try error { $0["version"] = 2 } == "unknown key architecture.cell_graph")
        architecture["cell_graph"] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(CellGraph.lstm))
        architecture["cell"] = "LSTM"
        #expect(try error { $0["architecture"] = architecture }?.contains("is the built-in LSTM") == true)
        var graph =
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(TestCells.minimalGatedUnit.graph))
            as! [String: Any]
        graph["outputs"] = ["n10"]
        architecture["cell_graph"] = graph
        architecture["cell"] = "MGU"
        #expect(try error { $0["architecture"] = architecture }?.contains("output node 10 has no label") == true)
        json["version"] = 3
        let saved = try ModelFile(model: ReferenceRecurrence.randomModel(cell: .lstm), metadata: metadata)
            .save(to: path)
        #expect(!saved.isEmpty)
        let lstm =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        #expect(lstm["version"] as? Int == 2)
    }

    @Test func rejectsWrongShapes() throws {
        let error = try loadError { json in
            var layers = json["layers"] as! [[String: Any]]
            layers[0]["recurrent_kernel"] = Array(repeating: 0.0, count: 63)
            json["layers"] = layers
        }
        #expect(error?.problem == "layers[0].recurrent_kernel has 63 values, expected 64 (8x8)")
        let unknown = try loadError { json in
            var layers = json["layers"] as! [[String: Any]]
            layers[0]["peepholes"] = [1.0]
            json["layers"] = layers
        }
        #expect(unknown?.problem == "unknown key layers[0].peepholes")
        let cell = try loadError { json in
            var architecture = json["architecture"] as! [String: Any]
            architecture["cell"] = "GRU"
            json["architecture"] = architecture
        }
        #expect(cell?.problem == "architecture.reset_after is missing (a GRU must say where its reset gate goes)")
    }

    @Test func rejectsMissingKeysAndForeignFormats() throws {
        let missing = try loadError { json in
            var metadata = json["metadata"] as! [String: Any]
            metadata.removeValue(forKey: "split_seed")
            json["metadata"] = metadata
        }
        #expect(missing?.problem == "missing key metadata.split_seed")
        let foreign = try loadError { $0["format"] = "keras" }
        #expect(foreign?.problem.contains("format is \"keras\"") == true)
    }

    @Test func rejectsNaNWeights() throws {
        let path = try TestData.directory().appendingPathComponent("nan.json").path
        try Self.sample().save(to: path)
        var text = try String(contentsOfFile: path, encoding: .utf8)
        // Replace the first dense-bias value by NaN, as Python's json module writes it.
        let dense = try #require(text.range(of: "\"dense\" : {"))
        let range = try #require(text.range(of: "\"bias\" : [\n", range: dense.upperBound..<text.endIndex))
        let end = try #require(text.range(of: ",", range: range.upperBound..<text.endIndex))
        text.replaceSubrange(range.upperBound..<end.lowerBound, with: "NaN")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: ModelFileError.self) { try ModelFile.load(from: path) }
        #expect(error?.problem.contains("NaN") == true, "\(error?.problem ?? "")")
    }

    @Test(arguments: [RecurrentCell.gru(resetAfter: true), .gru(resetAfter: false), .lstm, .simpleRNN])
    func savesAndLoadsEveryCellAndStackedLayers(cell: RecurrentCell) throws {
        let model = RecurrentModel(
            kerasInitializedWithSeed: 4, cell: cell, inputSize: 12, units: [6, 5], classes: 9, timeSteps: 29,
            input: InputTransform(
                layout: .series, mean: Array(repeating: 0.5, count: 12),
                standardDeviation: Array(repeating: 2, count: 12)))
        let metadata = ModelMetadata(
            dataset: "JapaneseVowels", splitSeed: 1, training: nil, epochsRun: 0, bestEpoch: 0, validationLoss: 0,
            validationAccuracy: 0, testAccuracy: 0, cellRanges: nil)
        let file = ModelFile(
            model: model, metadata: metadata,
            provenance: .imported(from: "gru.onnx", sha256: String(repeating: "a", count: 64)))
        let path = try TestData.directory().appendingPathComponent("m.json").path
        try file.save(to: path)
        #expect(try ModelFile.load(from: path) == file)
    }

    /// Stacks of different kinds, reverse and bidirectional layers: version 3, each layer's cell,
    /// direction, merge and backward pass; what is inconsistent is refused by name.
    @Test func stacksOfAnyLayersTravelInVersionThree() throws {
        let model = RecurrentModel(
            kerasInitializedWithSeed: 4,
            stack: [
                LayerShape(cell: .gru(resetAfter: false), units: 5, direction: .bidirectional),
                LayerShape(cell: .lstm, units: 4, direction: .bidirectional, merge: .sum),
                LayerShape(cell: TestCells.minimalGatedUnit, units: 3, direction: .reverse),
            ], inputSize: 6, classes: 3, timeSteps: 4, input: InputTransform(layout: .series))
        #expect(model.layers.map(\.inputSize) == [6, 10, 4] && model.outputSize == 3)
        #expect(model.layers[0].passes[0] != model.layers[0].passes[1], "each pass has its own weights")
        let metadata = ModelMetadata(
            dataset: "JapaneseVowels", splitSeed: 1, training: nil, epochsRun: 0, bestEpoch: 0, validationLoss: 0,
            validationAccuracy: 0, testAccuracy: 0, cellRanges: nil)
        let file = ModelFile(model: model, metadata: metadata)
        let path = try TestData.directory().appendingPathComponent("stack.json").path
        try file.save(to: path)
        #expect(try ModelFile.load(from: path) == file)
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        #expect(json["version"] as? Int == 3)
        let layers = try #require(json["layers"] as? [[String: Any]])
        #expect(layers[0]["cell"] == nil && layers[0]["direction"] as? String == "bidirectional")
        #expect(layers[0]["merge"] as? String == "concat" && layers[0]["backward"] != nil)
        #expect(layers[1]["cell"] as? String == "LSTM" && layers[1]["merge"] as? String == "sum")
        #expect(layers[2]["cell_graph"] != nil && layers[2]["direction"] as? String == "reverse")
        #expect(layers[2]["backward"] == nil && layers[2]["merge"] == nil)
        // Broken stacks, one problem each.
        func refusal(_ change: (inout [[String: Any]]) -> Void) throws -> String {
            var broken = json
            var entries = layers
            change(&entries)
            broken["layers"] = entries
            let brokenPath = try TestData.directory().appendingPathComponent("broken.json").path
            try JSONSerialization.data(withJSONObject: broken).write(to: URL(fileURLWithPath: brokenPath))
            let error = #expect(throws: ModelFileError.self) { try ModelFile.load(from: brokenPath) }
            return error?.problem ?? ""
        }
        #expect(try refusal { $0[0]["backward"] = nil } == "layers[0] is bidirectional but has no backward weights")
        #expect(try refusal { $0[2]["merge"] = "sum" } == "layers[2].merge is only for a bidirectional layer")
        #expect(try refusal { $0[1]["direction"] = "forward" } == "layers[1].merge is only for a bidirectional layer")
        #expect(try refusal { $0[1]["direction"] = "sideways" }.contains("sideways"))
        #expect(try refusal { $0[1]["cell"] = "Elman" }.contains("layers[1].cell is \"Elman\""))
        // Built-in forward stacks of one kind stay version 2.
        let plain = ModelFile(model: RecurrentModel(kerasInitializedWithSeed: 4, cell: .lstm), metadata: metadata)
        try plain.save(to: path)
        let version = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        #expect((version as? [String: Any])?["version"] as? Int == 2)
    }

    /// A version-1 file (the paper's SimpleRNN, as Cellwise 0.2 wrote it) still reads.
    @Test func readsVersionOneFiles() throws {
        let file = Self.sample()
        let layer = file.model.layers[0]
        let metadata = try JSONSerialization.jsonObject(with: JSONEncoder.cellwise.encode(file.metadata))
        let json: [String: Any] = [
            "format": "cellwise-model", "version": 1,
            "architecture": [
                "type": "SimpleRNN+Dense", "input_size": 28, "units": 8, "classes": 10, "time_steps": 28,
            ],
            "weights": [
                "input_kernel": layer.kernel.map(Double.init),
                "recurrent_kernel": layer.recurrentKernel.map(Double.init),
                "bias": layer.bias.map(Double.init), "dense_kernel": file.model.denseKernel.map(Double.init),
                "dense_bias": file.model.denseBias.map(Double.init),
            ],
            "metadata": metadata,
        ]
        let path = try TestData.write(
            Array(try JSONSerialization.data(withJSONObject: json)), to: "v1.json", in: TestData.directory())
        let loaded = try ModelFile.load(from: path)
        #expect(loaded.model == file.model)
        #expect(loaded.metadata == file.metadata)
        #expect(loaded.provenance.trainedBy == file.metadata.createdBy)
    }

    @Test func rejectsMissingEmptyAndNonJSONFiles() throws {
        let directory = try TestData.directory()
        #expect(throws: ModelFileError("/no/model.json", "no such file", reason: .missing)) {
            try ModelFile.load(from: "/no/model.json")
        }
        let empty = try TestData.write([], to: "e.json", in: directory)
        #expect(throws: ModelFileError(empty, "file is empty", reason: .empty)) { try ModelFile.load(from: empty) }
        let garbage = try TestData.write(Array("{ not json".utf8), to: "g.json", in: directory)
        #expect(throws: ModelFileError(garbage, "not valid JSON", reason: .malformed)) {
            try ModelFile.load(from: garbage)
        }
    }
}
