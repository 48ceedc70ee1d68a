import Foundation

/// Where a data set's samples come from.
///
/// On the command line a source is `mnist5k`, `fashion`, a time-series problem shipped in
/// `data/timeseries` (`JapaneseVowels`, `BasicMotions`, `ItalyPowerDemand`), or a path: a CSV
/// file in the mnist5k layout, a directory holding the four MNIST-style IDX files, an IDX image
/// file whose label file sits beside it (`...-images-idx3-ubyte[.gz]` with
/// `...-labels-idx1-ubyte[.gz]`), a `NAME_TRAIN.ts[.gz]` file with `NAME_TEST.ts[.gz]` beside it, or a
/// NumPy data set (an `.npz` file, or a directory of `.npy` files, holding `x_train`, `y_train`,
/// `x_test`, `y_test`).
public enum DatasetSource: Equatable, Sendable, CustomStringConvertible {
    /// The 5,000-digit MNIST sample shipped in `data/mnist-5k.csv.gz`.
    case mnist5k
    /// Fashion-MNIST as installed by Debian's `dataset-fashion-mnist`.
    case fashion
    /// A CSV file in the mnist5k layout (split 60/20/20).
    case csv(path: String)
    /// A directory with `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
    /// `t10k-images-idx3-ubyte` and `t10k-labels-idx1-ubyte` (each optionally `.gz`).
    case idxDirectory(path: String)
    /// One IDX image file and its label file (split 60/20/20).
    case idxPair(images: String, labels: String)
    /// A `.ts` training file and the test file beside it; `name` is the shipped problem's name
    /// when it came from `data/timeseries`.
    case series(train: String, test: String, name: String?)
    /// NumPy arrays `x_train`, `y_train`, `x_test`, `y_test` in an `.npz` file or a directory of `.npy` files.
    case numpy(path: String)

    /// The time-series problems shipped in `data/timeseries`.
    public static let shippedSeries = ["JapaneseVowels", "BasicMotions", "ItalyPowerDemand"]

    /// Where Debian's dataset-fashion-mnist installs its files.
    static let fashionDirectory = "/usr/share/datasets/fashion-mnist"

    /// Parses a command-line or model-file dataset argument.
    public init(argument: String) throws {
        switch argument {
        case "mnist5k": self = .mnist5k
        case "fashion": self = .fashion
        case "": throw DataError("--dataset", "empty dataset name")
        case let name where Self.shippedSeries.contains(name):
            let train = try Self.locateData("timeseries/\(name)_TRAIN.ts.gz")
            self = .series(
                train: train, test: train.replacingOccurrences(of: "_TRAIN.ts", with: "_TEST.ts"), name: name)
        default:
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                throw DataError(
                    argument,
                    "no such file or directory (expected mnist5k, fashion, a CSV file, an IDX file or a directory of "
                        + "IDX files)", reason: .missing)
            }
            let isNumPyDirectory =
                isDirectory.boolValue
                && ((try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []).contains {
                    $0.lowercased() == "x_train.npy"
                }
            if isNumPyDirectory || argument.hasSuffix(".npz") {
                self = .numpy(path: argument)
            } else if isDirectory.boolValue {
                self = .idxDirectory(path: argument)
            } else if argument.contains("idx3-ubyte") {
                let labels = argument.replacingOccurrences(of: "images-idx3-ubyte", with: "labels-idx1-ubyte")
                guard labels != argument else {
                    throw DataError(
                        argument,
                        "cannot find the label file: name the images ...-images-idx3-ubyte with ...-labels-idx1-ubyte "
                            + "beside them"
                    )
                }
                self = .idxPair(images: argument, labels: labels)
            } else if argument.hasSuffix(".ts") || argument.hasSuffix(".ts.gz") {
                guard argument.contains("_TRAIN.ts") else {
                    throw DataError(
                        argument, "name the training file NAME_TRAIN.ts[.gz], with NAME_TEST.ts[.gz] beside it")
                }
                let test = argument.replacingOccurrences(of: "_TRAIN.ts", with: "_TEST.ts")
                guard FileManager.default.fileExists(atPath: test) else {
                    throw DataError(test, "no such file (the test split of \(argument))", reason: .missing)
                }
                self = .series(train: argument, test: test, name: nil)
            } else {
                self = .csv(path: argument)
            }
        }
    }

