extension DataSplit {
    /// This split's samples followed by `other`'s, as one split called `name` (e.g. the training
    /// and validation images a search may score plans on).
    ///
    /// - Throws: ``DataError`` when the splits differ in steps, features per step or classes.
    public func joined(with other: DataSplit, name: SplitName) throws -> DataSplit {
        guard timeSteps == other.timeSteps, featureCount == other.featureCount, classCount == other.classCount else {
            throw DataError(
                "\(self.name.rawValue)+\(other.name.rawValue)",
                "the splits differ in shape (\(timeSteps)x\(featureCount), \(classCount) classes and "
                    + "\(other.timeSteps)x\(other.featureCount), \(other.classCount) classes)")
        }
        return DataSplit(
            name: name, features: features + other.features, labels: labels + other.labels, timeSteps: timeSteps,
            featureCount: featureCount, classCount: classCount, lengths: lengths + other.lengths)
    }
}
