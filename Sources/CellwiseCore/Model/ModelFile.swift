import Foundation

/// A trained model with its provenance, as saved to and loaded from a JSON file.
///
/// The format is documented in `docs/model-file.md`. Keys are snake_case; `format` is always
/// `"cellwise-model"` and `version` is ``ModelFile/currentVersion``. Loading checks the
/// version, every shape and that every weight is finite.
public struct ModelFile: Sendable, Equatable {
    /// The version this build writes and reads.
    public static let currentVersion = 1
    /// The value of the `format` key.
    public static let formatName = "cellwise-model"

    /// The weights.
    public let model: SimpleRNN
    /// How the model was made and how well it does.
    public var metadata: ModelMetadata

    /// Pairs a model with its metadata.
    public init(model: SimpleRNN, metadata: ModelMetadata) {
        self.model = model
        self.metadata = metadata
    }

    /// Loads and checks a model file.
    ///
    /// - Throws: ``ModelFileError`` naming the file and the first problem.
    public static func load(from path: String) throws -> ModelFile {
        guard FileManager.default.fileExists(atPath: path) else { throw ModelFileError(path, "no such file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelFileError(path, "cannot read the file")
        }
        guard !data.isEmpty else { throw ModelFileError(path, "file is empty") }
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
            throw ModelFileError(path, describe(error))
        }
        guard header.format == formatName else {
            throw ModelFileError(path, "format is \"\(header.format)\", expected \"\(formatName)\"")
        }
        guard header.version == currentVersion else {
            throw ModelFileError(
                path,
                "model file version \(header.version) is not supported (this cellwise reads version \(currentVersion))")
        }
        try rejectUnknownKeys(data, path: path)
        let contents: Contents
        do {
            contents = try JSONDecoder.cellwise.decode(Contents.self, from: data)
        } catch {
            throw ModelFileError(path, describe(error))
        }
        return try contents.validated(path: path)
    }

    /// Writes the file atomically (a temporary file renamed into place), so a failure never
    /// leaves a partial file.
    public func save(to path: String) throws {
        let contents = Contents(
            format: Self.formatName, version: Self.currentVersion,
            architecture: .init(
                type: "SimpleRNN+Dense", inputSize: model.inputSize, units: model.units,
                classes: model.classes, timeSteps: model.timeSteps),
            weights: .init(
                inputKernel: model.inputKernel, recurrentKernel: model.recurrentKernel, bias: model.bias,
                denseKernel: model.denseKernel, denseBias: model.denseBias),
            metadata: metadata)
        let data: Data
        do {
            data = try JSONEncoder.cellwise.encode(contents)
        } catch {
            throw ModelFileError(path, "cannot encode the model: \(error)")
        }
        try AtomicFile.write(data, to: path)
    }

    // MARK: - Serialised form

    private struct Header: Decodable {
        var format: String
        var version: Int
    }

    struct Architecture: Codable, Equatable {
        var type: String
        var inputSize: Int
        var units: Int
        var classes: Int
        var timeSteps: Int
    }

    struct Weights: Codable, Equatable {
        var inputKernel: [Float]
        var recurrentKernel: [Float]
        var bias: [Float]
        var denseKernel: [Float]
        var denseBias: [Float]
    }

    private struct Contents: Codable {
        var format: String
        var version: Int
        var architecture: Architecture
        var weights: Weights
        var metadata: ModelMetadata

        func validated(path: String) throws -> ModelFile {
            let a = architecture
            guard a.type == "SimpleRNN+Dense" else {
                throw ModelFileError(path, "architecture.type is \"\(a.type)\", expected \"SimpleRNN+Dense\"")
            }
            let w = weights
            let model = try SimpleRNN(
                inputSize: a.inputSize, units: a.units, classes: a.classes, timeSteps: a.timeSteps,
                inputKernel: w.inputKernel, recurrentKernel: w.recurrentKernel, bias: w.bias,
                denseKernel: w.denseKernel, denseBias: w.denseBias, source: path)
            if let ranges = metadata.cellRanges, ranges.count != a.timeSteps {
                throw ModelFileError(path, "metadata.cell_ranges has \(ranges.count) entries, expected \(a.timeSteps)")
            }
            return ModelFile(model: model, metadata: metadata)
        }
    }

    /// The keys a version-1 file may have, by section ("" is the top level).
    private static let knownKeys: [String: Set<String>] = [
        "": ["format", "version", "architecture", "weights", "metadata"],
        "architecture": ["type", "input_size", "units", "classes", "time_steps"],
        "weights": ["input_kernel", "recurrent_kernel", "bias", "dense_kernel", "dense_bias"],
        "metadata": [
            "dataset", "split_seed", "training", "epochs_run", "best_epoch", "validation_loss", "validation_accuracy",
            "test_accuracy", "cell_ranges", "created_by",
        ],
        "metadata.training": [
            "seed", "split_seed", "units", "epochs", "batch_size", "learning_rate", "minimum_learning_rate",
            "reduce_factor", "reduce_patience", "early_stopping_patience", "beta1", "beta2", "epsilon",
            "training_limit",
        ],
    ]

    /// Rejects keys a version-1 file does not define (a typo must not be silently ignored).
    private static func rejectUnknownKeys(_ data: Data, path: String) throws {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return }
        func check(_ object: [String: Any], _ section: String) throws {
            let known = knownKeys[section] ?? []
            if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
                throw ModelFileError(path, "unknown key \(section.isEmpty ? "" : section + ".")\(unknown)")
            }
            for (key, value) in object {
                let child = section.isEmpty ? key : "\(section).\(key)"
                if let table = value as? [String: Any], knownKeys[child] != nil { try check(table, child) }
            }
        }
        try check(root, "")
    }

    /// `splitSeed` -> `split_seed`: keys as they appear in the file.
    private static func snakeCased(_ key: String) -> String {
        key.reduce(into: "") { result, character in
            if character.isUppercase { result += "_" + character.lowercased() } else { result.append(character) }
        }
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not valid JSON" }
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\(snakeCased($0.stringValue))" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context.codingPath)
            return "missing key \(parent.isEmpty ? "" : parent + ".")\(snakeCased(key.stringValue))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(path(context.codingPath)): \(context.debugDescription)"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "not valid JSON" : "bad value at \(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "cannot decode the model"
        }
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
    /// Per-cell pre-activation range on the validation split with exact tanh.
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
public struct ModelFileError: Error, CustomStringConvertible, Equatable {
    /// The file at fault.
    public var path: String
    /// What is wrong with it.
    public var problem: String

    /// Creates an error about `path`.
    public init(_ path: String, _ problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}
