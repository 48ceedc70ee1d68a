import Foundation

/// A cell graph in JSON (an encrypted run's job, and in time model files):
///
/// ```json
/// {"name": "SimpleRNN", "states": ["h"], "blocks": 1, "sites": ["h"],
///  "nodes": [{"op": "input_product", "block": 0},
///            {"op": "recurrent_product", "of": "s0", "block": 0},
///            {"op": "add", "of": ["n0", "n1"]},
///            {"op": "activate", "of": "n2", "site": 0, "label": "h"}],
///  "outputs": ["n3"]}
/// ```
///
/// A value is `x` (the layer's input), `s<k>` (state `k` of the previous step) or `n<k>` (node
/// `k`'s result). A site is a built-in kind's letter (``SiteKind``), or `{"letter": "a",
/// "function": "sigmoid"}` for a kind of the cell's own. `recurrent_product` may carry
/// `"with_bias": true`. Decoding checks the graph as ``init(name:states:blocks:sites:nodes:outputs:)``
/// does.
extension CellGraph: Codable {
    /// The graph in the JSON file at `path`.
    ///
    /// - Throws: ``DataError`` naming the file: missing, unreadable, empty, or not a valid graph
    ///   (the first problem).
    public static func load(from path: String) throws -> CellGraph {
        let bytes = try Gzip.readFile(path)
        do {
            return try JSONDecoder().decode(CellGraph.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw DataError(path, "is not a cell graph: \(error.summary)", reason: .malformed)
        }
    }

    private enum CodingKeys: String, CodingKey {
        case name, states, blocks, sites, nodes, outputs
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let sites = try container.decode([Site].self, forKey: .sites)
        let outputs = try container.decode([String].self, forKey: .outputs).map { text in
            guard let value = Value(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .outputs, in: container, debugDescription: "\(text) is not a value (x, s<k> or n<k>)")
            }
            return value
        }
        do {
            try self.init(
                name: try container.decode(String.self, forKey: .name),
                states: try container.decode([String].self, forKey: .states),
                blocks: try container.decode(Int.self, forKey: .blocks), sites: sites,
                nodes: try container.decode([Node].self, forKey: .nodes), outputs: outputs)
        } catch let error as ConfigurationError {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: error.problem))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(states, forKey: .states)
        try container.encode(blocks, forKey: .blocks)
        try container.encode(sites, forKey: .sites)
        try container.encode(nodes, forKey: .nodes)
        try container.encode(outputs.map(\.description), forKey: .outputs)
    }
}

extension CellGraph.Value: CustomStringConvertible {
    /// `x`, `s<k>` or `n<k>`.
    public var description: String {
        switch self {
        case .input: "x"
        case .state(let k): "s\(k)"
        case .node(let n): "n\(n)"
        }
    }

    /// The value written `text` (`x`, `s<k>`, `n<k>`), or nil.
    public init?(_ text: String) {
        if text == "x" {
            self = .input
            return
        }
        guard let prefix = text.first, let index = Int(text.dropFirst()), index >= 0,
            text.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        switch prefix {
        case "s": self = .state(index)
        case "n": self = .node(index)
        default: return nil
        }
    }
}

extension CellGraph.Node: Codable {
    private enum CodingKeys: String, CodingKey {
        case op, of, block
        case withBias = "with_bias"
        case site, label
    }

    /// `with_bias` as a decoder that converts snake-case keys (model files) presents it.
    private enum ConvertedKeys: String, CodingKey {
        case withBias
    }

