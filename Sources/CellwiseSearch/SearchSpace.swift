import CellwiseCKKS
import CellwiseCore
import Foundation

/// The plans a search may visit: each free cell takes one of the candidates; the other cells keep
/// the most expensive one.
///
/// A "cell" of the space is one activation site of the model (``SiteLayout``): for the paper's
/// SimpleRNN a time step, for a GRU or LSTM each gate of each step of each layer. Candidates
/// take each site's own function (a `7w` is the weighted tanh fit at a tanh site and the
/// weighted sigmoid fit at a gate), so strategies work over sites whatever the model.
///
/// Candidates are kept in cost order (``Candidate``'s order: by degree, which is what the cost
/// model prices), so a strategy never needs to know what a candidate is: a lower index is a
/// cheaper choice, and the last is the reference plan's.
public struct SearchSpace: Sendable, Equatable {
    /// Positions a strategy fills: the model's activation sites.
    public let cells: Int
    /// The model's sites.
    public let layout: SiteLayout
    /// The candidates, cheapest first (the last is the reference plan's).
    public let candidates: [Candidate]
    /// The cells a strategy may change, ascending.
    public let freeCells: [Int]

    /// Creates a space of the paper's candidates (uniform least squares of each degree).
    ///
    /// - Throws: ``ConfigurationError`` for an empty or invalid degree list or cell set.
    public init(cells: Int, degrees: [Int], freeCells: [Int]? = nil) throws {
        try self.init(
            layout: SiteLayout(cell: .simpleRNN, layers: 1, timeSteps: cells), degrees: degrees, freeCells: freeCells)
    }

    /// Creates a space of the paper's candidates over a model's sites.
    public init(layout: SiteLayout, degrees: [Int], freeCells: [Int]? = nil) throws {
        guard !degrees.isEmpty else { throw ConfigurationError(key: "degrees", problem: "give at least one degree") }
        if let bad = degrees.first(where: { !(1...Activation.maximumDegree).contains($0) }) {
            throw ConfigurationError(key: "degrees", problem: "degree \(bad) is outside 1-\(Activation.maximumDegree)")
        }
        try self.init(layout: layout, candidates: degrees.map(Candidate.init(degree:)), freeCells: freeCells)
    }

    /// Creates a space of `candidates` for a one-layer SimpleRNN of `cells` cells.
    public init(cells: Int, candidates: [Candidate], freeCells: [Int]? = nil) throws {
        try self.init(
            layout: SiteLayout(cell: .simpleRNN, layers: 1, timeSteps: cells), candidates: candidates,
            freeCells: freeCells)
    }

    /// Creates a space of `candidates` (put in cost order, duplicates removed) over a model's sites.
    ///
    /// - Throws: ``ConfigurationError`` for an empty candidate list, a candidate naming a
    ///   function (each site has its own), or an invalid cell set.
    public init(layout: SiteLayout, candidates: [Candidate], freeCells: [Int]? = nil) throws {
        if let named = candidates.first(where: { $0.function != .tanh }) {
            throw ConfigurationError(
                key: "candidates",
                problem: "\(named) names a function; each site uses its own (write \(named.siteToken))")
        }
        let cells = layout.count
        let sorted = Array(Set(candidates)).sorted()
        guard !sorted.isEmpty else {
            throw ConfigurationError(key: "candidates", problem: "give at least one candidate")
        }
        let free = Array(Set(freeCells ?? Array(0..<cells))).sorted()
        if let bad = free.first(where: { !(0..<cells).contains($0) }) {
            throw ConfigurationError(key: "cells", problem: "cell \(bad) is outside 0-\(cells - 1)")
        }
        guard !free.isEmpty else { throw ConfigurationError(key: "cells", problem: "no cell is free to change") }
        self.cells = cells
        self.layout = layout
        self.candidates = sorted
        self.freeCells = free
    }

    /// The most expensive candidate (the reference plan's).
    public var highest: Candidate { candidates[candidates.count - 1] }

    /// The candidates' degrees, in cost order (they repeat when candidates share a degree).
    public var degrees: [Int] { candidates.map(\.degree) }

    /// The reference plan: the most expensive candidate in every cell.
    public var reference: ActivationPlan { ActivationPlan(uniform: .approximation(highest), layout: layout) }

    /// The plan with `genes[i]` (an index into ``candidates``) in free cell i, the most expensive
    /// candidate elsewhere.
    public func plan(genes: [Int]) -> ActivationPlan {
        var plan = reference
        let functions = layout.functions
        for (cell, gene) in zip(freeCells, genes) {
            plan.activations[cell] = .approximation(candidates[gene].with(function: functions[cell]))
        }
        return plan
    }

    /// The genes (candidate indices) of `plan`'s free cells.
    public func genes(of plan: ActivationPlan) -> [Int] {
        freeCells.map { cell in
            plan.activations[cell].candidate.flatMap { candidates.firstIndex(of: $0.with(function: .tanh)) }
                ?? candidates.count - 1
        }
    }

    /// Cells of `plan` at each candidate, in cost order (the paper's (n3, n7, n17)).
    public func counts(of plan: ActivationPlan) -> [Int] {
        candidates.map { candidate in
            plan.activations.filter { $0.candidate?.with(function: .tanh) == candidate }.count
        }
    }

    /// The number of plans in the space, as a Double (it can be astronomically large).
    public var size: Double { Foundation.pow(Double(candidates.count), Double(freeCells.count)) }

    /// Parses a cell list such as `0-3,24-27`.
    public static func parseCells(_ text: String) throws -> [Int] {
        var cells = [Int]()
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let low = Int(bounds[0]), let high = Int(bounds[bounds.count - 1]),
                low <= high
            else {
                throw ConfigurationError(key: "cells", problem: "\"\(part)\" is not a cell or a range like 24-27")
            }
            cells += Array(low...high)
        }
        guard !cells.isEmpty else { throw ConfigurationError(key: "cells", problem: "\"\(text)\" names no cell") }
        return cells
    }
}
