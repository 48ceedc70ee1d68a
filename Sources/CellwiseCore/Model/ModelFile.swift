import Foundation

/// A trained model with its provenance, as saved to and loaded from a JSON file.
///
/// The format is documented in `docs/model-file.md`. Keys are snake_case; `format` is always
/// `"cellwise-model"`. This build writes version 2 (stacked forward layers of one built-in cell
/// kind, the input transform, provenance) or, for anything else, version ``ModelFile/currentVersion``:
/// version 2 with a cell of one's own in `architecture.cell_graph`, and per layer, where it differs
/// from the first, its own `cell` (`reset_after`, `cell_graph`), its `direction` (`reverse`,
/// `bidirectional`), a bidirectional layer's `merge` (`concat`, `sum`) and its `backward` pass's
/// weights. It reads version 1 (the paper's SimpleRNN) too. Loading checks every shape and that
/// every weight is finite.
public struct ModelFile: Sendable {
    /// The version this build writes.
    public static let currentVersion = 3
    /// The versions this build reads.
    public static let readableVersions = [1, 2, 3]
    /// The value of the `format` key.
    public static let formatName = "cellwise-model"

    /// The weights.
    public let model: RecurrentModel
    /// How the model was made and how well it does.
    public var metadata: ModelMetadata
    /// Where the weights come from.
    public var provenance: ModelProvenance
    /// The SHA-256 of the file's bytes (64 lowercase hex digits) when the model was loaded from or
    /// saved to a file; nil for a model made in memory. Results record it, so that a result names
    /// the exact model file it was made from. Not part of `==`.
    public var fileSHA256: String?

    /// Pairs a model with its metadata.
    public init(model: RecurrentModel, metadata: ModelMetadata, provenance: ModelProvenance? = nil) {
        self.model = model
        self.metadata = metadata
        self.provenance = provenance ?? .trained(by: metadata.createdBy)
    }

