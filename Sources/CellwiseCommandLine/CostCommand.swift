import ArgumentParser
import Cellwise
import Foundation

extension DepthRule: ExpressibleByArgument {}
extension PlacementStrategy: ExpressibleByArgument {}
extension CalibrationParameters: ExpressibleByArgument {}

/// Options naming the cost model: profile, depth rule, placement.
struct CostModelOptions: ParsableArguments {
    @Option(help: "A preset (heaan-fgb, heaan-fgb-uncalibrated) or a profile file (.toml).")
    var profile: String = "heaan-fgb"

    @Option(help: "Polynomial depth rule: ideal (ceil(log2(d+1))) or openfhe (OpenFHE's Chebyshev table).")
    var depth: DepthRule = .ideal

    @Option(
        help: ArgumentHelp(
            "Bootstrap placement: greedy (fewest bootstraps), optimal (least latency), ciphertexts (per ciphertext) "
                + "or packed (per ciphertext, live values packed into one before a bootstrap)."))
    var placement: PlacementStrategy = .greedy

    /// The cost model for the paper's shape (28 inputs, 32 units, 10 classes).
    func model() throws -> CostModel {
        CostModel(profile: try CostProfile.named(profile), depthRule: depth)
    }

    /// The cost model priced at `model`'s shape.
    func model(shapeOf model: RecurrentModel) throws -> CostModel {
        CostModel(profile: try CostProfile.named(profile), depthRule: depth, shapeOf: model)
    }
}

struct CostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost",
        abstract: "Depth, bootstrap placement and CKKS latency of a plan.",
        discussion: """
            Prices a plan under CKKS: levels per cell, where bootstraps go, and the latency under a
            cost profile. The picture shows the chain with '|' where a bootstrap goes and D for the
            Dense layer. Formulas: docs/cost-model.md.

            Example:
              cellwise cost --plan '17*28'
              cellwise cost --plan '7*4,17*24' --placement optimal --json
              cellwise cost --plan '3,7,17*26' --profile configs/profiles/heaan-fgb.toml --depth openfhe
              cellwise cost --model results/models/vowels-gru.json --plan 'z=3;r=3;h=7'
            """)

    @Option(help: "The plan, e.g. '17*28' or '7*4,17*24' (every cell needs a polynomial degree).")
    var plan: String

    @Option(help: "Price the plan at this model file's shape (cell kind, layers, units); default: the paper's.")
    var model: String?

    @OptionGroup var costModel: CostModelOptions

    @Flag(
        help: ArgumentHelp(
            "Also place bootstraps per ciphertext (h, c, gate outputs refreshed one by one) on the cells' operation "
                + "graph, greedy and optimal (docs/cost-model.md)."))
    var ciphertexts = false

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let shape = try model.map { try ModelFile.load(from: $0).model }
        let parsed =
            try shape.map { try ActivationPlan(parsing: plan, layout: $0.sites) } ?? ActivationPlan(parsing: plan)
        var pricing = try shape.map { try costModel.model(shapeOf: $0) } ?? costModel.model()
        // Per ciphertext is how encrypted runs place bootstraps: price as `ckks run` does (its inputs'
        // level included), so that both say the same bootstraps and seconds.
        if [.ciphertexts, .packed].contains(costModel.placement), let shape {
            pricing = EncryptedCircuit.pricing(pricing, for: shape)
        }
        let report = try pricing.cost(of: parsed, placement: costModel.placement)
        var perCiphertext: CiphertextJSON?
        if ciphertexts {
            let graph = try CiphertextGraph(plan: parsed, model: pricing)
            let greedy = try CiphertextPlacement.greedy(graph, model: pricing)
            let optimal = try CiphertextPlacement.optimal(graph, model: pricing)
            perCiphertext = CiphertextJSON(graph: graph, greedy: greedy, optimal: optimal)
        }
        if json {
            var output = CostJSON(report)
            output.ciphertexts = perCiphertext
            try printJSON(output)
        } else {
            print(
                String(
                    format: "plan %@: %d bootstraps, %.2f s (profile %@, %@ depth, %@ placement)",
                    parsed.description, report.bootstraps, report.latencySeconds, report.profile,
                    report.depthRule.rawValue, report.placement.rawValue))
            if report.samplesPerCiphertext > 1 {
                print(
                    String(
                        format: "per ciphertext of %d samples (SIMD packing): %.3f s per sample",
                        report.samplesPerCiphertext, report.amortizedSeconds))
            }
            print(report.picture)
            if let perCiphertext {
                for (name, placement) in [("greedy", perCiphertext.greedy), ("optimal", perCiphertext.optimal)] {
                    print(
                        String(
                            format: "per ciphertext, %@: %d bootstraps, %.2f s (%@)", name, placement.bootstraps,
                            placement.seconds,
                            placement.byCiphertext.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", ")))
                }
            }
        }
    }
}

/// Per-ciphertext placements of a plan.
struct CiphertextJSON: Encodable {
    struct Placement: Encodable {
        var bootstraps: Int
        var seconds: Double
        /// Refreshes by kind of ciphertext (h, c, r, tanh(c), ...).
        var byCiphertext: [String: Int]
        /// Each refresh: the operation before which it happens and the ciphertext.
        var refreshes: [[String]]
    }
    var greedy: Placement
    var optimal: Placement

    init(graph: CiphertextGraph, greedy: CiphertextSchedule, optimal: CiphertextSchedule) {
        func describe(_ schedule: CiphertextSchedule) -> Placement {
            var kinds = [String: Int]()
            for refresh in schedule.refreshes {
                let name = graph.names[refresh.ciphertext]
                kinds[String(name.prefix { $0 != " " && $0 != "[" }), default: 0] += 1
            }
            return Placement(
                bootstraps: schedule.bootstraps, seconds: schedule.seconds, byCiphertext: kinds,
                refreshes: schedule.refreshes.map {
                    [graph.operations[$0.operation].label, graph.names[$0.ciphertext]]
                })
        }
        self.greedy = describe(greedy)
        self.optimal = describe(optimal)
    }
}

struct CostJSON: Encodable {
    var plan: [String]
    var planText: String
    var depthPerCell: [Int]
    var bootstraps: Int
    var bootstrapBefore: [Int]
    var entryLevels: [Int]
    var latencySeconds: Double
    /// Samples per ciphertext (the profile's packing) and seconds per sample.
    var samplesPerCiphertext: Int
    var amortizedSeconds: Double
    var profile: String
    var depthRule: String
    var placement: String
    var ciphertexts: CiphertextJSON?

    init(_ report: CostReport) {
        plan = report.plan.tokens
        planText = report.plan.description
        depthPerCell = report.depthPerCell
        bootstraps = report.bootstraps
        bootstrapBefore = report.schedule.bootstrapBefore
        entryLevels = report.schedule.entryLevels
        latencySeconds = report.latencySeconds
        samplesPerCiphertext = report.samplesPerCiphertext
        amortizedSeconds = report.amortizedSeconds
        profile = report.profile
        depthRule = report.depthRule.rawValue
        placement = report.placement.rawValue
    }
}
