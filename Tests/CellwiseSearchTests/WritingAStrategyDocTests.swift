import CellwiseTestSupport
import Foundation
import Testing

@Suite struct WritingAStrategyDocTests {
    /// The tutorial shows the real, compiled RandomSearch.swift, verbatim.
    @Test func theTutorialShowsTheRealRandomStrategy() throws {
        let root = TestData.repositoryRoot
        let doc = try String(contentsOf: root.appendingPathComponent("docs/writing-a-strategy.md"), encoding: .utf8)
        let source = try String(contentsOf: root.appendingPathComponent("Sources/CellwiseSearch/Strategies/RandomSearch.swift"), encoding: .utf8)
        #expect(doc.contains("```swift\n" + source + "```"))
    }
}
