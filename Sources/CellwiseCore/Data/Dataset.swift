/// The three splits of a data set.
public enum SplitName: String, CaseIterable, Codable, Sendable {
    /// Used to fit the weights.
    case train
    /// Used for early stopping and by the searches.
    case validation
    /// Used for reporting only.
    case test
}

/// One split as model input: each image is `timeSteps` rows of `featureCount` pixels in [0, 1].
public struct DataSplit: Sendable {
    /// Time steps per sample (image rows).
    public static let timeSteps = LabeledImages.side
    /// Features per time step (pixels per row).
    public static let featureCount = LabeledImages.side

    /// Which split this is.
    public let name: SplitName
    /// `count * timeSteps * featureCount` values in [0, 1], sample-major.
    public let features: [Float]
    /// One class label per sample.
    public let labels: [UInt8]

    /// The number of samples.
    public var count: Int { labels.count }

    /// Scales the images' pixels to [0, 1].
    public init(name: SplitName, images: LabeledImages) {
        self.name = name
        self.features = images.pixels.map { Float($0) / 255 }
        self.labels = images.labels
    }
}

/// A data set split into train, validation and test samples by a seeded shuffle.
public struct Dataset: Sendable {
    /// Where the images came from.
    public let source: DatasetSource
    /// The seed of the shuffle that made the splits.
    public let splitSeed: UInt64
    /// Training samples.
    public let train: DataSplit
    /// Validation samples (early stopping, searches).
    public let validation: DataSplit
    /// Test samples (reporting only).
    public let test: DataSplit

    /// The split called `name`.
    public func split(_ name: SplitName) -> DataSplit {
        switch name {
        case .train: train
        case .validation: validation
        case .test: test
        }
    }

    /// Splits one pool of images 60/20/20 into train, validation and test (mnist5k: 3,000 /
    /// 1,000 / 1,000) after a shuffle with `seed`.
    public init(source: DatasetSource, pool: LabeledImages, seed: UInt64) throws {
        let n = pool.count
        guard n >= 5 else { throw DataError(source.description, "\(n) images; at least 5 are needed to split") }
        var generator = SeededGenerator(seed: seed)
        let order = generator.permutation(n)
        let held = n / 5
        let trainCount = n - 2 * held
        self.source = source
        self.splitSeed = seed
        train = DataSplit(name: .train, images: pool.subset(order[0..<trainCount]))
        validation = DataSplit(name: .validation, images: pool.subset(order[trainCount..<(trainCount + held)]))
        test = DataSplit(name: .test, images: pool.subset(order[(trainCount + held)...]))
    }

    /// Keeps `test` as the test split and splits `training` into train and validation, one
    /// twelfth for validation (Fashion-MNIST: 55,000 / 5,000), after a shuffle with `seed`.
    public init(source: DatasetSource, training: LabeledImages, test: LabeledImages, seed: UInt64) throws {
        let n = training.count
        guard n >= 2, test.count >= 1 else {
            throw DataError(source.description, "too few images to split (\(n) training, \(test.count) test)")
        }
        var generator = SeededGenerator(seed: seed)
        let order = generator.permutation(n)
        let held = max(1, n / 12)
        self.source = source
        self.splitSeed = seed
        train = DataSplit(name: .train, images: training.subset(order[0..<(n - held)]))
        validation = DataSplit(name: .validation, images: training.subset(order[(n - held)...]))
        self.test = DataSplit(name: .test, images: test)
    }
}

extension DataSplit {
    /// A split from raw features and labels (already scaled).
    public init(name: SplitName, features: [Float], labels: [UInt8]) {
        self.name = name
        self.features = features
        self.labels = labels
    }
}
extension SplitName: ConfigurationChoice {}
