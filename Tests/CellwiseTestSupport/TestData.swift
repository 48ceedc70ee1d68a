import Cellwise
import Foundation

/// Small synthetic data and temporary files for tests.
public enum TestData {
    /// `count` random images with labels cycling through 0-9.
    public static func images(count: Int, seed: UInt64 = 7) throws -> LabeledImages {
        var generator = SeededGenerator(seed: seed)
        let pixels = (0..<(count * LabeledImages.pixelCount)).map { _ in UInt8(generator.next() % 256) }
        let labels = (0..<count).map { UInt8($0 % 10) }
        return try LabeledImages(pixels: pixels, labels: labels, source: "test")
    }

    /// A split of random images.
    public static func split(count: Int, seed: UInt64 = 7) throws -> DataSplit {
        DataSplit(name: .validation, images: try images(count: count, seed: seed))
    }

    /// A fresh temporary directory.
    public static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cellwise-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `images` in the mnist5k CSV layout.
    public static func csv(_ images: LabeledImages) -> String {
        (0..<images.count).map { i in
            let row = images.pixels[(i * LabeledImages.pixelCount)..<((i + 1) * LabeledImages.pixelCount)]
            return (row.map(String.init) + [String(images.labels[i])]).joined(separator: ",")
        }.joined(separator: "\n") + "\n"
    }

    /// An IDX image file's bytes.
    public static func idxImages(_ images: LabeledImages, rows: Int = 28, columns: Int = 28, magic: UInt32 = 0x803)
        -> [UInt8]
    {
        bigEndian(magic) + bigEndian(UInt32(images.count)) + bigEndian(UInt32(rows)) + bigEndian(UInt32(columns))
            + images.pixels
    }

    /// An IDX label file's bytes.
    public static func idxLabels(_ labels: [UInt8], magic: UInt32 = 0x801) -> [UInt8] {
        bigEndian(magic) + bigEndian(UInt32(labels.count)) + labels
    }

    public static func bigEndian(_ value: UInt32) -> [UInt8] {
        [24, 16, 8, 0].map { UInt8((value >> $0) & 0xFF) }
    }

    /// Writes bytes to `name` in `directory`, gzip-compressed (by the system's gzip) when asked.
    @discardableResult
    public static func write(_ bytes: [UInt8], to name: String, in directory: URL, gzip: Bool = false) throws -> String
    {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        guard gzip else { return url.path }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-n", "-f", url.path]
        try process.run()
        process.waitUntilExit()
        return url.path + ".gz"
    }

    /// The root of the Cellwise checkout the tests were built from.
    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// The Python of `make test` (NumPy, SciPy, onnx, jsonschema, ...): `CELLWISE_PYTHON`, else
    /// `.build/python-venv`; nil when neither is there.
    public static var python: String? {
        let candidates: [String?] = [
            ProcessInfo.processInfo.environment["CELLWISE_PYTHON"],
            repositoryRoot.appendingPathComponent(".build/python-venv/bin/python").path,
        ]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The Python with PyTorch of `make test` (torch, onnx, onnxscript, onnxruntime):
    /// `CELLWISE_TORCH_PYTHON`, else `.build/torch-venv`; nil when neither is there.
    public static var torchPython: String? {
        let candidates: [String?] = [
            ProcessInfo.processInfo.environment["CELLWISE_TORCH_PYTHON"],
            repositoryRoot.appendingPathComponent(".build/torch-venv/bin/python").path,
        ]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The fixture directory of the core tests (`Tests/CellwiseCoreTests/Fixtures`).
    public static var fixtures: URL {
        repositoryRoot.appendingPathComponent("Tests/CellwiseCoreTests/Fixtures")
    }

    /// The text of a comparison config (the layout of configs/README.md) with the given parts;
    /// `training` is the body of a `[training]` section (none when nil).
    public static func comparisonConfig(
        name: String, seed: Int = 1, model: String, dataset: String, training: String? = nil, tolerance: Double = 0.05,
        budget: Int, seeds: [Int] = [1, 2], strategies: [String], extra: String = "", modelSha256: String? = nil
    ) -> String {
        """
        name = "\(name)"
        seed = \(seed)
        [model]
        file = "\(model)"
        dataset = "\(dataset)"\(modelSha256.map { "\nsha256 = \"\($0)\"" } ?? "")
        \(training.map { "[training]\n\($0)" } ?? "")
        [approximation]
        degrees = [3, 7, 17]
        interval = [-8.0, 8.0]
        [cost]
        profile = "heaan-fgb"
        depth = "ideal"
        placement = "greedy"
        [search]
        tolerance = \(tolerance)
        tolerance_mode = "relative"
        budget = \(budget)
        seeds = [\(seeds.map(String.init).joined(separator: ", "))]
        strategies = [\(strategies.map { "\"\($0)\"" }.joined(separator: ", "))]
        \(extra)
        """
    }
}
