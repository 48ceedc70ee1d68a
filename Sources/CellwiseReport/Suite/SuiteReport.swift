import CellwiseCore
import CellwiseSearch
import CellwiseStatistics
import Foundation

/// What a suite shows across its instances: gaps to the best known plans, ranks with a Friedman
/// test and a Nemenyi critical difference, pairwise Wilcoxon signed-rank tests with Holm's
/// correction and effect sizes, the ECDF of (instance, target) pairs reached against the budget,
/// and how the best plans hold on the test split.
public struct SuiteReport: Sendable {
    /// One instance's line.
    public struct InstanceLine: Sendable {
        /// Instance name.
        public var name: String
        /// The model's file and data set.
        public var model: String
        /// The model file and the SHA-256 of its bytes (nil in run files that did not record it).
        public var modelFile: (path: String, sha256: String?) = ("", nil)
        /// The reference plan's latency.
        public var referenceLatency: Double
        /// The base of the gaps: the best known latency, or a better one this suite found.
        public var bestLatency: Double
        /// How the base was found.
        public var foundBy: String
        /// Runs present (of those the suite makes).
        public var runs: Int
        /// The lowest-latency plan this suite's runs found on the instance: its text, latency, and
        /// the first run in table order that found it, with the evaluation it was found at (nil
        /// without runs).
        public var bestFound: (plan: String, latency: Double, run: String)?
    }

    /// A pairwise comparison of two strategies over the instances.
    public struct Pair: Sendable {
        /// The strategies.
        public var first: String, second: String
        /// The test on per-instance median gaps (first against second).
        public var test: WilcoxonSignedRankTest
        /// Holm-adjusted p-value over all pairs.
        public var adjustedP: Double
    }

    /// One strategy's held-out figures.
    public struct HeldOut: Sendable {
        /// Strategy.
        public var strategy: String
        /// Runs.
        public var runs: Int
        /// Mean validation and test drops of the best plans against the tolerance's base, in points.
        public var validationDrop: Double, testDrop: Double
        /// Runs whose best plan falls below the tolerance threshold on the test split.
        public var violations: Int
    }

    /// One acceptance rule's figures for one strategy (or all of them: `strategy` "all").
    public struct RuleLine: Sendable {
        /// The rule's name.
        public var rule: String
        /// Strategy, or "all".
        public var strategy: String
        /// Runs.
        public var runs: Int
        /// The median over the rule's instances of the median gap to the best known plan.
        public var medianGap: Double
        /// The median over runs of the best latency against the same run (instance, strategy,
        /// seed) under the plain rule, minus 1 (nil without a plain rule in the suite).
        public var latencyAgainstPlain: Double?
        /// Mean test drop of the best plans against the reference's test accuracy, in points.
        public var testDrop: Double
        /// Runs whose best plan falls below the tolerance threshold on the test split.
        public var violations: Int
    }

    /// The suite's name.
    public var name: String
    /// Strategies, in config order.
    public var strategies: [String]
    /// Instances with at least one run, in config order.
    public var instances: [InstanceLine]
    /// `medianGap[instance][strategy]`: the median over seeds of best latency / base - 1.
    public var medianGap: [[Double]]
    /// Friedman's test on the median gaps (nil with fewer than 2 instances or 3 strategies).
    public var friedman: FriedmanTest?
    /// Mean ranks (1 = best), in strategy order.
    public var meanRanks: [Double]
    /// Nemenyi's critical difference of mean ranks at level 0.05.
    public var criticalDifference: Double?
    /// Every pair of strategies.
    public var pairs: [Pair]
    /// The ECDF targets, as gaps above the base latency.
    public static let targets = [0, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2]
    /// Per strategy, the ECDF at each budget of ``ecdfGrid``.
    public var ecdf: [[Double]]
    /// The budgets of ``ecdf``.
    public var ecdfGrid: [Int]
    /// Held-out figures per strategy.
    public var heldOut: [HeldOut]
    /// Per acceptance rule (the suite's `[[rules]]`, empty without), per strategy then all.
    public var rules: [RuleLine] = []
    /// Whether runs are missing.
    public var partial: Bool

