import Foundation

extension DecodingError {
    /// The error in one line, with the field's path as it appears in a snake-case JSON file
    /// (`layers[0].recurrent_bias`): `missing key ...`, `wrong type at ...: ...`, `bad value at ...: ...`.
    public var summary: String {
        func snakeCased(_ key: String) -> String {
            key.reduce(into: "") { result, character in
                if character.isUppercase { result += "_" + character.lowercased() } else { result.append(character) }
            }
        }
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\(snakeCased($0.stringValue))" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch self {
        case .keyNotFound(let key, let context):
            let parent = path(context.codingPath)
            return "missing key \(parent.isEmpty ? "" : parent + ".")\(snakeCased(key.stringValue))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(path(context.codingPath)): \(context.debugDescription)"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "not valid JSON" : "bad value at \(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "cannot be decoded"
        }
    }
}
