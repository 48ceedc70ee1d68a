import CellwiseCore
import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseCKKS

/// The encrypted job: typed, versioned, in JSON that the schema the bridge checks accepts, and
/// carrying the cell graph the bridge interprets (with no per-cell code of its own).
@Suite struct EncryptedJobTests {
    static let cells = RecurrentCell.builtIn + [TestCells.minimalGatedUnit]

    /// Two stacked layers of every kind, and stacks of different kinds.
    static let stacks: [[LayerShape]] =
        cells.map { cell in [4, 6].map { LayerShape(cell: cell, units: $0) } } + [
            [LayerShape(cell: .gru(resetAfter: true), units: 4), LayerShape(cell: .lstm, units: 6)],
            [
                LayerShape(cell: TestCells.minimalGatedUnit, units: 4), LayerShape(cell: .simpleRNN, units: 5),
                LayerShape(cell: .gru(resetAfter: false), units: 3),
            ],
            // Layers that run backward or both ways: each pass its weights, the passes merged.
            [
                LayerShape(cell: .gru(resetAfter: true), units: 4, direction: .bidirectional),
                LayerShape(cell: .lstm, units: 5),
            ],
            [
                LayerShape(cell: .simpleRNN, units: 4, direction: .reverse),
                LayerShape(cell: .lstm, units: 3, direction: .bidirectional, merge: .sum),
            ],
            [LayerShape(cell: TestCells.minimalGatedUnit, units: 5, direction: .bidirectional)],
            // Wider than 64 slots: windows of 128 (70 units + 5 inputs; two passes of 40 side by
            // side) and 256 (130 units), each product a BSGS product over the window.
            [LayerShape(cell: .gru(resetAfter: true), units: 70)],
            [LayerShape(cell: .lstm, units: 40, direction: .bidirectional)],
            [LayerShape(cell: .simpleRNN, units: 130)],
        ]

    static func job(_ cell: RecurrentCell, units: [Int] = [4, 6]) throws -> EncryptedJob {
        try job(stack: units.map { LayerShape(cell: cell, units: $0) })
    }

    static func job(stack: [LayerShape], placement: PlacementStrategy = .ciphertexts, fold: Bool = false) throws
        -> EncryptedJob
    {
        let model = ReferenceRecurrence.randomModel(stack: stack, timeSteps: 3)
        var costModel = CostModel(profile: .heaanFGb, depthRule: .openfhe, shapeOf: model)
        let plan = ActivationPlan(uniform: .polynomial(degree: 3), layout: model.sites)
        if fold {
            costModel.foldedSites = try EncryptedCircuit.foldableSites(
                model: model, plan: plan, approximations: try ApproximationLibrary(lower: -6, upper: 6))
        }
        let prediction = try costModel.cost(of: plan, placement: placement)
        let circuit = try EncryptedCircuit(model: model, plan: plan, costModel: costModel, prediction: prediction)
        let (inputs, _) = ReferenceRecurrence.randomInputs(for: model, count: 2)
        let width = model.timeSteps * model.inputSize
        return try circuit.job(
            model: model, plan: plan, approximations: try ApproximationLibrary(lower: -6, upper: 6),
            images: [Array(inputs[..<width]), Array(inputs[width...])], inputsAtBootstrapLevel: true)
    }

    /// Each image's window is the next power of two of the most slots a step needs: a layer's units
    /// and inputs, a bidirectional layer's passes side by side, the classes.
    @Test func theWindowHoldsTheWidestStep() throws {
        for (stack, window) in [
            ([LayerShape(cell: .simpleRNN, units: 32)], 64),
            ([LayerShape(cell: .gru(resetAfter: true), units: 59)], 64),
            ([LayerShape(cell: .gru(resetAfter: true), units: 60)], 128),
            ([LayerShape(cell: .lstm, units: 40, direction: .bidirectional)], 128),
            ([LayerShape(cell: .lstm, units: 8), LayerShape(cell: .simpleRNN, units: 300)], 512),
        ] {
            let model = ReferenceRecurrence.randomModel(stack: stack, timeSteps: 2)
            #expect(EncryptedCircuit.window(for: model) == window, "\(stack)")
            #expect(try Self.job(stack: stack).window == window)
        }
        let few = ReferenceRecurrence.randomModel(stack: [LayerShape(cell: .simpleRNN, units: 2)], classes: 90)
        #expect(EncryptedCircuit.window(for: few) == 128)
    }