    /// Loads and checks a model file.
    ///
    /// - Throws: ``ModelFileError`` naming the file and the first problem.
    public static func load(from path: String) throws -> ModelFile {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ModelFileError(path, "no such file", reason: .missing)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelFileError(path, "cannot read the file", reason: .unreadable)
        }
        guard !data.isEmpty else { throw ModelFileError(path, "file is empty", reason: .empty) }
        var file = try decode(data, path: path)
        file.fileSHA256 = SHA256.hex(of: [UInt8](data))
        return file
    }

    /// The SHA-256 of the file at `path` (64 lowercase hex digits), or nil when it cannot be read.
    public static func sha256(ofFileAt path: String) -> String? {
        FileManager.default.contents(atPath: path).map { SHA256.hex(of: [UInt8]($0)) }
    }

    private static func decode(_ data: Data, path: String) throws -> ModelFile {
        // Read the header first so that another version gets a clear message.
        let header: Header
        do {
            header = try JSONDecoder.cellwise.decode(Header.self, from: data)
        } catch {
            // JSON cannot hold NaN or infinities; say so when a writer (e.g. Python's json) put them in.
            let text = String(decoding: data, as: UTF8.self)
            if text.range(of: #"[\[,:]\s*-?(NaN|Infinity)\b"#, options: .regularExpression) != nil {
                throw ModelFileError(path, "contains NaN or Infinity; every weight must be a finite number")
            }
            throw ModelFileError(path, describe(error), reason: .malformed)
        }
        guard header.format == formatName else {
            throw ModelFileError(
                path, "format is \"\(header.format)\", expected \"\(formatName)\"", reason: .malformed)
        }
        guard readableVersions.contains(header.version) else {
            throw ModelFileError(
                path,
                "model file version \(header.version) is not supported (this cellwise reads versions "
                    + readableVersions.dropLast().map(String.init).joined(separator: ", ")
                    + " and \(readableVersions.last!))", reason: .unsupported)
        }
        try rejectUnknownKeys(
            data, path: path,
            keys: header.version == 1 ? version1Keys : header.version == 2 ? version2Keys : version3Keys)
        do {
            if header.version == 1 {
                return try JSONDecoder.cellwise.decode(Version1.self, from: data).validated(path: path)
            }
            return try JSONDecoder.cellwise.decode(Contents.self, from: data).validated(path: path)
        } catch let error as ModelFileError {
            throw error
        } catch {
            throw ModelFileError(path, describe(error))
        }
    }

    /// Writes the file (version 2, or 3 for a cell that is not built in) atomically: a temporary
    /// file renamed into place, so a failure never leaves a partial file.
    ///
    /// - Returns: The SHA-256 of the bytes written (see ``fileSHA256``).
    @discardableResult
    public func save(to path: String) throws -> String {
        let cell = model.layers[0].cell
        let version2 = model.cell?.isBuiltIn == true && model.isForward
        func weights(_ w: RecurrentWeights) -> Weights {
            Weights(
                kernel: w.kernel, recurrentKernel: w.recurrentKernel, bias: w.bias,
                recurrentBias: w.recurrentBias.isEmpty ? nil : w.recurrentBias)
        }
        let contents = Contents(
            format: Self.formatName, version: version2 ? 2 : 3,
            architecture: .init(
                cell: cell.name, resetAfter: cell.resetAfter, cellGraph: cell.isBuiltIn ? nil : cell.graph,
                inputSize: model.inputSize, units: model.layers.map(\.units), classes: model.classes,
                timeSteps: model.timeSteps),
            input: model.input,
            layers: model.layers.map { layer in
                let own = layer.cell != cell
                let w = weights(layer.passes[0])
                return Layer(
                    kernel: w.kernel, recurrentKernel: w.recurrentKernel, bias: w.bias, recurrentBias: w.recurrentBias,
                    cell: own ? layer.cell.name : nil, resetAfter: own ? layer.cell.resetAfter : nil,
                    cellGraph: own && !layer.cell.isBuiltIn ? layer.cell.graph : nil,
                    direction: layer.direction == .forward ? nil : layer.direction,
                    merge: layer.direction == .bidirectional ? layer.merge : nil,
                    backward: layer.passes.count > 1 ? weights(layer.passes[1]) : nil)
            },
            dense: .init(kernel: model.denseKernel, bias: model.denseBias),
            provenance: provenance, metadata: metadata)
        let data: Data
        do {
            data = try JSONEncoder.cellwise.encode(contents)
        } catch {
            throw ModelFileError(path, "cannot encode the model: \(error)")
        }
        try AtomicFile.write(data, to: path)
        return SHA256.hex(of: [UInt8](data))
    }

    /// Saves the file and returns the model with ``fileSHA256`` set to what was written.
    public func saved(to path: String) throws -> ModelFile {
        var copy = self
        copy.fileSHA256 = try save(to: path)
        return copy
    }

    // MARK: - Serialised form

    private struct Header: Decodable {
        var format: String
        var version: Int
    }

    struct Architecture: Codable, Equatable {
        var cell: String
        var resetAfter: Bool?
        /// A cell that is not built in (version 3).
        var cellGraph: CellGraph?
        var inputSize: Int
        var units: [Int]
        var classes: Int
        var timeSteps: Int
    }

    struct Weights: Codable, Equatable {
        var kernel: [Float]
        var recurrentKernel: [Float]
        var bias: [Float]
        var recurrentBias: [Float]?
    }

    struct Layer: Codable, Equatable {
        var kernel: [Float]
        var recurrentKernel: [Float]
        var bias: [Float]
        var recurrentBias: [Float]?
        /// Version 3: the layer's cell where it is not the first layer's.
        var cell: String?
        var resetAfter: Bool?
        var cellGraph: CellGraph?
        /// Version 3: `reverse` or `bidirectional` (absent: forward).
        var direction: LayerDirection?
        /// Version 3: a bidirectional layer's merge (absent: concat).
        var merge: LayerMerge?
        /// Version 3: a bidirectional layer's backward pass.
        var backward: Weights?
    }

    struct Dense: Codable, Equatable {
        var kernel: [Float]
        var bias: [Float]
    }

    private struct Contents: Codable {
        var format: String
        var version: Int
        var architecture: Architecture
        var input: InputTransform
        var layers: [Layer]
        var dense: Dense
        var provenance: ModelProvenance
        var metadata: ModelMetadata

        func validated(path: String) throws -> ModelFile {
            let a = architecture
            let cell = try Self.cell(
                name: a.cell, resetAfter: a.resetAfter, graph: a.cellGraph, key: "architecture", path: path)
            guard a.units.count == layers.count else {
                throw ModelFileError(
                    path, "architecture.units names \(a.units.count) layers, the file has \(layers.count)")
            }
            var built = [RecurrentLayer]()
            var width = a.inputSize
            for (index, (units, layer)) in zip(a.units, layers).enumerated() {
                let key = "layers[\(index)]"
                guard (1...4096).contains(units) else {
                    throw ModelFileError(path, "architecture.units[\(index)] is \(units), expected 1-4096")
                }
                var own = cell
                if let name = layer.cell {
                    own = try Self.cell(
                        name: name, resetAfter: layer.resetAfter, graph: layer.cellGraph, key: key, path: path)
                } else if layer.resetAfter != nil || layer.cellGraph != nil {
                    throw ModelFileError(path, "\(key) has reset_after or cell_graph but no cell")
                }
                let direction = layer.direction ?? .forward
                if layer.merge != nil, direction != .bidirectional {
                    throw ModelFileError(path, "\(key).merge is only for a bidirectional layer")
                }
                if (layer.backward != nil) != (direction == .bidirectional) {
                    throw ModelFileError(
                        path,
                        direction == .bidirectional
                            ? "\(key) is bidirectional but has no backward weights"
                            : "\(key).backward is only for a bidirectional layer")
                }
                let passes =
                    [
                        RecurrentWeights(
                            kernel: layer.kernel, recurrentKernel: layer.recurrentKernel, bias: layer.bias,
                            recurrentBias: layer.recurrentBias ?? [])
                    ]
                    + (layer.backward.map {
                        [
                            RecurrentWeights(
                                kernel: $0.kernel, recurrentKernel: $0.recurrentKernel, bias: $0.bias,
                                recurrentBias: $0.recurrentBias ?? [])
                        ]
                    } ?? [])
                let made = try RecurrentLayer(
                    cell: own, inputSize: width, units: units, direction: direction, merge: layer.merge ?? .concat,
                    passes: passes, source: path, name: key)
                built.append(made)
                width = made.outputSize
            }
            let model = try RecurrentModel(
                layers: built, classes: a.classes, timeSteps: a.timeSteps, input: input,
                denseKernel: dense.kernel, denseBias: dense.bias, source: path)
            try metadata.check(sites: model.sites.count, path: path)
            return ModelFile(model: model, metadata: metadata, provenance: provenance)
        }

        /// The cell a section (`architecture` or `layers[i]`) names: its graph, or the built-in cell of that name.
        static func cell(name: String, resetAfter: Bool?, graph: CellGraph?, key: String, path: String) throws
            -> RecurrentCell
        {
            if resetAfter != nil, name != "GRU" {
                throw ModelFileError(path, "\(key).reset_after is only for a GRU")
            }
            if let graph {
                guard graph.name == name else {
                    throw ModelFileError(
                        path, "\(key).cell is \"\(name)\" but \(key).cell_graph defines \"\(graph.name)\"")
                }
                let cell = RecurrentCell(graph)
                guard !cell.isBuiltIn else {
                    throw ModelFileError(
                        path, "\(key).cell_graph is the built-in \(cell.name); write cell \"\(cell.name)\" alone")
                }
                return cell
            }
            switch name {
            case "SimpleRNN": return .simpleRNN
            case "LSTM": return .lstm
            case "GRU":
                guard let after = resetAfter else {
                    throw ModelFileError(
                        path, "\(key).reset_after is missing (a GRU must say where its reset gate goes)")
                }
                return .gru(resetAfter: after)
            default:
                throw ModelFileError(
                    path,
                    "\(key).cell is \"\(name)\", expected \"SimpleRNN\", \"GRU\" or \"LSTM\" (or, in "
                        + "version 3, any name with its \(key).cell_graph)")
            }
        }
    }

    /// Version 1: the paper's SimpleRNN+Dense.
    private struct Version1: Decodable {
        struct Architecture: Decodable {
            var type: String
            var inputSize: Int
            var units: Int
            var classes: Int
            var timeSteps: Int
        }

        struct Weights: Decodable {
            var inputKernel: [Float]
            var recurrentKernel: [Float]
            var bias: [Float]
            var denseKernel: [Float]
            var denseBias: [Float]
        }

        var architecture: Architecture
        var weights: Weights
        var metadata: ModelMetadata

        func validated(path: String) throws -> ModelFile {
            let a = architecture
            guard a.type == "SimpleRNN+Dense" else {
                throw ModelFileError(path, "architecture.type is \"\(a.type)\", expected \"SimpleRNN+Dense\"")
            }
            for (key, value, limit) in [("input_size", a.inputSize, 1 << 16), ("units", a.units, 4096)] {
                guard (1...limit).contains(value) else {
                    throw ModelFileError(path, "architecture.\(key) is \(value), expected 1-\(limit)")
                }
            }
            let w = weights
            let layer = try RecurrentLayer(
                cell: .simpleRNN, inputSize: a.inputSize, units: a.units, kernel: w.inputKernel,
                recurrentKernel: w.recurrentKernel, bias: w.bias, source: path, name: "weights")
            let model = try RecurrentModel(
                layers: [layer], classes: a.classes, timeSteps: a.timeSteps, input: .imageRows,
                denseKernel: w.denseKernel, denseBias: w.denseBias, source: path)
            try metadata.check(sites: model.sites.count, path: path)
            return ModelFile(model: model, metadata: metadata)
        }
    }

    private static let metadataKeys: Set<String> = [
        "dataset", "split_seed", "training", "epochs_run", "best_epoch", "validation_loss", "validation_accuracy",
        "test_accuracy", "cell_ranges", "created_by",
    ]
    private static let trainingKeys: Set<String> = [
        "seed", "split_seed", "cell", "layers", "direction", "merge", "units", "epochs", "batch_size", "learning_rate",
        "minimum_learning_rate", "reduce_factor", "reduce_patience", "early_stopping_patience", "beta1", "beta2",
        "epsilon", "training_limit",
    ]

    /// The keys a version-1 file may have, by section ("" is the top level).
    private static let version1Keys: [String: Set<String>] = [
        "": ["format", "version", "architecture", "weights", "metadata"],
        "architecture": ["type", "input_size", "units", "classes", "time_steps"],
        "weights": ["input_kernel", "recurrent_kernel", "bias", "dense_kernel", "dense_bias"],
        "metadata": metadataKeys, "metadata.training": trainingKeys,
    ]

    /// The keys a version-2 file may have, by section.
    private static let version2Keys: [String: Set<String>] = [
        "": ["format", "version", "architecture", "input", "layers", "dense", "provenance", "metadata"],
        "architecture": ["cell", "reset_after", "input_size", "units", "classes", "time_steps"],
        "input": ["layout", "padding", "mean", "standard_deviation"],
        "layers[]": ["kernel", "recurrent_kernel", "bias", "recurrent_bias"],
        "dense": ["kernel", "bias"],
        "provenance": ["trained_by", "imported_from", "sha256", "importer"],
        "metadata": metadataKeys, "metadata.training": trainingKeys,
    ]

    /// The keys a version-3 file may have, by section (version 2's, the cell's graph, and per
    /// layer its own cell, direction, merge and backward pass).
    private static let version3Keys: [String: Set<String>] = version2Keys.merging([
        "architecture": version2Keys["architecture"]!.union(["cell_graph"]),
        "layers[]": version2Keys["layers[]"]!.union([
            "cell", "reset_after", "cell_graph", "direction", "merge", "backward",
        ]),
        "layers[].backward": ["kernel", "recurrent_kernel", "bias", "recurrent_bias"],
        "metadata.training": trainingKeys.union(["cell_graph"]),
    ]) { $1 }

    /// Rejects keys the file's version does not define (a typo must not be silently ignored).
    private static func rejectUnknownKeys(_ data: Data, path: String, keys: [String: Set<String>]) throws {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return }
        func check(_ object: [String: Any], _ section: String, shown: String) throws {
            let known = keys[section] ?? []
            if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
                throw ModelFileError(path, "unknown key \(shown.isEmpty ? "" : shown + ".")\(unknown)")
            }
            for (key, value) in object {
                let child = section.isEmpty ? key : "\(section).\(key)"
                let childShown = shown.isEmpty ? key : "\(shown).\(key)"
                if let table = value as? [String: Any], keys[child] != nil {
                    try check(table, child, shown: childShown)
                } else if let list = value as? [Any], keys[child + "[]"] != nil {
                    for (index, item) in list.enumerated() {
                        if let table = item as? [String: Any] {
                            try check(table, child + "[]", shown: "\(childShown)[\(index)]")
                        }
                    }
                }
            }
        }
        try check(root, "", shown: "")
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not valid JSON" }
        return error.summary
    }
}