    /// Builds the report from each instance's merged record.
    public init(
        config: SuiteConfig, records: [String: ComparisonRecord], partial: Bool,
        ecdfGrid: [Int]? = nil
    ) {
        name = config.name
        strategies = config.strategies
        self.partial = partial
        let present = config.instances.filter { records[$0.name] != nil }
        var lines = [InstanceLine]()
        var gaps = [[Double]]()
        let grid = ecdfGrid ?? Self.logGrid(budget: config.budget)
        self.ecdfGrid = grid
        var reached = [[Double]](repeating: [Double](repeating: 0, count: grid.count), count: strategies.count)
        var pairsCounted = [Int](repeating: 0, count: strategies.count)
        var heldOut = strategies.map { HeldOut(strategy: $0, runs: 0, validationDrop: 0, testDrop: 0, violations: 0) }
        // Per run of a suite with rules: (rule, base instance, strategy, seed) -> (latency, test drop, violated).
        var ruleRuns = [RuleRun]()
        for instance in present {
            let record = records[instance.name]!
            let found = record.runs.map(\.best.latencySeconds).min() ?? .infinity
            let bestFound = record.runs.first { $0.best.latencySeconds == found }.map { run in
                let at = run.trace.first { $0.plan == run.best.plan }?.index
                return (
                    plan: run.best.plan, latency: run.best.latencySeconds,
                    run: "\(run.strategy), seed \(run.seed), evaluation \(at.map(String.init) ?? "?")"
                )
            }
            let known = instance.bestKnown?.latencySeconds ?? .infinity
            let base = min(found, known)
            let foundBy =
                instance.bestKnown.map {
                    found < $0.latencySeconds - 1e-9 ? "this suite (better than: \($0.foundBy))" : $0.foundBy
                }
                ?? "this suite (no best known recorded)"
            lines.append(
                InstanceLine(
                    name: instance.name, model: "\(record.model.file) (\(record.model.dataset))",
                    modelFile: (record.model.file, record.model.sha256),
                    referenceLatency: record.reference.latencySeconds, bestLatency: base, foundBy: foundBy,
                    runs: record.runs.count,
                    bestFound: bestFound))
            let testBase =
                record.config.reference == .exact ? record.model.testAccuracyTanh : (record.reference.testAccuracy ?? 0)
            var row = [Double]()
            for (s, strategy) in strategies.enumerated() {
                let runs = record.runs.filter { $0.strategy == strategy }
                let runGaps = runs.map { $0.best.latencySeconds / base - 1 }.sorted()
                row.append(runGaps.isEmpty ? .infinity : AnytimeSummary.quantile(runGaps, 0.5))
                // ECDF: each (instance, target) pair weighs 1, shared by the strategy's runs.
                if !runs.isEmpty {
                    let curves = runs.map { AnytimeCurve(trace: $0.trace, accepts: record.accepts) }
                    for target in Self.targets {
                        let level = base * (1 + target) * (1 + 1e-12)
                        for (g, budget) in grid.enumerated() {
                            let share = curves.filter { $0.value(after: budget) <= level }.count
                            reached[s][g] += Double(share) / Double(curves.count)
                        }
                        pairsCounted[s] += 1
                    }
                }
                for run in runs {
                    heldOut[s].runs += 1
                    heldOut[s].validationDrop += (record.toleranceBase - run.best.valAccuracy) * 100
                    if let test = run.best.testAccuracy {
                        heldOut[s].testDrop += (testBase - test) * 100
                        if !record.config.tolerance.accepts(test, reference: testBase) { heldOut[s].violations += 1 }
                    }
                    if let rule = instance.rule {
                        ruleRuns.append(
                            RuleRun(
                                rule: rule, instance: String(instance.name.dropLast(rule.count + 1)),
                                strategy: strategy,
                                seed: run.seed, latency: run.best.latencySeconds,
                                gap: run.best.latencySeconds / base - 1,
                                testDrop: run.best.testAccuracy.map { (testBase - $0) * 100 },
                                violated: run.best.testAccuracy.map {
                                    !record.config.tolerance.accepts($0, reference: testBase)
                                } ?? false))
                    }
                }
            }
            gaps.append(row)
        }
        for s in heldOut.indices where heldOut[s].runs > 0 {
            heldOut[s].validationDrop /= Double(heldOut[s].runs)
            heldOut[s].testDrop /= Double(heldOut[s].runs)
        }
        self.heldOut = heldOut
        rules = Self.ruleLines(config: config, strategies: strategies, runs: ruleRuns)
        instances = lines
        medianGap = gaps
        ecdf = reached.enumerated().map { s, row in row.map { pairsCounted[s] > 0 ? $0 / Double(pairsCounted[s]) : 0 } }
        // Infinite gaps (no plan within tolerance) rank last and compare as very large.
        let finite = gaps.map { $0.map { $0.isFinite ? $0 : 1e9 } }
        if finite.count >= 2 && strategies.count >= 3 {
            let test = FriedmanTest(scores: finite)
            friedman = test
            meanRanks = test.meanRanks
        } else {
            friedman = nil
            meanRanks =
                finite.isEmpty
                ? strategies.map { _ in 0 }
                : strategies.indices.map { s in
                    finite.map { Ranking.average($0)[s] }.reduce(0, +) / Double(finite.count)
                }
        }
        criticalDifference =
            finite.isEmpty ? nil : CriticalDifference.nemenyi(strategies: strategies.count, instances: finite.count)
        var pairs = [Pair]()
        if !finite.isEmpty {
            for a in strategies.indices {
                for b in strategies.indices where b > a {
                    let test = WilcoxonSignedRankTest(finite.map { $0[a] }, finite.map { $0[b] })
                    pairs.append(Pair(first: strategies[a], second: strategies[b], test: test, adjustedP: 1))
                }
            }
            let adjusted = HolmCorrection.adjust(pairs.map(\.test.pValue))
            for i in pairs.indices { pairs[i].adjustedP = adjusted[i] }
        }
        self.pairs = pairs
    }

