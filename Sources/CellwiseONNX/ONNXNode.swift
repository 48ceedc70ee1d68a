/// Attribute access for ONNX nodes, with errors that name the node and the attribute.
extension Onnx_NodeProto {
    /// `node 'NAME' (OP)`, or `node #INDEX (OP)` for an unnamed node.
    func label(index: Int) -> String {
        name.isEmpty ? "node #\(index) (\(opType))" : "node '\(name)' (\(opType))"
    }

    func attribute(_ key: String) -> Onnx_AttributeProto? {
        attribute.first { $0.name == key }
    }

    func integer(_ key: String, default fallback: Int64) -> Int64 {
        attribute(key).map(\.i) ?? fallback
    }

    func float(_ key: String, default fallback: Float) -> Float {
        attribute(key).map(\.f) ?? fallback
    }

    func integers(_ key: String) -> [Int64]? {
        attribute(key).map(\.ints)
    }

    func string(_ key: String) -> String? {
        attribute(key).map { String(decoding: $0.s, as: UTF8.self) }
    }

    func strings(_ key: String) -> [String]? {
        attribute(key).map { $0.strings.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// The names of the inputs, with empty names (omitted optional inputs) kept in place.
    func input(_ index: Int) -> String? {
        index < input.count && !input[index].isEmpty ? input[index] : nil
    }
}