/// Where a model's weights come from: trained by Cellwise, or imported from a file.
public struct ModelProvenance: Codable, Sendable, Equatable {
    /// The Cellwise version that trained the model (nil for an imported one).
    public var trainedBy: String?
    /// The file the model was imported from (nil for a trained one).
    public var importedFrom: String?
    /// The SHA-256 of that file, hex.
    public var sha256: String?
    /// The Cellwise version that imported it.
    public var importer: String?

    /// A model trained by Cellwise `version`.
    public static func trained(by version: String = CellwiseVersion.current) -> ModelProvenance {
        ModelProvenance(trainedBy: version)
    }

    /// A model imported from `file` with digest `sha256`.
    public static func imported(from file: String, sha256: String) -> ModelProvenance {
        ModelProvenance(importedFrom: file, sha256: sha256, importer: CellwiseVersion.current)
    }

    /// Creates provenance.
    public init(trainedBy: String? = nil, importedFrom: String? = nil, sha256: String? = nil, importer: String? = nil) {
        self.trainedBy = trainedBy
        self.importedFrom = importedFrom
        self.sha256 = sha256
        self.importer = importer
    }
}

/// How a model was trained and what it achieved.
public struct ModelMetadata: Codable, Sendable, Equatable {
    /// The data set argument (`mnist5k`, `fashion` or a path).
    public var dataset: String
    /// The seed of the train/validation/test shuffle.
    public var splitSeed: UInt64
    /// The hyperparameters used (nil for models not trained by Cellwise).
    public var training: TrainingConfiguration?
    /// Epochs actually run (early stopping may end training sooner).
    public var epochsRun: Int
    /// The epoch whose weights were kept (1-based).
    public var bestEpoch: Int
    /// Validation loss of the kept weights.
    public var validationLoss: Double
    /// Validation accuracy with exact tanh.
    public var validationAccuracy: Double
    /// Test accuracy with exact tanh.
    public var testAccuracy: Double
    /// Each site's pre-activation range on the validation split with the exact functions.
    public var cellRanges: [ValueRange]?
    /// The Cellwise version that wrote the file.
    public var createdBy: String