    /// One run of a suite with rules, as the rule table needs it.
    struct RuleRun {
        var rule: String, instance: String, strategy: String, seed: UInt64
        var latency: Double, gap: Double
        var testDrop: Double?
        var violated: Bool
    }

    /// The rule table: per rule, each strategy then all of them.
    static func ruleLines(config: SuiteConfig, strategies: [String], runs: [RuleRun]) -> [RuleLine] {
        let plain = config.rules.first(where: { $0.rule.isPlain })?.name
        var lines = [RuleLine]()
        for rule in config.rules {
            for strategy in strategies + ["all"] {
                let mine = runs.filter { $0.rule == rule.name && (strategy == "all" || $0.strategy == strategy) }
                guard !mine.isEmpty else { continue }
                // Median over instances of the median over seeds (and strategies, for "all").
                let instanceGaps = Set(mine.map(\.instance)).sorted().map { instance in
                    AnytimeSummary.quantile(mine.filter { $0.instance == instance }.map(\.gap).sorted(), 0.5)
                }
                var against: Double? = nil
                if let plain {
                    let ratios = mine.compactMap { run -> Double? in
                        runs.first {
                            $0.rule == plain && $0.instance == run.instance && $0.strategy == run.strategy
                                && $0.seed == run.seed
                        }.map { run.latency / $0.latency - 1 }
                    }.sorted()
                    if !ratios.isEmpty { against = AnytimeSummary.quantile(ratios, 0.5) }
                }
                let drops = mine.compactMap(\.testDrop)
                lines.append(
                    RuleLine(
                        rule: rule.name, strategy: strategy, runs: mine.count,
                        medianGap: AnytimeSummary.quantile(instanceGaps.sorted(), 0.5), latencyAgainstPlain: against,
                        testDrop: drops.isEmpty ? 0 : drops.reduce(0, +) / Double(drops.count),
                        violations: mine.filter(\.violated).count))
            }
        }
        return lines
    }

    /// About eight budgets per doubling from 1 to `budget` (every power of two included), then `budget`.
    static func logGrid(budget: Int) -> [Int] {
        var grid = [Int]()
        for step in 0... {
            let n = Int(Foundation.pow(2, Double(step) / 8).rounded())
            if n >= budget { break }
            if n != grid.last { grid.append(n) }
        }
        return grid + [max(1, budget)]
    }

    private static func percent(_ x: Double) -> String {
        x.isFinite ? String(format: "%.2f", x * 100) : "-"
    }

    private static func p(_ x: Double) -> String {
        x < 0.0001 ? "<0.0001" : String(format: "%.4f", x)
    }

