import CellwiseCKKS
import CellwiseCore
import CellwiseSearch
import CellwiseTraining
import Foundation

/// The comparison table: one row per strategy, aggregated over its runs (seeds).
///
/// Hypervolume: the area (in accuracy x seconds) of the latency-accuracy region a strategy's
/// Pareto front dominates, inside the box whose reference point is (the reference plan's latency,
/// the tolerance threshold of its validation accuracy). Plans slower than the reference or below
/// the threshold add nothing; larger is better.
public struct ComparisonTable: Sendable {
    /// One row.
    public struct Row: Sendable {
        /// Strategy name (or `reference`).
        public var strategy: String
        /// Runs aggregated.
        public var runs: Int
        /// Mean evaluations.
        public var evaluations: Double
        /// Mean wall time in seconds.
        public var wallSeconds: Double
        /// Mean and standard deviation of the best plan's latency.
        public var latency: (mean: Double, std: Double)
        /// Mean bootstraps of the best plan.
        public var bootstraps: Double
        /// Mean count of cells per degree in the best plan.
        public var counts: [Double]
        /// Mean validation accuracy of the best plan.
        public var valAccuracy: Double
        /// Mean test accuracy of the best plan.
        public var testAccuracy: Double?
        /// Mean number of accepted plans.
        public var accepted: Double
        /// Mean hypervolume.
        public var hypervolume: Double
    }

    /// The candidates' tokens (column order of the counts).
    public var candidates: [String]
    /// The exact model's validation and test accuracy (every cell exact), stated next to the
    /// reference so a reader sees what the reference itself costs in accuracy.
    public var exact: (plan: String, valAccuracy: Double, testAccuracy: Double)
    /// Whether the tolerance was measured against the exact model (rather than the reference plan).
    public var toleranceAgainstExact: Bool
    /// Whether the comparison was interrupted.
    public var partial: Bool
    /// The reference row first, then one row per strategy in config order.
    public var rows: [Row]
    /// Each strategy's anytime summary at 16, 64, 256, ... evaluations and the budget.
    public var anytime: [AnytimeSummary]

    /// Builds the table from a comparison record.
    public init(_ record: ComparisonRecord) {
        candidates = record.config.candidateTokens
        partial = record.partial
        toleranceAgainstExact = record.config.reference == .exact
        exact = (
            "t*\(record.reference.counts.reduce(0, +))", record.model.validationAccuracyTanh,
            record.model.testAccuracyTanh
        )
        let r = record.reference
        var rows = [
            Row(
                strategy: "reference (\(r.plan))", runs: 1, evaluations: 1, wallSeconds: 0,
                latency: (r.latencySeconds, 0),
                bootstraps: Double(r.bootstraps), counts: r.counts.map(Double.init), valAccuracy: r.valAccuracy,
                testAccuracy: r.testAccuracy, accepted: 0, hypervolume: 0)
        ]
        for name in record.config.strategies {
            let runs = record.runs.filter { $0.strategy == name }
            guard !runs.isEmpty else { continue }
            func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
            let latencies = runs.map(\.best.latencySeconds)
            let m = mean(latencies)
            let std =
                runs.count > 1
                ? (latencies.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(runs.count - 1)).squareRoot() : 0
            let tests = runs.compactMap(\.best.testAccuracy)
            rows.append(
                Row(
                    strategy: name, runs: runs.count, evaluations: mean(runs.map { Double($0.evaluations) }),
                    wallSeconds: mean(runs.map(\.wallSeconds)), latency: (m, std),
                    bootstraps: mean(runs.map { Double($0.best.bootstraps) }),
                    counts: candidates.indices.map { i in mean(runs.map { Double($0.best.counts[i]) }) },
                    valAccuracy: mean(runs.map(\.best.valAccuracy)),
                    testAccuracy: tests.count == runs.count ? mean(tests) : nil,
                    accepted: mean(runs.map { Double($0.accepted.count) }), hypervolume: mean(runs.map(\.hypervolume))))
        }
        self.rows = rows
        anytime = record.anytime(grid: AnytimeSummary.grid(budget: record.config.budget, from: 16, factor: 4))
    }

    private var countsHeader: String { "(" + candidates.map { "n\($0)" }.joined(separator: ", ") + ")" }

    /// The exact model's row: its accuracies, and "-" where it has no CKKS figures.
    private func exactCells(dash: String) -> [String] {
        ["exact model (\(exact.plan))" + (toleranceAgainstExact ? ", the tolerance's base" : "")]
            + Array(repeating: dash, count: 6)
            + [Self.number(exact.valAccuracy, 4), Self.number(exact.testAccuracy, 4), dash, dash]
    }

