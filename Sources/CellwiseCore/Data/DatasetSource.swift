import Foundation

/// Where a data set's images come from.
///
/// On the command line a source is `mnist5k`, `fashion`, or a path: a CSV file in the mnist5k
/// layout, a directory holding the four MNIST-style IDX files, or an IDX image file whose label
/// file sits beside it (`...-images-idx3-ubyte[.gz]` with `...-labels-idx1-ubyte[.gz]`).
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

    /// Where Debian's dataset-fashion-mnist installs its files.
    static let fashionDirectory = "/usr/share/datasets/fashion-mnist"

    /// Parses a command-line or model-file dataset argument.
    public init(argument: String) throws {
        switch argument {
        case "mnist5k": self = .mnist5k
        case "fashion": self = .fashion
        case "": throw DataError("--dataset", "empty dataset name")
        default:
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                throw DataError(
                    argument,
                    "no such file or directory (expected mnist5k, fashion, a CSV file, an IDX file or a directory of "
                        + "IDX files)"
                )
            }
            if isDirectory.boolValue {
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
            } else {
                self = .csv(path: argument)
            }
        }
    }

    /// The argument that recreates this source.
    public var description: String {
        switch self {
        case .mnist5k: "mnist5k"
        case .fashion: "fashion"
        case .csv(let path), .idxDirectory(let path): path
        case .idxPair(let images, _): images
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

    /// Finds `data/mnist-5k.csv.gz`: `$CELLWISE_DATA`, then `./data`, then the checkout this
    /// binary was built from.
    static func locateMNISTSample() throws -> String {
        let name = "mnist-5k.csv.gz"
        var candidates = [String]()
        if let directory = ProcessInfo.processInfo.environment["CELLWISE_DATA"] {
            candidates.append((directory as NSString).appendingPathComponent(name))
        }
        candidates.append("data/\(name)")
        let checkout = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(checkout.appendingPathComponent("data").appendingPathComponent(name).path)
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            return found
        }
        throw DataError(
            name, "not found (looked in \(candidates.joined(separator: ", ")); set CELLWISE_DATA to its directory)")
    }
}
