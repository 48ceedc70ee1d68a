import Testing

@testable import CellwiseCore

@Suite struct ActivationPlanTests {
    @Test func parsesRepeatsTanhAndLists() throws {
        let plan = try ActivationPlan(parsing: "17*24,7*4", cells: 28)
        #expect(
            plan.activations == Array(repeating: .polynomial(degree: 17), count: 24)
                + Array(repeating: .polynomial(degree: 7), count: 4))
        #expect(try ActivationPlan(parsing: "t*28").codes == Array(repeating: 0, count: 28))
        let mixed = try ActivationPlan(parsing: "3,7,17*26", cells: 28)
        #expect(mixed.codes.prefix(3) == [3, 7, 17])
        #expect(mixed.description == "3,7,17*26")
        #expect(try ActivationPlan(parsing: " 7 , 7 ,t").description == "7*2,t")
    }

    @Test func descriptionRoundTrips() throws {
        var generator = SeededGenerator(seed: 5)
        let choices: [Activation] = [.tanh, .polynomial(degree: 3), .polynomial(degree: 7), .polynomial(degree: 17)]
        for _ in 0..<50 {
            let plan = ActivationPlan((0..<28).map { _ in choices[Int(generator.next() % 4)] })
            #expect(try ActivationPlan(parsing: plan.description, cells: 28) == plan)
        }
    }

    @Test(arguments: [
        ("17*27", "has 27 cells, the model has 28"),
        ("17*29", "has 29 cells, the model has 28"),
        ("17*0,17*28", "repeat count in \"17*0\" must be at least 1"),
        ("x*28", "unknown activation \"x\""),
        ("64*28", "unknown degree 64"),
        ("0*28", "unknown degree 0"),
        ("17**28", "is not D or D*K"),
        ("17*28,", "is not D or D*K"),
        ("", "is empty"),
        ("17*a", "repeat count \"a\""),
    ])
    func rejectsMalformedPlans(text: String, expected: String) {
        let error = #expect(throws: PlanError.self) { try ActivationPlan(parsing: text, cells: 28) }
        #expect(error?.plan == text)
        #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
    }

    @Test func sharedPrefix() throws {
        let a = try ActivationPlan(parsing: "17*10,7,17*17")
        let b = try ActivationPlan(parsing: "17*10,3,17*17")
        #expect(a.sharedPrefixLength(with: b) == 10)
        #expect(a.sharedPrefixLength(with: a) == 28)
    }
}