    /// Creates metadata.
    public init(
        dataset: String, splitSeed: UInt64, training: TrainingConfiguration?, epochsRun: Int, bestEpoch: Int,
        validationLoss: Double, validationAccuracy: Double, testAccuracy: Double, cellRanges: [ValueRange]?,
        createdBy: String = CellwiseVersion.current
    ) {
        self.dataset = dataset
        self.splitSeed = splitSeed
        self.training = training
        self.epochsRun = epochsRun
        self.bestEpoch = bestEpoch
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.testAccuracy = testAccuracy
        self.cellRanges = cellRanges
        self.createdBy = createdBy
    }
}

extension ModelMetadata {
    /// Checks the metadata against the model's site count.
    func check(sites: Int, path: String) throws {
        if let ranges = cellRanges, ranges.count != sites {
            throw ModelFileError(path, "metadata.cell_ranges has \(ranges.count) entries, expected \(sites)")
        }
    }
}

/// A closed interval of observed values.
public struct ValueRange: Codable, Sendable, Equatable {
    /// The smallest value seen.
    public var min: Float
    /// The largest value seen.
    public var max: Float

    /// Creates a range.
    public init(min: Float, max: Float) {
        self.min = min
        self.max = max
    }
}

/// A problem with a model file, naming the file.
extension ModelFile: Equatable {
    /// Two model files are equal when their weights, metadata and provenance are (wherever they were read from).
    public static func == (lhs: ModelFile, rhs: ModelFile) -> Bool {
        lhs.model == rhs.model && lhs.metadata == rhs.metadata && lhs.provenance == rhs.provenance
    }
}
