import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseCore

@Suite struct PlanEvaluatorTests {
    static let model: RecurrentModel = {
        var model = RecurrentModel(kerasInitializedWithSeed: 21)
        // Non-zero biases and a stronger recurrence so that every code path matters.
        var generator = SeededGenerator(seed: 22)
        model.layers[0].bias = model.layers[0].bias.map { _ in Float(generator.nextUniform(-0.5, 0.5)) }
        model.denseBias = model.denseBias.map { _ in Float(generator.nextUniform(-0.5, 0.5)) }
        model.layers[0].recurrentKernel = model.layers[0].recurrentKernel.map { $0 * 2.5 }
        model.layers[0].kernel = model.layers[0].kernel.map { $0 * 3 }
        return model
    }()

    /// A straightforward per-sample implementation in Float64, sharing nothing with the
    /// evaluator but the fitted coefficients (evaluated by `value(at:)`, in Float64).
    static func naiveLogits(
        _ model: RecurrentModel, _ split: DataSplit, _ plan: ActivationPlan, _ library: ApproximationLibrary
    ) throws -> [[Double]] {
        let u = model.units
        let f = model.inputSize
        let fits = try plan.activations.enumerated().map { cell, activation in
            try activation.candidate.map { try library.fit($0, cell: cell) }
        }
        return (0..<split.count).map { sample in
            var h = [Double](repeating: 0, count: u)
            for t in 0..<model.timeSteps {
                var next = [Double](repeating: 0, count: u)
                for j in 0..<u {
                    var z = Double(model.layers[0].bias[j])
                    for i in 0..<f {
                        z +=
                            Double(split.features[sample * f * model.timeSteps + t * f + i])
                            * Double(model.layers[0].kernel[i * u + j])
                    }
                    for i in 0..<u { z += h[i] * Double(model.layers[0].recurrentKernel[i * u + j]) }
                    next[j] = fits[t].map { $0.value(at: z) } ?? tanh(z)
                }
                h = next
            }
            return (0..<model.classes).map { c in
                (0..<u).reduce(Double(model.denseBias[c])) {
                    $0 + h[$1] * Double(model.denseKernel[$1 * model.classes + c])
                }
            }
        }
    }

    @Test(arguments: [
        "t*28", "17*28", "3*28", "7*4,17*20,7*4", "3,7,17*24,t,63", "17w*28", "3w,7r,17m,9@-4:6,t,17w*23",
    ])
    func agreesWithANaivePerSampleImplementation(planText: String) throws {
        let split = try TestData.split(count: 300)
        // Range and weighted fits from another split (as the training split would be).
        let library = try ApproximationLibrary.observing(model: Self.model, split: TestData.split(count: 200, seed: 8))
        let plan = try ActivationPlan(parsing: planText, cells: 28)
        let evaluator = try PlanEvaluator(model: Self.model, split: split, approximations: library, blockSize: 64)
        let fast = try evaluator.logits(of: plan)
        let naive = try Self.naiveLogits(Self.model, split, plan, library)
        var worst = 0.0
        var agreeing = 0
        var naiveCorrect = 0
        var compared = 0
        for (row, logits) in naive.enumerated() {
            let fastRow = (0..<10).map { Double(fast[row * 10 + $0]) }
            let naiveClass = Self.predictedClass(logits)
            let fastClass = Self.predictedClass(fastRow)
            if naiveClass == fastClass { agreeing += 1 }
            if naiveClass == Int(split.labels[row]) { naiveCorrect += 1 }
            // Plans of low degree can diverge outside the fitting interval; compare moderate rows.
            guard logits.allSatisfy({ abs($0) < 1e3 }) else { continue }
            compared += 1
            for c in 0..<10 { worst = max(worst, abs(fastRow[c] - logits[c]) / max(1, abs(logits[c]))) }
        }
        #expect(compared >= 150)
        #expect(worst < 2e-3, "largest relative logit difference \(worst)")
        #expect(agreeing >= 294, "\(agreeing) of 300 predictions agree")
        #expect(abs(try evaluator.evaluate(plan).correct - naiveCorrect) <= 6)
        // Each sample's verdict is the fast logits' own: a correct argmax, every logit finite.
        let verdicts = try evaluator.evaluate(plan).sampleCorrect
        for row in 0..<split.count {
            let fastRow = (0..<10).map { Double(fast[row * 10 + $0]) }
            #expect(verdicts[row] == (Self.predictedClass(fastRow) == Int(split.labels[row])), "sample \(row)")
        }
    }

