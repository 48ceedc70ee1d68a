/// One activation per site of a model (``SiteLayout``): for the paper's one-layer SimpleRNN,
/// one per cell.
///
/// Each site computes its own function (tanh or sigmoid), so a candidate in a plan names only
/// its degree, method and interval: `7w` at a GRU's update gate is the weighted sigmoid fit of
/// degree 7 (writing `s7w` there is allowed; `s7w` at a tanh site is an error).
///
/// Text forms, entries comma-separated, `D*K` repeating `D` `K` times, `t` the exact function:
///
/// | form | example (GRU, 1 layer, 20 steps) | meaning |
/// |---|---|---|
/// | one per site (exact) | `7,7,17,...` (60 entries) | site by site, in ``SiteLayout`` order |
/// | one per cell | `17*12,7*8` (20 entries) | every site of a step (and layer) |
/// | one | `17` | every site |
/// | per site kind | `z=3;r=3;h=17*12,7*8` | each kind's entries run over the cells, one entry for all |
///
/// For the paper's SimpleRNN the forms coincide: `17*24,7*4`. ``description`` writes the
/// shortest form.
public struct ActivationPlan: Hashable, Sendable, CustomStringConvertible {
    /// The activation of each site, in ``SiteLayout`` order.
    public var activations: [Activation]
    /// The model's sites.
    public let layout: SiteLayout

    /// Creates a plan from its activations, one per cell of a one-layer SimpleRNN.
    public init(_ activations: [Activation]) {
        self.activations = activations
        self.layout = SiteLayout(cell: .simpleRNN, layers: 1, timeSteps: activations.count)
    }

    /// Creates a plan from one activation per site of `layout`; each candidate takes its site's function.
    public init(_ activations: [Activation], layout: SiteLayout) {
        precondition(activations.count == layout.count, "a plan needs one activation per site")
        let functions = layout.functions
        self.activations = zip(activations, functions).map { activation, function in
            activation.candidate.map { .approximation($0.with(function: function)) } ?? .exact
        }
        self.layout = layout
    }

    /// The same activation in every cell of a one-layer SimpleRNN.
    public init(uniform activation: Activation, cells: Int) {
        self.init(Array(repeating: activation, count: cells))
    }

    /// The same activation (for each site's function) at every site of `layout`.
    public init(uniform activation: Activation, layout: SiteLayout) {
        self.init(Array(repeating: activation, count: layout.count), layout: layout)
    }

    /// Parses the text form for a one-layer SimpleRNN of `cells` cells.
    ///
    /// - Throws: ``PlanError`` naming the plan and the entry at fault.
    public init(parsing text: String, cells: Int) throws {
        try self.init(parsing: text, layout: SiteLayout(cell: .simpleRNN, layers: 1, timeSteps: cells))
    }

    /// Parses any text form for a model's sites.
    ///
    /// - Throws: ``PlanError`` naming the plan and the entry or count at fault.
    public init(parsing text: String, layout: SiteLayout) throws {
        let trimmed = text.filter { !$0.isWhitespace }
        guard !trimmed.isEmpty else { throw PlanError(plan: text, problem: "is empty") }
        var tokens = [Activation?](repeating: nil, count: layout.count)
        if trimmed.contains("=") {
            let kinds = layout.distinctKinds
            let siteKinds = layout.kinds
            for part in trimmed.split(separator: ";", omittingEmptySubsequences: false) {
                let pieces = part.split(separator: "=", omittingEmptySubsequences: false)
                guard pieces.count == 2, let kind = kinds.first(where: { $0.letter == pieces[0] }) else {
                    let whose = layout.cell.map { "the \($0.name)'s sites" } ?? "the model's sites"
                    throw PlanError(
                        plan: text,
                        problem: "part \"\(part)\" is not KIND=ENTRIES with KIND one of "
                            + kinds.map(\.letter).joined(separator: ", ") + " (\(whose))"
                    )
                }
                let sites = siteKinds.indices.filter { siteKinds[$0] == kind }
                let entries = try Self.entries(String(pieces[1]), plan: text)
                guard entries.count == 1 || entries.count == sites.count else {
                    throw PlanError(
                        plan: text,
                        problem: "gives \(kind) \(entries.count) entries; give 1 or one per cell with a \(kind) "
                            + "(\(sites.count))")
                }
                for (n, index) in sites.enumerated() {
                    guard tokens[index] == nil else { throw PlanError(plan: text, problem: "gives \(kind) twice") }
                    tokens[index] = entries.count == 1 ? entries[0] : entries[n]
                }
            }
            if let missing = tokens.firstIndex(where: { $0 == nil }) {
                throw PlanError(plan: text, problem: "gives no entry for \(layout.site(missing).kind)")
            }
        } else {
            let entries = try Self.entries(trimmed, plan: text)
            let perSite = layout.count
            let perCell = layout.cells
            let perStep = layout.timeSteps
            for index in 0..<perSite {
                switch entries.count {
                case perSite: tokens[index] = entries[index]
                case perCell: tokens[index] = entries[layout.cellIndex(ofSite: index)]
                case perStep: tokens[index] = entries[layout.cell(layout.cellIndex(ofSite: index)).step]
                case 1: tokens[index] = entries[0]
                default:
                    let forms =
                        perSite == perStep
                        ? "\(perSite)" : "one per site (\(perSite)), per cell (\(perCell)), per step (\(perStep))"
                    let shape = perSite == perStep ? "cells" : "sites"
                    throw PlanError(
                        plan: text,
                        problem: "has \(entries.count) \(perSite == perStep ? "cells" : "entries"), the model has "
                            + "\(perSite) \(shape)" + (perSite == perStep ? "" : ": give \(forms) or 1"))
                }
            }
        }
        let functions = layout.functions
        var activations = [Activation]()
        for (index, token) in tokens.enumerated() {
            guard let candidate = token?.candidate else {
                activations.append(.exact)
                continue
            }
            if candidate.function == .sigmoid && functions[index] == .tanh {
                throw PlanError(
                    plan: text,
                    problem: "gives \(layout.name(of: index)) a sigmoid candidate (\(candidate)); "
                        + "it computes tanh")
            }
            activations.append(.approximation(candidate.with(function: functions[index])))
        }
        self.activations = activations
        self.layout = layout
    }