    private enum Kind: String, Codable {
        case inputProduct = "input_product"
        case recurrentProduct = "recurrent_product"
        case add, subtract, multiply
        case activate
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func value(_ text: String) throws -> CellGraph.Value {
            guard let value = CellGraph.Value(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .of, in: container, debugDescription: "\(text) is not a value (x, s<k> or n<k>)")
            }
            return value
        }
        func pair() throws -> (CellGraph.Value, CellGraph.Value) {
            let operands = try container.decode([String].self, forKey: .of)
            guard operands.count == 2 else {
                throw DecodingError.dataCorruptedError(
                    forKey: .of, in: container, debugDescription: "has \(operands.count) operands, not 2")
            }
            return (try value(operands[0]), try value(operands[1]))
        }
        let operation: CellGraph.Operation
        switch try container.decode(Kind.self, forKey: .op) {
        case .inputProduct:
            operation = .inputProduct(block: try container.decode(Int.self, forKey: .block))
        case .recurrentProduct:
            operation = .recurrentProduct(
                try value(try container.decode(String.self, forKey: .of)),
                block: try container.decode(Int.self, forKey: .block),
                withBias: try container.decodeIfPresent(Bool.self, forKey: .withBias)
                    ?? decoder.container(keyedBy: ConvertedKeys.self).decodeIfPresent(Bool.self, forKey: .withBias)
                    ?? false)
        case .add:
            let (a, b) = try pair()
            operation = .add(a, b)
        case .subtract:
            let (a, b) = try pair()
            operation = .subtract(a, b)
        case .multiply:
            let (a, b) = try pair()
            operation = .multiply(a, b)
        case .activate:
            operation = .activate(
                try value(try container.decode(String.self, forKey: .of)),
                site: try container.decode(Int.self, forKey: .site))
        }
        self.init(operation, label: try container.decodeIfPresent(String.self, forKey: .label))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch operation {
        case .inputProduct(let block):
            try container.encode(Kind.inputProduct, forKey: .op)
            try container.encode(block, forKey: .block)
        case .recurrentProduct(let v, let block, let withBias):
            try container.encode(Kind.recurrentProduct, forKey: .op)
            try container.encode(v.description, forKey: .of)
            try container.encode(block, forKey: .block)
            if withBias { try container.encode(true, forKey: .withBias) }
        case .add(let a, let b):
            try container.encode(Kind.add, forKey: .op)
            try container.encode([a.description, b.description], forKey: .of)
        case .subtract(let a, let b):
            try container.encode(Kind.subtract, forKey: .op)
            try container.encode([a.description, b.description], forKey: .of)
        case .multiply(let a, let b):
            try container.encode(Kind.multiply, forKey: .op)
            try container.encode([a.description, b.description], forKey: .of)
        case .activate(let v, let site):
            try container.encode(Kind.activate, forKey: .op)
            try container.encode(v.description, forKey: .of)
            try container.encode(site, forKey: .site)
        }
        try container.encodeIfPresent(label, forKey: .label)
    }
}

extension CellGraph.Site: Codable {
    private enum CodingKeys: String, CodingKey {
        case letter, function
    }

    public init(from decoder: any Decoder) throws {
        if let letter = try? decoder.singleValueContainer().decode(String.self) {
            guard let kind = SiteKind.builtIn(letter) else {
                throw DecodingError.dataCorrupted(
                    DecodingError.Context(
                        codingPath: decoder.codingPath,
                        debugDescription: "site \(letter) is not a built-in kind ("
                            + SiteKind.builtIn.map(\.letter).joined(separator: ", ")
                            + "); give {\"letter\": ..., \"function\": \"tanh\" or \"sigmoid\"}"))
            }
            self.init(kind)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let letter = try container.decode(String.self, forKey: .letter)
        let function = try container.decode(ActivationFunction.self, forKey: .function)
        do {
            self.init(try SiteKind(letter, function: function))
        } catch let error as ConfigurationError {
            throw DecodingError.dataCorruptedError(forKey: .letter, in: container, debugDescription: error.problem)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        if SiteKind.builtIn.contains(kind) {
            var container = encoder.singleValueContainer()
            try container.encode(kind.letter)
        } else {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(kind.letter, forKey: .letter)
            try container.encode(kind.function, forKey: .function)
        }
    }
}
