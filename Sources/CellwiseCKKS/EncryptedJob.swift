import CellwiseCore
import Foundation

/// What an encrypted run hands its backend: the model's weights, the cell's ``CellGraph``, the
/// operations of the plan's ``CiphertextGraph`` with their bootstraps and polynomials, and the
/// images. Written as JSON with snake-case keys (spelled out: a cell graph's keys must not be
/// converted); its schema is `tools/ckks/job.schema.json` and its fields are described in
/// docs/encrypted-job.md.
///
/// The backend needs no knowledge of any cell kind: each `cell` operation names the graph node it
/// computes and the values it reads (`x`, `s<k>`, `n<k>`, ``CellGraph/Value``), and evaluates the
/// unlabelled nodes between them.
public struct EncryptedJob: Codable, Sendable, Equatable {
    /// The format this Cellwise writes (1 was the untyped job before the cell graph; 2 had no
    /// `window`: every image had 64 slots).
    public static let currentFormat = 3

    /// One recurrent layer's weights (row-major, blocks side by side as in model files).
    public struct Layer: Codable, Sendable, Equatable {
        /// Units `u`.
        public var units: Int
        /// Inputs `w` (the features, or the layer below's units).
        public var inputSize: Int
        /// `w x (blocks * u)`.
        public var kernel: [Double]
        /// `u x (blocks * u)`.
        public var recurrentKernel: [Double]
        /// `blocks * u`.
        public var bias: [Double]
        /// `u` values added by recurrent products `with_bias` (empty when the model has none).
        public var recurrentBias: [Double]
        /// The layer's own cell in a stack of different kinds (nil: the job's ``EncryptedJob/cell``).
        public var cell: CellGraph? = nil
        /// A bidirectional layer's backward pass (nil for a layer of one pass).
        public var backward: Pass? = nil
        /// How a bidirectional layer's passes merge (nil for a layer of one pass).
        public var merge: LayerMerge? = nil

        private enum CodingKeys: String, CodingKey {
            case cell, backward, merge
            case units
            case inputSize = "input_size"
            case kernel
            case recurrentKernel = "recurrent_kernel"
            case bias
            case recurrentBias = "recurrent_bias"
        }
    }

    /// The weights of a bidirectional layer's backward pass (shapes as in ``Layer``).
    public struct Pass: Codable, Sendable, Equatable {
        /// `w x (blocks * u)`.
        public var kernel: [Double]
        /// `u x (blocks * u)`.
        public var recurrentKernel: [Double]
        /// `blocks * u`.
        public var bias: [Double]
        /// `u` values or empty.
        public var recurrentBias: [Double]

        private enum CodingKeys: String, CodingKey {
            case kernel
            case recurrentKernel = "recurrent_kernel"
            case bias
            case recurrentBias = "recurrent_bias"
        }
    }

    /// A ciphertext at the fresh level: a step's input, or a zero initial state (no `input`).
    public struct Fresh: Codable, Sendable, Equatable {
        /// The ciphertext.
        public var id: Int
        /// The step whose input it is; nil for a zero state, which the backend may keep as nothing.
        public var input: Int?
    }

    /// Ciphertexts refreshed by one bootstrap: member i sits at features `sum(widths[..<i])` onward
    /// of every image's window while packed.
    public struct Pack: Codable, Sendable, Equatable {
        /// The members, in slot order.
        public var ciphertexts: [Int]
        /// Each member's features in use (0..<width of the window).
        public var widths: [Int]
        /// Whether each member is zero past its width (``CiphertextGraph/zeroPadded``): packed as
        /// it is and masked after the bootstrap; the others are masked before and not after.
        public var zeroPadded: [Bool]

        private enum CodingKeys: String, CodingKey {
            case ciphertexts, widths
            case zeroPadded = "zero_padded"
        }
    }

