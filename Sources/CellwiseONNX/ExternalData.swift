import Foundation

/// ONNX's external data: a tensor whose bytes sit in another file beside the model (what
/// torch.onnx.export's default exporter writes, `model.onnx.data`), named by the tensor's
/// `external_data` entries `location` (a path relative to the model's folder), `offset` and
/// `length`. Reading them in makes the tensor an ordinary one with `raw_data`.
enum ExternalData {
    /// `graph` with every external initializer's bytes read from beside `modelPath`.
    ///
    /// - Throws: ``ONNXProblem`` naming the tensor when its location leaves the model's folder,
    ///   the file cannot be read, or the range is outside it.
    static func resolve(_ graph: Onnx_GraphProto, modelPath: String) throws -> Onnx_GraphProto {
        guard graph.initializer.contains(where: { $0.dataLocation == .external }) else { return graph }
        let folder = URL(fileURLWithPath: modelPath).deletingLastPathComponent()
        var files = [String: Data]()
        var resolved = graph
        for index in resolved.initializer.indices where resolved.initializer[index].dataLocation == .external {
            var tensor = resolved.initializer[index]
            let what = "initializer '\(tensor.name)'"
            let entries = Dictionary(
                tensor.externalData.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
            guard let location = entries["location"], !location.isEmpty else {
                throw ONNXProblem("\(what) keeps its data in an external file but names none (external_data location)")
            }
            let parts = location.split(separator: "/", omittingEmptySubsequences: true)
            guard !location.hasPrefix("/"), !parts.contains(".."), !location.contains("\\") else {
                throw ONNXProblem(
                    "\(what) keeps its data in '\(location)', outside the model's folder; external data must "
                        + "sit beside the model")
            }
            let file = folder.appendingPathComponent(location).path
            if files[file] == nil {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw ONNXProblem(
                        "\(what) keeps its data in an external file, '\(location)', which cannot be read beside the "
                            + "model (copy it along, or save with onnx.save(model, path, save_as_external_data=False))")
                }
                files[file] = data
            }
            let data = files[file]!
            let offset = Int(entries["offset"] ?? "0")
            let length = entries["length"].map { Int($0) } ?? data.count - (offset ?? 0)
            guard let offset, let length, offset >= 0, length >= 0, offset <= data.count, length <= data.count - offset
            else {
                throw ONNXProblem(
                    "\(what): offset \(entries["offset"] ?? "0") and length \(entries["length"] ?? "-") are outside "
                        + "'\(location)' (\(data.count) bytes)")
            }
            tensor.rawData = data.subdata(in: (data.startIndex + offset)..<(data.startIndex + offset + length))
            tensor.dataLocation = .default
            tensor.externalData = []
            resolved.initializer[index] = tensor
        }
        return resolved
    }
}
