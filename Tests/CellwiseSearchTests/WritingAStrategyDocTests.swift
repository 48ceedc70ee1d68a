import CellwiseTestSupport
import Foundation
import Testing

@Suite struct WritingAStrategyDocTests {
    /// The tutorial shows the real, compiled RandomSearch.swift, verbatim.
    @Test func theTutorialShowsTheRealRandomStrategy() throws {
        let root = TestData.repositoryRoot
        let doc = try String(contentsOf: root.appendingPathComponent("docs/writing-a-strategy.md"), encoding: .utf8)
        let source = try String(
            contentsOf: root.appendingPathComponent("Sources/CellwiseSearch/Strategies/RandomSearch.swift"),
            encoding: .utf8)
        #expect(doc.contains("```swift\n" + source + "```"))
        for file in [
            "Sources/cellwise-annealing/SimulatedAnnealing.swift", "Sources/cellwise-annealing/main.swift",
            "Package.swift",
        ] {
            let example = try String(
                contentsOf: root.appendingPathComponent("Examples/custom-strategy/" + file), encoding: .utf8)
            #expect(doc.contains("```swift\n" + example + "```"), "the tutorial shows \(file) verbatim")
        }
    }
}
