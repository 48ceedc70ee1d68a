import CellwiseCore

/// How a search decides that a plan is within tolerance: which images it scores plans on, and
/// whether it credits a plan with its measured accuracy (the paper's plain rule) or with a lower
/// confidence bound of it.
///
/// A plan chosen among thousands by its accuracy on one split overfits that split: its accuracy
/// there is the best of many noisy measurements. Two remedies are offered, alone or together:
///
/// - ``Kind/pairedBound(confidence:)``: the plan is credited with the baseline's accuracy plus a
///   one-sided lower confidence bound of the paired accuracy difference (per-sample agreement
///   with the baseline plan, McNemar-style; see ``PairedBoundOracle``), so that a plan is within
///   tolerance only when its loss is below the tolerance with that confidence.
/// - ``SearchSplit/trainAndValidation``: plans are scored on the training and validation images
///   together. The weights do not change during a search, so the training images are legitimate
///   for choosing approximations, and 4x (mnist5k) more images mean less noise.
///
/// The score a strategy sees (``PlanScore/accuracy``) is what the rule credits; the tolerance is
/// applied to it unchanged. The reference plan's score is its plain accuracy on the search split
/// under every rule (it agrees with itself on every sample).
///
/// ```swift
/// let rule = try AcceptanceRule(kind: .pairedBound(confidence: 0.95), split: .trainAndValidation)
/// rule.description  // "paired 0.95 on train+validation"
/// ```
public struct AcceptanceRule: Sendable, Equatable, Codable, CustomStringConvertible {
    /// What a plan is credited with.
    public enum Kind: Sendable, Equatable, Codable {
        /// Its accuracy on the search split (the paper's rule).
        case plain
        /// The baseline's accuracy plus a one-sided lower `confidence` bound of the paired
        /// accuracy difference to the baseline plan.
        case pairedBound(confidence: Double)
    }

    /// The images plans are scored on.
    public enum SearchSplit: String, Sendable, Codable, CaseIterable {
        /// The validation split (the paper's).
        case validation
        /// The training and validation splits together.
        case trainAndValidation = "train+validation"
    }

    /// What a plan is credited with.
    public var kind: Kind
    /// The images plans are scored on.
    public var split: SearchSplit

    /// The paper's rule: validation accuracy, as measured.
    public static let plain = AcceptanceRule(unchecked: .plain, split: .validation)

    /// Creates a rule.
    ///
    /// - Throws: ``ConfigurationError`` (key `confidence`) unless a paired bound's confidence is
    ///   in [0.5, 1).
    public init(kind: Kind, split: SearchSplit = .validation) throws {
        if case .pairedBound(let confidence) = kind {
            guard confidence >= 0.5, confidence < 1, confidence.isFinite else {
                throw ConfigurationError(key: "confidence", problem: "must be in [0.5, 1), got \(confidence)")
            }
        }
        self.init(unchecked: kind, split: split)
    }

    private init(unchecked kind: Kind, split: SearchSplit) {
        self.kind = kind
        self.split = split
    }

    /// Whether this is the paper's rule.
    public var isPlain: Bool { self == .plain }

    /// `plain`, `paired 0.95`, each followed by ` on train+validation` when scored there.
    public var description: String {
        let what =
            switch kind {
            case .plain: "plain"
            case .pairedBound(let confidence): "paired \(confidence)"
            }
        return split == .validation ? what : "\(what) on \(split.rawValue)"
    }

    /// The split plans are scored on: the validation split, or the training and validation
    /// splits joined (named `validation`, the searches' split).
    public func searchSplit(of dataset: Dataset) throws -> DataSplit {
        switch split {
        case .validation: dataset.validation
        case .trainAndValidation: try dataset.train.joined(with: dataset.validation, name: .validation)
        }
    }
}

extension AcceptanceRule.SearchSplit: ConfigurationChoice {}
