extension Duration {
    /// The duration in milliseconds, as a `Double`.
    public var milliseconds: Double { inSeconds * 1e3 }

    /// The duration in seconds, as a `Double` (for progress and timing reports).
    public var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