    /// The predicted class, or nil when a logit is not finite (counted as wrong).
    static func predictedClass(_ logits: [Double]) -> Int? {
        guard logits.allSatisfy(\.isFinite), let top = logits.max() else { return nil }
        return logits.firstIndex(of: top)
    }

    /// Reusing a shared prefix gives exactly the counts of a full evaluation, with any
    /// thread count.
    @Test func prefixReuseIsBitIdentical() throws {
        let split = try TestData.split(count: 700)
        let library = try ApproximationLibrary.observing(model: Self.model, split: TestData.split(count: 100, seed: 4))
        let cached = try PlanEvaluator(
            model: Self.model, split: split, approximations: library, workers: 2, blockSize: 128, cachedPlans: 3)
        let single = try PlanEvaluator(
            model: Self.model, split: split, approximations: library, workers: 1, blockSize: 128, cachedPlans: 0)
        var generator = SeededGenerator(seed: 99)
        var plan = ActivationPlan(uniform: .polynomial(degree: 17), cells: 28)
        let degrees: [Activation] =
            try [.polynomial(degree: 3), .polynomial(degree: 7), .polynomial(degree: 17), .exact]
            + ["7w", "17r", "9m"].map { .approximation(try Candidate(parsing: $0)) }
        for _ in 0..<40 {
            // Change one or two late-ish cells, as a search does.
            for _ in 0..<(1 + Int(generator.next() % 2)) {
                plan.activations[Int(generator.next() % 28)] = degrees[Int(generator.next() % UInt64(degrees.count))]
            }
            let reused = try cached.evaluate(plan)
            let scratch = try single.evaluateFromScratch(plan)
            #expect(reused.correct == scratch.correct, "\(plan)")
            #expect(reused.sampleCorrect == scratch.sampleCorrect, "\(plan)")
            #expect(reused.sampleCorrect.filter { $0 }.count == reused.correct)
        }
        #expect(cached.statistics.cellsReused > 0)
        #expect(cached.statistics.cellsComputed < 40 * 28)
    }

    @Test func repeatedPlansAreServedFromTheCache() throws {
        let split = try TestData.split(count: 50)
        let evaluator = try PlanEvaluator(model: Self.model, split: split, approximations: ApproximationLibrary())
        let plan = try ActivationPlan(parsing: "17*28")
        let first = try evaluator.evaluate(plan)
        let second = try evaluator.evaluate(plan)
        #expect(first.correct == second.correct)
        #expect(second.reusedCells == 28)
        #expect(first.samples == 50)
    }

    @Test func rejectsPlansOfTheWrongLength() throws {
        let evaluator = try PlanEvaluator(
            model: Self.model, split: TestData.split(count: 10), approximations: ApproximationLibrary())
        #expect(throws: PlanError.self) { try evaluator.evaluate(ActivationPlan(parsing: "17*27")) }
    }

    /// A polynomial far outside its interval overflows through the recurrence: the logits become
    /// infinite or NaN, nothing crashes, and those samples count as wrong.
    @Test func explodingPlansCountAsWrong() throws {
        let split = try TestData.split(count: 200)
        let evaluator = try PlanEvaluator(model: Self.model, split: split, approximations: ApproximationLibrary())
        let plan = try ActivationPlan(parsing: "63@-0.05:0.05*28")
        let logits = try evaluator.logits(of: plan)
        let rows = stride(from: 0, to: logits.count, by: 10).map { logits[$0..<($0 + 10)] }
        let broken = rows.filter { !$0.allSatisfy(\.isFinite) }.count
        #expect(broken > 100, "most samples overflow")
        let outcome = try evaluator.evaluate(plan)
        #expect(outcome.correct <= split.count - broken)
        #expect((0...1).contains(outcome.accuracy))
    }

    @Test func rangesCoverEveryPreactivation() throws {
        let split = try TestData.split(count: 40)
        let evaluator = try PlanEvaluator(model: Self.model, split: split, approximations: ApproximationLibrary())
        let plan = ActivationPlan(uniform: .exact, cells: 28)
        let wide = try evaluator.preactivationStatistics(of: plan, lower: -100, upper: 100)
        #expect(wide.allSatisfy { $0.outside == 0 && $0.values == 40 * 32 && $0.min <= $0.max })
        let narrow = try evaluator.preactivationStatistics(of: plan, lower: -0.1, upper: 0.1)
        #expect(narrow.contains { $0.outsideFraction > 0.5 })
    }

    @Test func nominalWorkMatchesTheIssueFigure() throws {
        let flops = EvaluatorBenchmark.nominalFlops(
            model: RecurrentModel(), samples: 10_000, plan: try ActivationPlan(parsing: "17*28"))
        #expect(flops > 0.8e9 && flops < 0.95e9)
    }
}