    /// Parses the one-per-site text form, of any length, for a one-layer SimpleRNN.
    public init(parsing text: String) throws {
        let trimmed = text.filter { !$0.isWhitespace }
        guard !trimmed.isEmpty else { throw PlanError(plan: text, problem: "is empty") }
        guard !trimmed.contains("=") else {
            throw PlanError(plan: text, problem: "uses KIND= entries; those need the model's sites")
        }
        let count = try Self.entries(trimmed, plan: text).count
        try self.init(parsing: text, cells: count)
    }

    /// The entries of a comma-separated list with `D*K` repetitions.
    private static func entries(_ text: String, plan: String) throws -> [Activation] {
        var activations = [Activation]()
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = entry.split(separator: "*", omittingEmptySubsequences: false)
            guard !entry.isEmpty, parts.count <= 2 else {
                throw PlanError(plan: plan, problem: "entry \"\(entry)\" is not D or D*K")
            }
            let activation = try Self.activation(String(parts[0]), plan: plan)
            var repeats = 1
            if parts.count == 2 {
                guard let k = Int(parts[1]) else {
                    throw PlanError(plan: plan, problem: "repeat count \"\(parts[1])\" in \"\(entry)\" is not a number")
                }
                guard k >= 1 else {
                    throw PlanError(plan: plan, problem: "repeat count in \"\(entry)\" must be at least 1")
                }
                guard k <= 100_000 else {
                    throw PlanError(plan: plan, problem: "repeat count in \"\(entry)\" is too large")
                }
                repeats = k
            }
            activations += repeatElement(activation, count: repeats)
        }
        return activations
    }

    private static func activation(_ token: String, plan: String) throws -> Activation {
        if token == "t" || token == "tanh" || token == "exact" { return .exact }
        do {
            return .approximation(try Candidate(parsing: token))
        } catch let error as ConfigurationError {
            throw PlanError(plan: plan, problem: "has \(error.key): \(error.problem) (or t for the exact function)")
        }
    }

    /// The number of sites.
    public var count: Int { activations.count }

    /// The JSON form: one token per site (`t` for the exact function), without the function's
    /// prefix where the site implies it.
    public var tokens: [String] {
        // A plan has few distinct activations: each function's token of each is made once.
        let functions = layout.functions
        var made = [ActivationFunction: [Activation: String]]()
        return activations.enumerated().map { index, activation in
            let function = functions[index]
            if let token = made[function]?[activation] { return token }
            let token = activation.candidate.map { $0.function == function ? $0.siteToken : $0.description } ?? "t"
            made[function, default: [:]][activation] = token
            return token
        }
    }

    /// The shortest text form that parses back to this plan with the same layout.
    public var description: String {
        let tokens = self.tokens  // once: the forms below read it many times
        let perSite = Self.runLength(tokens)
        // One forward layer of a one-site cell: sites are cells are steps.
        guard layout.layers.count > 1 || layout.cells != layout.count || !layout.isStepMajor else { return perSite }
        var forms = [perSite]
        if Set(tokens).count == 1 { return tokens[0] }
        let cells = layout.cells
        let cellTokens = (0..<cells).map { Array(tokens[layout.cell($0).sites]) }
        if cellTokens.allSatisfy({ Set($0).count == 1 }) {
            let perCell = cellTokens.map { $0[0] }
            forms.append(Self.runLength(perCell))
            var steps = [String?](repeating: nil, count: layout.timeSteps)
            var uniform = true
            for (c, token) in perCell.enumerated() {
                let step = layout.cell(c).step
                if let seen = steps[step], seen != token { uniform = false }
                steps[step] = token
            }
            if uniform { forms.append(Self.runLength(steps.map { $0! })) }
        }
        let siteKinds = layout.kinds
        forms.append(
            layout.distinctKinds.map { kind in
                let list = siteKinds.indices.filter { siteKinds[$0] == kind }.map { tokens[$0] }
                return "\(kind)=" + (Set(list).count == 1 ? list[0] : Self.runLength(list))
            }.joined(separator: ";"))
        return forms.min { $0.count < $1.count } ?? perSite
    }

    /// `a,a,b` -> `a*2,b`.
    private static func runLength(_ tokens: [String]) -> String {
        var parts = [String]()
        var index = 0
        while index < tokens.count {
            var end = index + 1
            while end < tokens.count && tokens[end] == tokens[index] { end += 1 }
            let run = end - index
            parts.append(run == 1 ? tokens[index] : "\(tokens[index])*\(run)")
            index = end
        }
        return parts.joined(separator: ",")
    }

    /// The number of leading sites on which two plans agree.
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
