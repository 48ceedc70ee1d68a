import Testing

@testable import CellwiseCore

@Suite struct ActivationPlanTests {
    @Test func parsesRepeatsTanhAndLists() throws {
        let plan = try ActivationPlan(parsing: "17*24,7*4", cells: 28)
        #expect(
            plan.activations == Array(repeating: .polynomial(degree: 17), count: 24)
                + Array(repeating: .polynomial(degree: 7), count: 4))
        #expect(try ActivationPlan(parsing: "t*28").tokens == Array(repeating: "t", count: 28))
        let mixed = try ActivationPlan(parsing: "3,7,17*26", cells: 28)
        #expect(mixed.tokens.prefix(3) == ["3", "7", "17"])
        #expect(mixed.description == "3,7,17*26")
        #expect(try ActivationPlan(parsing: " 7 , 7 ,t").description == "7*2,t")
    }

    @Test func descriptionRoundTrips() throws {
        var generator = SeededGenerator(seed: 5)
        let choices: [Activation] =
            try [.exact, .polynomial(degree: 3), .polynomial(degree: 7), .polynomial(degree: 17)]
            + ["7w", "17r", "9m", "5w", "17@-12:12", "17m@-6.5:6", "3r"].map {
                .approximation(try Candidate(parsing: $0))
            }
        for _ in 0..<50 {
            let plan = ActivationPlan((0..<28).map { _ in choices[Int(generator.next() % UInt64(choices.count))] })
            #expect(try ActivationPlan(parsing: plan.description, cells: 28) == plan)
        }
    }

    @Test(arguments: [
        ("17*27", "has 27 cells, the model has 28"),
        ("17*29", "has 29 cells, the model has 28"),
        ("17*0,17*28", "repeat count in \"17*0\" must be at least 1"),
        ("x*28", "candidate \"x\": expected a degree"),
        ("64*28", "candidate \"64\": must be 1-63, got 64"),
        ("0*28", "candidate \"0\": must be 1-63, got 0"),
        ("17q*28", "candidate \"17q\": unknown method \"q\""),
        ("17w@-1:1*28", "a weighted fit takes its interval from the data"),
        ("17@3:1*28", "interval \"3:1\" is not a:b with a < b"),
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