    /// CSV, one row per (instance, strategy): the median gap, then each strategy's mean rank and
    /// held-out figures under the instance `all`, then with rules each rule's figures under the
    /// instance `rule=<name>` (its median gap, runs, test drop and violations).
    public var csv: String {
        var lines = ["instance,strategy,median_gap,mean_rank,runs,validation_drop_points,test_drop_points,violations"]
        for (i, line) in instances.enumerated() {
            for (s, strategy) in strategies.enumerated() {
                lines.append("\(line.name),\(strategy),\(medianGap[i][s]),,,,,")
            }
        }
        for (s, strategy) in strategies.enumerated() {
            let h = heldOut[s]
            lines.append(
                "all,\(strategy),,\(meanRanks[s]),\(h.runs),\(h.validationDrop),\(h.testDrop),\(h.violations)")
        }
        for line in rules {
            lines.append(
                "rule=\(line.rule),\(line.strategy),\(line.medianGap),,\(line.runs),,\(line.testDrop),"
                    + "\(line.violations)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The ECDF as CSV: one row per (strategy, budget of ``ecdfGrid``) with the share reached.
    public var ecdfCSV: String {
        var lines = ["strategy,budget,share"]
        for (s, strategy) in strategies.enumerated() {
            for (g, budget) in ecdfGrid.enumerated() { lines.append("\(strategy),\(budget),\(ecdf[s][g])") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The gap table with mean ranks as a LaTeX `tabular` (booktabs), the Friedman test in a comment.
    public var latex: String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "_", with: "\\_").replacingOccurrences(of: "%", with: "\\%")
        }
        var lines = [
            "% Generated by cellwise \(CellwiseVersion.current): gap to the best known plan (%, median over seeds)",
            "% and mean rank; needs \\usepackage{booktabs}",
        ]
        if let friedman {
            lines.append(
                "% Friedman chi-squared \(String(format: "%.3f", friedman.statistic)), p = \(Self.p(friedman.pValue))"
                    + (criticalDifference.map { String(format: ", Nemenyi CD %.3f", $0) } ?? ""))
        }
        lines += [
            "\\begin{tabular}{l" + String(repeating: "r", count: instances.count + 1) + "}", "\\toprule",
            "strategy & " + instances.map { escape($0.name) }.joined(separator: " & ") + " & mean rank \\\\",
            "\\midrule",
        ]
        for (s, strategy) in strategies.enumerated() {
            lines.append(
                escape(strategy) + " & " + medianGap.map { Self.percent($0[s]) }.joined(separator: " & ")
                    + " & \(String(format: "%.2f", meanRanks[s])) \\\\")
        }
        lines += ["\\bottomrule", "\\end{tabular}"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The report in GitHub-flavoured Markdown.
    public var markdown: String {
        var out = ["# Suite \(name)", ""]
        if partial {
            out += ["*Partial: some runs are missing; `cellwise suite run` makes them.*", ""]
        }
        out += [
            "## Instances", "",
            "| instance | model | reference (s) | best known (s) | found by | runs |",
            "|---|---|---:|---:|---|---:|",
        ]
        for line in instances {
            out.append(
                "| \(line.name) | \(line.model) | \(String(format: "%.2f", line.referenceLatency)) | "
                    + "\(String(format: "%.2f", line.bestLatency)) | \(line.foundBy) | \(line.runs) |")
        }
        out += ["", "## Models", "", "| model file | SHA-256 |", "|---|---|"]
        var listed = Set<String>()
        for line in instances where listed.insert(line.modelFile.path).inserted {
            out.append("| \(line.modelFile.path) | \(line.modelFile.sha256.map { "`\($0)`" } ?? "not recorded") |")
        }
        out += [
            "", "## Gap to the best known plan (%, median over seeds) and ranks", "",
            "| strategy | " + instances.map(\.name).joined(separator: " | ") + " | mean rank |",
            "|---|" + instances.map { _ in "---:" }.joined(separator: "|") + "|---:|",
        ]
        for (s, strategy) in strategies.enumerated() {
            out.append(
                "| \(strategy) | " + medianGap.map { Self.percent($0[s]) }.joined(separator: " | ")
                    + " | \(String(format: "%.2f", meanRanks[s])) |")
        }
        out.append("")
        if let friedman {
            out.append(
                "Friedman test over \(friedman.blocks) instances and \(strategies.count) strategies: "
                    + "chi-squared \(String(format: "%.3f", friedman.statistic)), p = \(Self.p(friedman.pValue)).")
        }
        if let cd = criticalDifference {
            out.append(
                "Nemenyi critical difference at 0.05: \(String(format: "%.3f", cd)) (mean ranks further apart differ).")
        }
        out += [
            "", "## Pairwise Wilcoxon signed-rank tests on the median gaps (Holm-adjusted)", "",
            "| pair | W | p | p (Holm) | effect size | lower gaps |", "|---|---:|---:|---:|---:|---|",
        ]
        for pair in pairs {
            let better =
                pair.test.effectSize < 0 ? pair.first : pair.test.effectSize > 0 ? pair.second : "-"
            out.append(
                "| \(pair.first) vs \(pair.second) | \(String(format: "%g", pair.test.statistic)) | "
                    + "\(Self.p(pair.test.pValue)) | \(Self.p(pair.adjustedP)) | "
                    + "\(String(format: "%+.2f", pair.test.effectSize)) | \(better) |")
        }
        out += [
            "",
            "Effect size: the matched-pairs rank-biserial correlation of the first strategy's gaps against the "
                + "second's (-1: always lower).",
            "", "## Targets reached against the budget (ECDF)", "",
            "Share of (instance, target) pairs reached, targets at gaps of "
                + Self.targets.map { String(format: "%g%%", $0 * 100) }.joined(separator: ", ")
                + " above the best known latency (each pair shared by the strategy's runs).", "",
        ]
        let columns = ecdfGrid.enumerated().filter {
            [16, 64, 256, 1024].contains($0.element) || $0.offset == ecdfGrid.count - 1
        }
        out += [
            "| strategy | " + columns.map { String($0.element) }.joined(separator: " | ") + " |",
            "|---|" + columns.map { _ in "---:" }.joined(separator: "|") + "|",
        ]
        for (s, strategy) in strategies.enumerated() {
            out.append(
                "| \(strategy) | " + columns.map { String(format: "%.3f", ecdf[s][$0.offset]) }.joined(separator: " | ")
                    + " |")
        }
        out += [
            "", "## Held-out: the best plans on the test split", "",
            "| strategy | runs | validation drop (points) | test drop (points) | held-out violations |",
            "|---|---:|---:|---:|---:|",
        ]
        for line in heldOut {
            out.append(
                "| \(line.strategy) | \(line.runs) | \(String(format: "%.2f", line.validationDrop)) | "
                    + "\(String(format: "%.2f", line.testDrop)) | \(line.violations) of \(line.runs) |")
        }
        out += [
            "",
            "A held-out violation: the best plan's test accuracy is below the tolerance threshold of the "
                + "reference's test accuracy. The validation drop is the drop of the score the acceptance rule "
                + "credits (the validation accuracy under the paper's plain rule).",
        ]
        out += [
            "", "## The best plans this suite found", "", "| instance | latency (s) | found by | plan |",
            "|---|---:|---|---|",
        ]
        for line in instances {
            guard let best = line.bestFound else { continue }
            out.append(
                "| \(line.name) | \(String(format: "%.4f", best.latency)) | \(best.run) | `\(best.plan)` |")
        }
        if !rules.isEmpty {
            out += [
                "", "## Acceptance rules", "",
                "| rule | strategy | runs | gap to best known (%) | latency against plain (%) | test drop (points) "
                    + "| held-out violations |",
                "|---|---|---:|---:|---:|---:|---:|",
            ]
            for line in rules {
                let share = String(format: "%.0f", 100 * Double(line.violations) / Double(line.runs))
                let violations = "\(line.violations) of \(line.runs) (\(share)%)"
                out.append(
                    "| \(line.rule) | \(line.strategy) | \(line.runs) | \(Self.percent(line.medianGap)) | "
                        + "\(line.latencyAgainstPlain.map { String(format: "%+.2f", $0 * 100) } ?? "-") | "
                        + "\(String(format: "%.2f", line.testDrop)) | \(violations) |")
            }
            out += [
                "",
                "Gap: median over the rule's instances of the median over seeds (strategies pooled in `all`), against "
                    + "the best plan known under any rule. Latency against plain: median over runs of the best "
                    + "latency against the same instance, strategy and seed under the plain rule.",
            ]
        }
        return out.joined(separator: "\n") + "\n"
    }
}
