/// The three splits of a data set.
public enum SplitName: String, CaseIterable, Codable, Sendable {
    /// Used to fit the weights.
    case train
    /// Used for early stopping and by the searches.
    case validation
    /// Used for reporting only.
    case test
}

/// One split as model input: `count` samples of `timeSteps` steps of `featureCount` values,
/// sample-major, each with its class label and its length.
///
/// Images are 28 rows of 28 pixels scaled to [0, 1]. Series shorter than `timeSteps` are
/// pre-padded: a sample of length `n` fills the last `n` steps and zeros the ones before
/// (``InputTransform`` standardises the real steps and keeps the padding zero).
public struct DataSplit: Sendable {
    /// Which split this is.
    public let name: SplitName
    /// Steps per sample (the longest sample's length).
    public let timeSteps: Int
    /// Values per step (pixels per row, channels).
    public let featureCount: Int
    /// The number of classes of the data set (labels are `0..<classCount`).
    public let classCount: Int
    /// `count * timeSteps * featureCount` values, sample-major, pre-padded.
    public let features: [Float]
    /// Each sample's real length (`timeSteps` for images).
    public let lengths: [Int]
    /// One class label per sample.
    public let labels: [UInt8]

    /// The number of samples.
    public var count: Int { labels.count }

    /// Scales the images' pixels to [0, 1]: 28 steps of 28 features, 10 classes.
    public init(name: SplitName, images: LabeledImages) {
        self.init(
            name: name, features: images.pixels.map { Float($0) / 255 }, labels: images.labels,
            timeSteps: LabeledImages.side, featureCount: LabeledImages.side, classCount: LabeledImages.classCount)
    }

    /// A split from features already laid out (pre-padded), with every sample `timeSteps` long
    /// unless `lengths` says otherwise.
    public init(
        name: SplitName, features: [Float], labels: [UInt8], timeSteps: Int = LabeledImages.side,
        featureCount: Int = LabeledImages.side, classCount: Int = LabeledImages.classCount, lengths: [Int]? = nil
    ) {
        precondition(features.count == labels.count * timeSteps * featureCount, "features do not match the shape")
        self.name = name
        self.features = features
        self.labels = labels
        self.timeSteps = timeSteps
        self.featureCount = featureCount
        self.classCount = classCount
        self.lengths = lengths ?? Array(repeating: timeSteps, count: labels.count)
    }

    /// The cases of `series` at `indices`, pre-padded to `timeSteps`.
    init(name: SplitName, series: LabeledSeries, indices: some Collection<Int>, timeSteps: Int, classCount: Int) {
        let f = series.channels
        var features = [Float](repeating: 0, count: indices.count * timeSteps * f)
        var labels = [UInt8]()
        var lengths = [Int]()
        for (row, index) in indices.enumerated() {
            let sample = series.cases[index]
            let offset = timeSteps - sample.length
            for (channel, values) in sample.values.enumerated() {
                for (step, value) in values.enumerated() {
                    features[(row * timeSteps + offset + step) * f + channel] = value
                }
            }
            labels.append(UInt8(sample.label))
            lengths.append(sample.length)
        }
        self.init(
            name: name, features: features, labels: labels, timeSteps: timeSteps, featureCount: f,
            classCount: classCount, lengths: lengths)
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

extension Dataset {
    /// Keeps the archive's `test` file as the test split and splits `training` into train and
    /// validation, one fifth for validation (JapaneseVowels: 216 / 54), after a shuffle with
    /// `seed`. Every split is pre-padded to the longest case of either file.
    ///
    /// - Throws: ``DataError`` when the files disagree on channels or class labels.
    public init(source: DatasetSource, training: LabeledSeries, test: LabeledSeries, seed: UInt64) throws {
        let n = training.cases.count
        guard n >= 2, !test.cases.isEmpty else {
            throw DataError(source.description, "too few cases to split (\(n) training, \(test.cases.count) test)")
        }
        guard training.channels == test.channels else {
            throw DataError(
                source.description,
                "the training file has \(training.channels) channels, the test file \(test.channels)")
        }
        guard training.classNames == test.classNames else {
            throw DataError(
                source.description,
                "the training and test files name different classes (\(training.classNames.joined(separator: " ")) "
                    + "and \(test.classNames.joined(separator: " ")))")
        }
        guard training.classNames.count <= 256 else {
            throw DataError(source.description, "\(training.classNames.count) classes; at most 256 are supported")
        }
        let steps = (training.cases + test.cases).map(\.length).max() ?? 1
        let classes = training.classNames.count
        var generator = SeededGenerator(seed: seed)
        let order = generator.permutation(n)
        let held = max(1, n / 5)
        self.source = source
        self.splitSeed = seed
        train = DataSplit(
            name: .train, series: training, indices: order[0..<(n - held)], timeSteps: steps, classCount: classes)
        validation = DataSplit(
            name: .validation, series: training, indices: order[(n - held)...], timeSteps: steps, classCount: classes)
        self.test = DataSplit(
            name: .test, series: test, indices: test.cases.indices, timeSteps: steps, classCount: classes)
    }
}

extension SplitName: ConfigurationChoice {}
