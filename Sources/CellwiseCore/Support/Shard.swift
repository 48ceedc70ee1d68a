/// A share of independent jobs (suite runs, ciphertext batches): those whose index is `index`
/// modulo `count`, so that shards can run on different machines and their results merge.
public struct Shard: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// 0-based.
    public var index: Int
    /// Number of shards.
    public var count: Int

    /// Every job.
    public static let all = Shard(index: 0, count: 1)

    /// A shard.
    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses `i/n` (0 <= i < n).
    ///
    /// - Throws: ``ConfigurationError`` naming `--shard`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1,
            (0..<count).contains(index)
        else {
            throw ConfigurationError(
                key: "--shard", problem: "expected i/n with 0 <= i < n (e.g. 0/4), got \"\(text)\"")
        }
        self.init(index: index, count: count)
    }

    /// Whether the job with this index is in the shard.
    public func contains(index job: Int) -> Bool { job % count == index }

    public var description: String { "\(index)/\(count)" }
}
