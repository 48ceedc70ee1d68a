extension Array where Element == Double {
    /// The median (mean of the middle two for an even count); 0 for an empty array.
    public var median: Double {
        guard !isEmpty else { return 0 }
        let sorted = self.sorted()
        return count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2
    }
}