    private static func number(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

    private static func compact(_ x: Double) -> String {
        x == x.rounded() ? String(Int(x)) : String(format: "%.1f", x)
    }

    private func latencyText(_ row: Row, plusMinus: String) -> String {
        row.runs > 1
            ? "\(Self.number(row.latency.mean, 2))\(plusMinus)\(Self.number(row.latency.std, 2))"
            : Self.number(row.latency.mean, 2)
    }

    private func cells(_ row: Row, plusMinus: String) -> [String] {
        [
            row.strategy, String(row.runs), Self.compact(row.evaluations), Self.number(row.wallSeconds, 2),
            latencyText(row, plusMinus: plusMinus), Self.compact(row.bootstraps),
            "(" + row.counts.map(Self.compact).joined(separator: ", ") + ")",
            Self.number(row.valAccuracy, 4), row.testAccuracy.map { Self.number($0, 4) } ?? "-",
            Self.compact(row.accepted), Self.number(row.hypervolume, 3),
        ]
    }

    private var headers: [String] {
        [
            "strategy", "runs", "evaluations", "wall time (s)", "latency (s)", "bootstraps", countsHeader,
            "val acc", "test acc", "accepted", "hypervolume",
        ]
    }

    /// GitHub-flavoured Markdown.
    public var markdown: String {
        var lines = [
            "| " + headers.joined(separator: " | ") + " |",
            "|" + headers.indices.map { $0 == 0 ? "---" : "---:" }.joined(separator: "|") + "|",
        ]
        for (index, row) in rows.enumerated() {
            lines.append("| " + cells(row, plusMinus: " ± ").joined(separator: " | ") + " |")
            if index == 0 { lines.append("| " + exactCells(dash: "-").joined(separator: " | ") + " |") }
        }
        if let grid = anytime.first?.points.map(\.evaluations) {
            lines += [
                "", "Best latency within tolerance (s) after n evaluations: median over seeds [quartiles].", "",
                "| strategy | " + grid.map(String.init).joined(separator: " | ") + " |",
                "|---|" + grid.map { _ in "---:" }.joined(separator: "|") + "|",
            ]
            for summary in anytime {
                let runs = rows.first { $0.strategy == summary.strategy }?.runs ?? 1
                lines.append(
                    "| \(summary.strategy) | "
                        + summary.points.map { Self.anytimeText($0, quartiles: runs > 1) }.joined(separator: " | ")
                        + " |")
            }
        }
        if partial {
            lines.append(
                "\n*Partial results: the comparison was interrupted; continue it with `cellwise compare --resume`.*")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A median and its quartiles (`-` before any plan within tolerance).
    private static func anytimeText(_ point: AnytimeSummary.Point, quartiles: Bool) -> String {
        func text(_ x: Double) -> String { x.isFinite ? number(x, 2) : "-" }
        return quartiles && point.lower != point.upper
            ? "\(text(point.median)) [\(text(point.lower)), \(text(point.upper))]" : text(point.median)
    }

    /// CSV with one number per column (means and standard deviations separate).
    public var csv: String {
        var header = [
            "strategy", "runs", "evaluations_mean", "wall_seconds_mean", "latency_seconds_mean", "latency_seconds_std",
            "bootstraps_mean",
        ]
        header += candidates.map { "n\($0)_mean" }
        header += ["val_accuracy_mean", "test_accuracy_mean", "accepted_mean", "hypervolume_mean"]
        var lines = [header.joined(separator: ",")]
        for row in rows {
            var fields = [
                Self.csvField(row.strategy), String(row.runs), "\(row.evaluations)", "\(row.wallSeconds)",
                "\(row.latency.mean)", "\(row.latency.std)", "\(row.bootstraps)",
            ]
            fields += row.counts.map { "\($0)" }
            fields += [
                "\(row.valAccuracy)", row.testAccuracy.map { "\($0)" } ?? "", "\(row.accepted)", "\(row.hypervolume)",
            ]
            lines.append(fields.joined(separator: ","))
            if lines.count == 2 {
                let empty = Array(repeating: "", count: 6 + candidates.count)
                lines.append(
                    ([Self.csvField("exact model (\(exact.plan))")] + empty
                        + ["\(exact.valAccuracy)", "\(exact.testAccuracy)", "", ""]).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func csvField(_ text: String) -> String {
        text.contains(",") || text.contains("\"")
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    /// A LaTeX `tabular` with booktabs rules (needs `\usepackage{booktabs}`).
    public var latex: String {
        func escape(_ s: String) -> String {
            s.replacingOccurrences(of: "\\", with: "\\textbackslash{}").replacingOccurrences(of: "_", with: "\\_")
                .replacingOccurrences(of: "&", with: "\\&").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "#", with: "\\#").replacingOccurrences(of: "*", with: "$\\times$")
        }
        var lines = [
            "% Generated by cellwise \(CellwiseVersion.current); needs \\usepackage{booktabs}",
            "\\begin{tabular}{l" + String(repeating: "r", count: headers.count - 1) + "}",
            "\\toprule",
            headers.map(escape).joined(separator: " & ") + " \\\\",
            "\\midrule",
        ]
        for (index, row) in rows.enumerated() {
            lines.append(
                cells(row, plusMinus: " $\\pm$ ").enumerated().map { $0.offset == 4 ? $0.element : escape($0.element) }
                    .joined(separator: " & ") + " \\\\")
            if index == 0 {
                lines.append(exactCells(dash: "--").map(escape).joined(separator: " & ") + " \\\\")
                lines.append("\\midrule")
            }
        }
        lines += ["\\bottomrule", "\\end{tabular}"]
        return lines.joined(separator: "\n") + "\n"
    }
}
