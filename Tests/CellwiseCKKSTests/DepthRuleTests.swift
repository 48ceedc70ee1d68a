import CellwiseCore
import Testing

@testable import CellwiseCKKS

@Suite struct DepthRuleTests {
    @Test func idealDepthIsCeilLog2OfDegreePlusOne() {
        #expect(DepthRule.ideal.polynomialDepth(degree: 3) == 2)
        #expect(DepthRule.ideal.polynomialDepth(degree: 7) == 3)
        #expect(DepthRule.ideal.polynomialDepth(degree: 17) == 5)
        #expect(DepthRule.ideal.polynomialDepth(degree: 1) == 1)
        #expect(DepthRule.ideal.polynomialDepth(degree: 63) == 6)
        #expect(DepthRule.ideal.polynomialDepth(degree: 8) == 4)
    }

    @Test func openFHEFollowsItsChebyshevTable() {
        let table: [(ClosedRange<Int>, Int)] = [(3...5, 4), (6...13, 5), (14...27, 6), (28...59, 7), (60...63, 8)]
        for (degrees, depth) in table {
            for degree in degrees {
                #expect(DepthRule.openfhe.polynomialDepth(degree: degree) == depth, "degree \(degree)")
            }
        }
        #expect(DepthRule.openfhe.polynomialDepth(degree: 119) == 8)
        #expect(DepthRule.openfhe.polynomialDepth(degree: 120) == 9)
    }

    @Test func operationCountsFollowTheDocumentedFormulas() {
        let bsgs = MatrixVectorAlgorithm.bsgs.counts(inputs: 60, outputs: 32)
        #expect(bsgs.rotations == 14 && bsgs.plaintextMultiplications == 64 && bsgs.additions == 64)
        #expect(MatrixVectorAlgorithm.diagonal.counts(inputs: 60, outputs: 32).rotations == 63)
        #expect(MatrixVectorAlgorithm.bsgs.counts(inputs: 60, outputs: 32, rotations: 10).rotations == 10)
        #expect(MatrixVectorAlgorithm.bsgs.counts(inputs: 32, outputs: 10).rotations == 4 + 8 - 2)
        let expected = [1: 0, 2: 1, 3: 2, 7: 5, 17: 9, 63: 17]
        for (degree, count) in expected {
            #expect(PolynomialOperations.nonScalarMultiplications(degree: degree) == count, "degree \(degree)")
        }
        // Never more than the naive d - 1 products, and growing with the degree.
        var previous = 0
        for degree in 2...63 {
            let n = PolynomialOperations.nonScalarMultiplications(degree: degree)
            #expect(n <= degree - 1)
            #expect(n >= previous)
            previous = n
        }
    }
}
