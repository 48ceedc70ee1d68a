/// One activation per RNN cell (time step).
///
/// The text form is comma-separated entries, each a candidate token (``Candidate``: `17`, `7w`,
/// `17m@-6:6`) or `t` (the exact function), with `D*K` repeating `D` `K` times: `17*24,7*4`,
/// `t*28`, `3w,7w,17w*26`. ``description`` writes the shortest such form.
public struct ActivationPlan: Hashable, Sendable, CustomStringConvertible {
    /// The activation of each cell, first cell first.
    public var activations: [Activation]

    /// Creates a plan from its activations.
    public init(_ activations: [Activation]) {
        self.activations = activations
    }

    /// The same activation in every cell.
    public init(uniform activation: Activation, cells: Int) {
        activations = Array(repeating: activation, count: cells)
    }

    /// Parses the text form and checks it has `cells` entries.
    ///
    /// - Throws: ``PlanError`` naming the plan and the entry at fault.
    public init(parsing text: String, cells: Int) throws {
        let plan = try Self(parsing: text)
        guard plan.activations.count == cells else {
            throw PlanError(plan: text, problem: "has \(plan.activations.count) cells, the model has \(cells)")
        }
        self = plan
    }

    /// Parses the text form, of any length.
    public init(parsing text: String) throws {
        let trimmed = text.filter { !$0.isWhitespace }
        guard !trimmed.isEmpty else { throw PlanError(plan: text, problem: "is empty") }
        var activations = [Activation]()
        for entry in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = entry.split(separator: "*", omittingEmptySubsequences: false)
            guard !entry.isEmpty, parts.count <= 2 else {
                throw PlanError(plan: text, problem: "entry \"\(entry)\" is not D or D*K")
            }
            let activation = try Self.activation(String(parts[0]), plan: text)
            var repeats = 1
            if parts.count == 2 {
                guard let k = Int(parts[1]) else {
                    throw PlanError(plan: text, problem: "repeat count \"\(parts[1])\" in \"\(entry)\" is not a number")
                }
                guard k >= 1 else {
                    throw PlanError(plan: text, problem: "repeat count in \"\(entry)\" must be at least 1")
                }
                guard k <= 100_000 else {
                    throw PlanError(plan: text, problem: "repeat count in \"\(entry)\" is too large")
                }
                repeats = k
            }
            activations += repeatElement(activation, count: repeats)
        }
        self.activations = activations
    }

    private static func activation(_ token: String, plan: String) throws -> Activation {
        if token == "t" || token == "tanh" || token == "exact" { return .exact }
        do {
            return .approximation(try Candidate(parsing: token))
        } catch let error as ConfigurationError {
            throw PlanError(plan: plan, problem: "has \(error.key): \(error.problem) (or t for the exact function)")
        }
    }

    /// The number of cells.
    public var count: Int { activations.count }

    /// The JSON form: one token per cell (`t` for the exact function).
    public var tokens: [String] { activations.map(\.description) }

    /// The shortest text form, runs written as `D*K`.
    public var description: String {
        var parts = [String]()
        var index = 0
        while index < activations.count {
            var end = index + 1
            while end < activations.count && activations[end] == activations[index] { end += 1 }
            let run = end - index
            parts.append(run == 1 ? activations[index].description : "\(activations[index])*\(run)")
            index = end
        }
        return parts.joined(separator: ",")
    }

    /// The number of leading cells on which two plans agree.
    public func sharedPrefixLength(with other: ActivationPlan) -> Int {
        zip(activations, other.activations).prefix { $0 == $1 }.count
    }

    /// Every distinct polynomial degree in the plan, ascending.
    public var degrees: [Int] {
        Set(activations.compactMap(\.degree)).sorted()
    }

    /// Every distinct candidate in the plan, in cost order.
    public var candidates: [Candidate] {
        Set(activations.compactMap(\.candidate)).sorted()
    }
}

/// A malformed plan, naming the plan text and what is wrong.
public struct PlanError: Error, CustomStringConvertible, Equatable {
    /// The plan as given.
    public var plan: String
    /// What is wrong with it.
    public var problem: String

    /// Creates an error about `plan`.
    public init(plan: String, problem: String) {
        self.plan = plan
        self.problem = problem
    }

    public var description: String { "plan \"\(plan)\" \(problem)" }
}
