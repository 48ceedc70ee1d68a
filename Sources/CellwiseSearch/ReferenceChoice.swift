import CellwiseCore

/// What the accuracy tolerance is measured against.
public enum ReferenceChoice: String, Sendable, Codable, CaseIterable {
    /// The reference plan: the most expensive candidate in every cell (the paper's).
    case highest
    /// The exact model (every activation exact): a plan must stay within tolerance of what the
    /// network does without approximation.
    case exact
}

extension ReferenceChoice: ConfigurationChoice {}