    /// Whether the samples are 28x28 images (read row by row) rather than series.
    public var isImages: Bool {
        switch self {
        case .series, .numpy: false
        default: true
        }
    }

    /// The argument that recreates this source.
    public var description: String {
        switch self {
        case .mnist5k: "mnist5k"
        case .fashion: "fashion"
        case .csv(let path), .idxDirectory(let path), .numpy(let path): path
        case .idxPair(let images, _): images
        case .series(let train, _, let name): name ?? train
        }
    }

    /// Reads the images and makes the seeded splits.
    ///
    /// - Throws: ``DataError`` naming the file at fault.
    public func load(splitSeed: UInt64) throws -> Dataset {
        switch self {
        case .mnist5k:
            return try Dataset(source: self, pool: CSVFormat.read(try Self.locateMNISTSample()), seed: splitSeed)
        case .csv(let path):
            return try Dataset(source: self, pool: CSVFormat.read(path), seed: splitSeed)
        case .idxPair(let images, let labels):
            return try Dataset(source: self, pool: IDXFormat.read(images: images, labels: labels), seed: splitSeed)
        case .fashion:
            guard FileManager.default.fileExists(atPath: Self.fashionDirectory) else {
                throw DataError(
                    Self.fashionDirectory, "Fashion-MNIST is not installed (apt-get install -y dataset-fashion-mnist)")
            }
            return try Self.loadDirectory(Self.fashionDirectory, source: self, seed: splitSeed)
        case .idxDirectory(let path):
            return try Self.loadDirectory(path, source: self, seed: splitSeed)
        case .numpy(let path):
            let (training, test) = try NumPyDataset.read(path)
            return try Dataset(source: self, training: training, test: test, seed: splitSeed)
        case .series(let train, let test, _):
            return try Dataset(
                source: self, training: TimeSeriesFormat.read(train), test: TimeSeriesFormat.read(test), seed: splitSeed
            )
        }
    }

    private static func loadDirectory(_ directory: String, source: DatasetSource, seed: UInt64) throws -> Dataset {
        func file(_ stem: String) throws -> String {
            for name in [stem, stem + ".gz"] {
                let path = (directory as NSString).appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: path) { return path }
            }
            throw DataError(directory, "missing \(stem) (or \(stem).gz)")
        }
        let training = try IDXFormat.read(
            images: file("train-images-idx3-ubyte"), labels: file("train-labels-idx1-ubyte"))
        let test = try IDXFormat.read(images: file("t10k-images-idx3-ubyte"), labels: file("t10k-labels-idx1-ubyte"))
        return try Dataset(source: source, training: training, test: test, seed: seed)
    }

    /// Finds `data/mnist-5k.csv.gz`.
    static func locateMNISTSample() throws -> String {
        try locateData("mnist-5k.csv.gz")
    }

    /// Finds `name` under `data/`: `$CELLWISE_DATA`, then `./data`, then the ``Installation``'s.
    static func locateData(_ name: String) throws -> String {
        var candidates = [String]()
        if let directory = ProcessInfo.processInfo.environment["CELLWISE_DATA"], !directory.isEmpty {
            candidates.append((directory as NSString).appendingPathComponent(name))
        }
        candidates.append("data/\(name)")
        if let installation = try? Installation.current() { candidates.append(installation.resource("data/\(name)")) }
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            return found
        }
        throw DataError(
            name, "not found (looked in \(candidates.joined(separator: ", ")); set CELLWISE_DATA to its directory)")
    }
}