    @Test(arguments: cells)
    func theCellGraphRoundTripsThroughJSON(cell: RecurrentCell) throws {
        let data = try JSONEncoder().encode(cell.graph)
        #expect(try JSONDecoder().decode(CellGraph.self, from: data) == cell.graph)
    }

    @Test func aBrokenCellGraphIsRefusedWhenDecoded() throws {
        let good = String(decoding: try JSONEncoder().encode(CellGraph.simpleRNN), as: UTF8.self)
        for (broken, problem) in [
            (good.replacingOccurrences(of: "\"n0\",\"n1\"", with: "\"n0\",\"n5\""), "node 2 reads node 5"),
            (good.replacingOccurrences(of: "\"s0\"", with: "\"q0\""), "q0 is not a value"),
            (good.replacingOccurrences(of: "\"sites\":[\"h\"]", with: "\"sites\":[\"w\"]"), "site w"),
            (good.replacingOccurrences(of: "input_product", with: "convolution"), "convolution"),
        ] {
            #expect(broken != good)
            let error = #expect(throws: DecodingError.self) {
                try JSONDecoder().decode(CellGraph.self, from: Data(broken.utf8))
            }
            #expect(error.map { "\($0.summary) \($0)" }?.contains(problem) == true, "\(String(describing: error))")
        }
    }

    /// Every cell operation names its graph node and what it reads, one value per input ciphertext;
    /// a job reads back equal to itself and refuses another format.
    @Test(arguments: cells)
    func aJobNamesItsNodesAndRoundTrips(cell: RecurrentCell) throws {
        let job = try Self.job(cell)
        #expect(job.format == EncryptedJob.currentFormat && job.cell == cell.graph)
        let labelled = Set(cell.graph.operations.map(\.node))
        for operation in job.operations {
            switch operation.kind {
            case .cell:
                let node = try #require(operation.node)
                #expect(labelled.contains(node))
                #expect(operation.reads?.count == operation.inputs.count)
                #expect((operation.chebyshev != nil) == (cell.graph.operations.first { $0.node == node }?.site != nil))
            case .dense:
                #expect(operation.node == nil && operation.output == job.logits)
            case .merge:
                Issue.record("a merge in a stack of forward layers: \(operation.label)")
            }
        }
        let data = try job.encoded()
        #expect(try EncryptedJob.decoded(from: data, source: "job.json") == job)
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["format"] = 1
        #expect(throws: DataError.self) {
            try EncryptedJob.decoded(from: JSONSerialization.data(withJSONObject: object), source: "job.json")
        }
    }

    /// The schema the bridge checks jobs against (tools/ckks/job.schema.json, with the reference
    /// `jsonschema` package of `make test`'s Python) accepts every job Cellwise writes and refuses
    /// broken ones naming the field.
    @Test(
        .enabled(
            if: Self.python != nil || ProcessInfo.processInfo.environment["CELLWISE_REQUIRE_ALL_TESTS"] == "1",
            "needs the Python of make test (jsonschema)"))
    func theBridgesSchemaAcceptsCellwisesJobs() throws {
        let python = try #require(Self.python)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("job-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var files = [String]()
        for (index, cell) in Self.cells.enumerated() {
            let file = directory.appendingPathComponent("job-\(index).json")
            try Self.job(cell).encoded().write(to: file)
            files.append(file.path)
        }
        var broken = try #require(
            try JSONSerialization.jsonObject(with: Self.job(.lstm).encoded()) as? [String: Any])
        var cell = try #require(broken["cell"] as? [String: Any])
        cell["outputs"] = ["n99", "q1"]
        broken["cell"] = cell
        let brokenFile = directory.appendingPathComponent("broken.json")
        try JSONSerialization.data(withJSONObject: broken).write(to: brokenFile)
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            for path in sys.argv[2:]:
                errors = list(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(path))))
                print(path.rsplit("/", 1)[-1], "ok" if not errors else
                      "/".join(map(str, errors[0].absolute_path)) + " " + errors[0].message)
            """
        let schema = TestData.repositoryRoot.appendingPathComponent("tools/ckks/job.schema.json").path
        let output = try Processes.output(of: python, ["-c", script, schema] + files + [brokenFile.path])
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.count == files.count + 1, "\(output)")
        #expect(lines.dropLast().allSatisfy { $0.hasSuffix(" ok") }, "\(output)")
        #expect(lines.last?.hasPrefix("broken.json cell/outputs/1 'q1' does not match") == true, "\(output)")
    }

    /// The bridge's circuit run on plain NumPy slots (tools/ckks/simulate.py: the same rotations,
    /// BSGS products, graph interpretation and Chebyshev series as under CKKS, without encryption)
    /// gives the Float64 reference recurrence's logits with the plan's polynomials, for every cell
    /// kind, two stacked layers, stacks of different kinds (each layer its own graph) and two
    /// images per vector.
    @Test(needsPython, arguments: stacks.indices)
    func theCircuitOnPlainSlotsComputesThePlansLogits(index: Int) throws {
        let stack = Self.stacks[index]
        let job = try Self.job(stack: stack)
        if stack.contains(where: { $0.cell != stack[0].cell }) {
            #expect(job.layers.contains { $0.cell != nil }, "a mixed stack's layers name their cells")
        }
        try Self.expectThePlansLogits(of: job, stack: stack)
    }

    /// The same with live values packed into one ciphertext before bootstraps
    /// (``PlacementStrategy/packed``): rotations and masks leave every logit as it was. Stacked
    /// layers' states, refreshed at the same time, are packed.
    @Test(needsPython, arguments: stacks.indices)
    func packedCircuitsOnPlainSlotsComputeThePlansLogits(index: Int) throws {
        let stack = Self.stacks[index]
        let job = try Self.job(stack: stack, placement: .packed)
        let packs = job.operations.compactMap(\.pack).joined()
        if stack.count > 1 && stack.allSatisfy({ $0.direction == .forward && $0.units < 10 }) {
            #expect(!packs.isEmpty, "\(stack.map(\.cell.name)): no pack")
        }
        for pack in packs {
            #expect(pack.widths.reduce(0, +) <= job.window && pack.ciphertexts.count >= 2)
        }
        try Self.expectThePlansLogits(of: job, stack: stack)
    }

    /// With every foldable site's interval map folded into its weights (`--fold-intervals`): the
    /// same logits, the folded activations marked in the job (all but an LSTM's tanh(c), on the one
    /// interval every cell shares here).
    @Test(needsPython, arguments: stacks.indices)
    func foldedIntervalMapsOnPlainSlotsComputeThePlansLogits(index: Int) throws {
        let stack = Self.stacks[index]
        let job = try Self.job(stack: stack, fold: true)
        for operation in job.operations where operation.chebyshev != nil {
            let cell = job.layers[operation.layer].cell ?? job.cell
            let node = cell.nodes[operation.node ?? 0]
            guard case .activate(_, let site) = node.operation else { continue }
            #expect((operation.fold == true) == cell.foldableSites.contains(site), "\(operation.label)")
        }
        #expect(job.operations.contains { $0.fold == true })
        try Self.expectThePlansLogits(of: job, stack: stack)
    }

    /// Runs `job` on NumPy slots and expects the Float64 reference's logits.
    static func expectThePlansLogits(of job: EncryptedJob, stack: [LayerShape]) throws {
        let python = try #require(Self.python)
        let model = ReferenceRecurrence.randomModel(stack: stack, timeSteps: 3)
        let cell = stack.map(\.cell.name)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("job-\(UUID().uuidString).json")
        try job.encoded().write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = TestData.repositoryRoot.appendingPathComponent("tools/ckks/simulate.py").path
        let output = try Processes.output(of: python, [script, "--input", file.path, "--batch", "2"])
        let decoded = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        let logits = try #require(decoded?["logits"] as? [[Double]], "\(output)")
        let library = try ApproximationLibrary(lower: -6, upper: 6)
        let candidate = try #require(Activation.polynomial(degree: 3).candidate)
        let functions = model.sites.functions
        let fits = try functions.indices.map { try library.fit(candidate.with(function: functions[$0]), cell: $0) }
        #expect(logits.count == job.images.count)
        for (image, row) in zip(job.images, logits) {
            let expected = ReferenceRecurrence.logits(model, input: image.map(Float.init)[...]) { site, x in
                fits[site].value(at: x)
            }
            #expect(zip(expected, row).allSatisfy { abs($0 - $1) < 1e-6 }, "\(cell): \(row) vs \(expected)")
        }
    }

    static var python: String? { TestData.python }

    /// The simulator runs with the Python of make test.
    static let needsPython: ConditionTrait = .enabled(
        if: python != nil || ProcessInfo.processInfo.environment["CELLWISE_REQUIRE_ALL_TESTS"] == "1",
        "needs the Python of make test (NumPy, jsonschema)")
}
