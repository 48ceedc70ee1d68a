import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseCore

@Suite struct ModelFileTests {
    static func sample() -> ModelFile {
        let model = SimpleRNN(kerasInitializedWithSeed: 3, units: 8)
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
        let error = try loadError { $0["version"] = 2 }
        #expect(error?.problem == "model file version 2 is not supported (this cellwise reads version 1)")
    }

    @Test func rejectsWrongShapes() throws {
        let error = try loadError { json in
            var weights = json["weights"] as! [String: Any]
            weights["recurrent_kernel"] = Array(repeating: 0.0, count: 63)
            json["weights"] = weights
        }
        #expect(error?.problem == "weights.recurrent_kernel has 63 values, expected 64 (8x8)")
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
        let range = try #require(text.range(of: "\"dense_bias\" : [\n"))
        let end = try #require(text.range(of: ",", range: range.upperBound..<text.endIndex))
        text.replaceSubrange(range.upperBound..<end.lowerBound, with: "NaN")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: ModelFileError.self) { try ModelFile.load(from: path) }
        #expect(error?.problem.contains("NaN") == true, "\(error?.problem ?? "")")
    }

    @Test func rejectsMissingEmptyAndNonJSONFiles() throws {
        let directory = try TestData.directory()
        #expect(throws: ModelFileError("/no/model.json", "no such file")) { try ModelFile.load(from: "/no/model.json") }
        let empty = try TestData.write([], to: "e.json", in: directory)
        #expect(throws: ModelFileError(empty, "file is empty")) { try ModelFile.load(from: empty) }
        let garbage = try TestData.write(Array("{ not json".utf8), to: "g.json", in: directory)
        #expect(throws: ModelFileError(garbage, "not valid JSON")) { try ModelFile.load(from: garbage) }
    }
}
