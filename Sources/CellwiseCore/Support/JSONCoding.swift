import Foundation

extension JSONEncoder {
    /// Cellwise's JSON style: snake_case keys, sorted, pretty-printed.
    public static var cellwise: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

extension JSONEncoder {
    /// Cellwise's one-line JSON (trace lines, `run.json`): snake_case keys, sorted, compact, so
    /// identical content gives identical bytes.
    public static var cellwiseCompact: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

extension JSONDecoder {
    /// Reads what ``JSONEncoder/cellwise`` writes.
    public static var cellwise: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}
