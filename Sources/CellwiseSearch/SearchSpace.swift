import CellwiseCKKS
import CellwiseCore
import Foundation

/// The plans a search may visit: each free cell takes one of the candidate degrees; the other
/// cells keep the highest degree.
public struct SearchSpace: Sendable, Equatable {
    /// Cells in the network.
    public let cells: Int
    /// Candidate degrees, ascending (the last is the reference degree).
    public let degrees: [Int]
    /// The cells a strategy may change, ascending.
    public let freeCells: [Int]

    /// Creates a space.
    ///
    /// - Throws: ``ConfigurationError`` for an empty or invalid degree list or cell set.
    public init(cells: Int, degrees: [Int], freeCells: [Int]? = nil) throws {
        let sorted = Array(Set(degrees)).sorted()
        guard !sorted.isEmpty else { throw ConfigurationError(key: "degrees", problem: "give at least one degree") }
        if let bad = sorted.first(where: { !(1...Activation.maximumDegree).contains($0) }) {
            throw ConfigurationError(key: "degrees", problem: "degree \(bad) is outside 1-\(Activation.maximumDegree)")
        }
        let free = Array(Set(freeCells ?? Array(0..<cells))).sorted()
        if let bad = free.first(where: { !(0..<cells).contains($0) }) {
            throw ConfigurationError(key: "cells", problem: "cell \(bad) is outside 0-\(cells - 1)")
        }
        guard !free.isEmpty else { throw ConfigurationError(key: "cells", problem: "no cell is free to change") }
        self.cells = cells
        self.degrees = sorted
        self.freeCells = free
    }

    /// The highest candidate degree.
    public var highest: Int { degrees[degrees.count - 1] }

    /// The reference plan: the highest degree in every cell.
    public var reference: ActivationPlan { ActivationPlan(uniform: .polynomial(degree: highest), cells: cells) }

    /// The plan with `genes[i]` (an index into ``degrees``) in free cell i, the highest elsewhere.
    public func plan(genes: [Int]) -> ActivationPlan {
        var plan = reference
        for (cell, gene) in zip(freeCells, genes) { plan.activations[cell] = .polynomial(degree: degrees[gene]) }
        return plan
    }

    /// The genes (degree indices) of `plan`'s free cells.
    public func genes(of plan: ActivationPlan) -> [Int] {
        freeCells.map { cell in
            plan.activations[cell].degree.flatMap { degrees.firstIndex(of: $0) } ?? degrees.count - 1
        }
    }

    /// The number of plans in the space, as a Double (it can be astronomically large).
    public var size: Double { Foundation.pow(Double(degrees.count), Double(freeCells.count)) }

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
