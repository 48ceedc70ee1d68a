import Testing

@testable import CellwiseCore

/// `CELLWISE_ISA`: a name that is not an instruction set, or one this processor lacks, is refused
/// naming the variable; the baseline always runs.
@Suite struct InstructionSetTests {
    @Test func theBaselineAlwaysRunsAndTheBestIsSupported() {
        #expect(InstructionSet.baseline.isSupported)
        #expect(InstructionSet.best.isSupported)
        #expect(InstructionSet.allCases.filter(\.isSupported).last == InstructionSet.best)
    }

    @Test func aBadValueIsRefusedNamingTheVariable() {
        for value in ["sse9", "AVX2", " avx2"] {
            #expect(throws: ConfigurationError.self) {
                try InstructionSet.useEnvironment([InstructionSet.environmentVariable: value])
            }
            do {
                try InstructionSet.useEnvironment([InstructionSet.environmentVariable: value])
            } catch let error as ConfigurationError {
                #expect(error.key == "CELLWISE_ISA" && error.problem.contains(value), "\(error)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func unsetOrEmptyChangesNothing() throws {
        let before = InstructionSet.inUse
        try InstructionSet.useEnvironment([:])
        try InstructionSet.useEnvironment([InstructionSet.environmentVariable: ""])
        #expect(InstructionSet.inUse == before)
    }
}