    /// One operation.
    public struct Operation: Codable, Sendable, Equatable {
        /// `cell` (a node of the cell graph), `merge` (a bidirectional layer's two `h` into one: the
        /// backward one rotated beside the forward one, or added) or `dense` (the classifier on the
        /// last layer's `h`).
        public enum Kind: String, Codable, Sendable {
            case cell, merge, dense
        }

        /// What it computes (`step 3 layer 0 h~`).
        public var label: String
        /// Cell or Dense.
        public var kind: Kind
        /// Its layer (the last one for Dense).
        public var layer: Int
        /// The cell-graph node it computes (cell operations).
        public var node: Int?
        /// The pass whose weights it uses: 1 for a bidirectional layer's backward pass (absent: 0).
        public var pass: Int? = nil
        /// The values it reads, in `inputs` order (cell operations).
        public var reads: [String]?
        /// The ciphertexts it reads.
        public var inputs: [Int]
        /// The ciphertext it produces.
        public var output: Int
        /// The ciphertexts bootstrapped just before it.
        public var refresh: [Int]
        /// Ciphertexts packed side by side into one and bootstrapped together just before it (and
        /// before `refresh`), each with its features in use (``CiphertextSchedule/Pack``); absent
        /// when none.
        public var pack: [Pack]? = nil
        /// The polynomial of its activation site: Chebyshev coefficients (NumPy's convention) on `interval`.
        public var chebyshev: [Double]?
        /// The polynomial's interval `[lower, upper]`.
        public var interval: [Double]?
        /// Whether the interval's map onto [-1, 1] is folded into the weights and biases that make
        /// the activation's argument (``CellGraph/foldableSites``; absent: mapped by the series).
        public var fold: Bool? = nil
    }

    /// The job's format (``currentFormat``).
    public var format: Int
    /// Slots per image (a power of two, ``EncryptedCircuit/window(for:)``): every image's values sit
    /// in its window, and every matrix-vector product is a BSGS product over it.
    public var window: Int
    /// The cell every layer runs (the first layer's, where a layer names its own).
    public var cell: CellGraph
    /// Features per step.
    public var inputSize: Int
    /// Classes of the Dense head.
    public var classes: Int
    /// The recurrent layers.
    public var layers: [Layer]
    /// `units x classes` of the last layer.
    public var denseKernel: [Double]
    /// `classes`.
    public var denseBias: [Double]
    /// The ciphertexts that start at the fresh level.
    public var fresh: [Fresh]
    /// The operations, in evaluation order.
    public var operations: [Operation]
    /// The logits' ciphertext.
    public var logits: Int
    /// The images: each `timeSteps x inputSize` transformed features.
    public var images: [[Double]]
    /// Inputs encrypted, and weights encoded, at the level a bootstrap returns (fewer towers).
    public var inputsAtBootstrapLevel: Bool

    private enum CodingKeys: String, CodingKey {
        case format, window, cell
        case inputSize = "input_size"
        case classes, layers
        case denseKernel = "dense_kernel"
        case denseBias = "dense_bias"
        case fresh, operations, logits, images
        case inputsAtBootstrapLevel = "inputs_at_bootstrap_level"
    }

    /// The JSON the backend reads: snake-case keys, sorted (the run's fingerprint is taken over it).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    /// A job read from `data`.
    ///
    /// - Throws: ``DataError`` naming `source` for JSON that is not a job of ``currentFormat``.
    public static func decoded(from data: Data, source: String) throws -> EncryptedJob {
        let decoder = JSONDecoder()
        let job: EncryptedJob
        do {
            job = try decoder.decode(EncryptedJob.self, from: data)
        } catch let error as DecodingError {
            throw DataError(source, "is not an encrypted job: \(error.summary)", reason: .malformed)
        }
        guard job.format == currentFormat else {
            throw DataError(
                source, "is an encrypted job of format \(job.format); this Cellwise reads \(currentFormat)",
                reason: .unsupported)
        }
        return job
    }

    /// The cell layer `layer` runs.
    public func cell(ofLayer layer: Int) -> CellGraph { layers[layer].cell ?? cell }
}
