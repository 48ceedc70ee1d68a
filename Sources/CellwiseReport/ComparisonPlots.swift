import CellwiseCKKS
import CellwiseCore
import CellwiseSearch
import CellwiseTraining
import Foundation

/// The comparison's figures as standalone SVG files.
enum ComparisonPlots {
    /// Colours of the series, in strategy order.
    static let palette = [
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
        "#393b79", "#637939",
    ]

    static func number(_ x: Double) -> String { String(format: "%.2f", x) }

    /// One legend entry right of a plot: a short line in `color` and `label` (escaped here), the
    /// `index`-th entry from `top`, for a plot `width` wide with a `right` margin.
    static func legendEntry(index: Int, color: String, label: String, width: Double, right: Double, top: Double)
        -> String
    {
        let ly = top + 20 + Double(index) * 20
        return "<line x1=\"\(number(width - right + 14))\" y1=\"\(number(ly - 4))\" "
            + "x2=\"\(number(width - right + 26))\" y2=\"\(number(ly - 4))\" "
            + "stroke=\"\(color)\" stroke-width=\"2.5\"/>\n"
            + "<text x=\"\(number(width - right + 30))\" y=\"\(number(ly))\" font-size=\"12\">\(escape(label))</text>\n"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: ">", with: "&gt;")
    }

    /// "Nice" tick values covering [low, high].
    static func ticks(_ low: Double, _ high: Double, count: Int = 5) -> [Double] {
        let span = max(high - low, 1e-12)
        let raw = span / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var values = [Double]()
        var v = (low / step).rounded(.up) * step
        while v <= high + 1e-9 * span {
            values.append(v)
            v += step
        }
        return values
    }

    /// Validation accuracy against latency: each strategy's Pareto front (over all its seeds),
    /// the reference plan marked, and the tolerance threshold as a dashed line.
    static func pareto(_ record: ComparisonRecord) -> String {
        let (width, height) = (760.0, 460.0)
        let (left, right, top, bottom) = (70.0, 170.0, 40.0, 50.0)
        var series = [(name: String, points: [PlanRecord])]()
        for name in record.config.strategies {
            let points = record.runs.filter { $0.strategy == name }.flatMap(\.pareto)
            // The front of the union of the runs' fronts.
            let sorted = points.sorted { ($0.latencySeconds, -$0.valAccuracy) < ($1.latencySeconds, -$1.valAccuracy) }
            var front = [PlanRecord]()
            var best = -Double.infinity
            for p in sorted where p.valAccuracy > best {
                front.append(p)
                best = p.valAccuracy
            }
            series.append((name, front))
        }
        let reference = record.reference
        let threshold = record.config.tolerance.threshold(reference: reference.valAccuracy)
        // Show accuracies down to a little below the threshold (far worse plans are clipped).
        let floor = threshold - 3 * max(reference.valAccuracy - threshold, 0.001)
        let all = (series.flatMap(\.points) + [reference]).filter { $0.valAccuracy >= floor }
        var (xLow, xHigh) = (all.map(\.latencySeconds).min() ?? 0, all.map(\.latencySeconds).max() ?? 1)
        var (yLow, yHigh) = (max(all.map(\.valAccuracy).min() ?? 0, floor), all.map(\.valAccuracy).max() ?? 1)
        let xPad = max((xHigh - xLow) * 0.05, 1)
        let yPad = max((yHigh - yLow) * 0.05, 0.002)
        (xLow, xHigh, yLow, yHigh) = (xLow - xPad, xHigh + xPad, yLow - yPad, yHigh + yPad)
        func x(_ v: Double) -> Double { left + (v - xLow) / (xHigh - xLow) * (width - left - right) }
        func y(_ v: Double) -> Double { height - bottom - (v - yLow) / (yHigh - yLow) * (height - top - bottom) }

        var svg = header(
            width: width, height: height,
            title: "\(record.config.name): validation accuracy vs CKKS latency (Pareto fronts)")
        svg += axes(
            xTicks: ticks(xLow, xHigh), yTicks: ticks(yLow, yHigh), x: x, y: y, left: left, right: width - right,
            top: top, bottom: height - bottom, xLabel: "latency (s, \(record.config.profile))",
            yLabel: "validation accuracy",
            yFormat: "%.3f")
        svg +=
            "<line x1=\"\(number(left))\" y1=\"\(number(y(threshold)))\" x2=\"\(number(width - right))\" "
            + "y2=\"\(number(y(threshold)))\" stroke=\"#888\" stroke-dasharray=\"5,4\"/>\n"
        svg +=
            "<text x=\"\(number(left + 4))\" y=\"\(number(y(threshold) + 14))\" font-size=\"11\" "
            + "fill=\"#666\">tolerance threshold</text>\n"
        for (index, s) in series.enumerated() {
            let color = palette[index % palette.count]
            let visible = s.points.filter { $0.valAccuracy >= yLow }
            if visible.count > 1 {
                var path = ""
                for (i, p) in visible.enumerated() {
                    path +=
                        i == 0
                        ? "M\(number(x(p.latencySeconds))),\(number(y(p.valAccuracy)))"
                        : " H\(number(x(p.latencySeconds))) V\(number(y(p.valAccuracy)))"
                }
                svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" opacity=\"0.8\"/>\n"
            }
            for p in visible {
                svg +=
                    "<circle cx=\"\(number(x(p.latencySeconds)))\" cy=\"\(number(y(p.valAccuracy)))\" r=\"3.5\" "
                    + "fill=\"\(color)\"><title>\(escape(s.name)): \(escape(p.plan)) \(number(p.latencySeconds)) "
                    + "s, \(String(format: "%.4f", p.valAccuracy))</title></circle>\n"
            }
            let ly = top + 20 + Double(index) * 20
            svg += "<circle cx=\"\(number(width - right + 20))\" cy=\"\(number(ly - 4))\" r=\"4\" fill=\"\(color)\"/>\n"
            svg +=
                "<text x=\"\(number(width - right + 30))\" y=\"\(number(ly))\" "
                + "font-size=\"12\">\(escape(s.name))</text>\n"
        }
        let (rx, ry) = (x(reference.latencySeconds), y(reference.valAccuracy))
        svg +=
            "<path d=\"M\(number(rx)),\(number(ry - 8)) L\(number(rx + 7)),\(number(ry)) "
            + "L\(number(rx)),\(number(ry + 8)) L\(number(rx - 7)),\(number(ry)) Z\" "
            + "fill=\"black\"><title>reference \(escape(reference.plan))</title></path>\n"
        svg +=
            "<text x=\"\(number(rx - 10))\" y=\"\(number(ry - 10))\" text-anchor=\"end\" font-size=\"11\">reference "
            + "\(escape(reference.plan))</text>\n"
        let ly = top + 20 + Double(series.count) * 20
        svg += "<path d=\"M\(number(width - right + 20)),\(number(ly - 10)) l5,6 l-5,6 l-5,-6 Z\" fill=\"black\"/>\n"
        svg += "<text x=\"\(number(width - right + 30))\" y=\"\(number(ly))\" font-size=\"12\">reference</text>\n"
        return svg + "</svg>\n"
    }

    /// For each time step, the share of each strategy's accepted plans (over its seeds) that lower
    /// it to each cheaper candidate (the paper's Figures 2-4): one panel per strategy.
    static func cells(_ record: ComparisonRecord) -> String {
        let lower = Array(record.config.candidateTokens.dropLast())
        // The paper's candidates are degrees ("degree 7"); others are named by their token ("7w").
        func label(_ token: String) -> String { token.allSatisfy(\.isNumber) ? "degree \(token)" : token }
        let cells = record.reference.counts.reduce(0, +)
        let panelHeight = 120.0
        let (left, right, top) = (60.0, 20.0, 76.0)
        let width = 760.0
        let strategies = record.config.strategies
        let height = top + Double(strategies.count) * (panelHeight + 30) + 40
        var svg = header(
            width: width, height: height, title: "\(record.config.name): where accepted plans lower the degree")
        // Legend.
        for (i, degree) in lower.enumerated() {
            let lx = left + Double(i) * 110
            svg +=
                "<rect x=\"\(number(lx))\" y=\"\(number(top - 48))\" width=\"12\" height=\"12\" "
                + "fill=\"\(palette[(i + 3) % palette.count])\"/>\n"
            svg +=
                "<text x=\"\(number(lx + 16))\" y=\"\(number(top - 38))\" font-size=\"12\">"
                + "\(escape(label(degree)))</text>\n"
        }
        let barWidth = (width - left - right) / Double(max(cells, 1))
        for (panel, name) in strategies.enumerated() {
            let plans = record.runs.filter { $0.strategy == name }.flatMap(\.accepted).compactMap {
                try? ActivationPlan(parsing: $0)
            }
            let y0 = top + Double(panel) * (panelHeight + 30)
            let base = y0 + panelHeight
            svg +=
                "<text x=\"\(number(left))\" y=\"\(number(y0 - 4))\" font-size=\"12\" "
                + "font-weight=\"bold\">\(escape(name)) (\(plans.count) accepted plans)</text>\n"
            svg +=
                "<line x1=\"\(number(left))\" y1=\"\(number(base))\" x2=\"\(number(width - right))\" "
                + "y2=\"\(number(base))\" stroke=\"black\"/>\n"
            svg +=
                "<line x1=\"\(number(left))\" y1=\"\(number(y0))\" x2=\"\(number(left))\" y2=\"\(number(base))\" "
                + "stroke=\"black\"/>\n"
            for share in [0.0, 0.5, 1.0] {
                let ty = base - share * panelHeight
                svg +=
                    "<text x=\"\(number(left - 6))\" y=\"\(number(ty + 4))\" text-anchor=\"end\" "
                    + "font-size=\"10\">\(Int(share * 100))%</text>\n"
            }
            for cell in 0..<cells {
                var stacked = 0.0
                for (i, degree) in lower.enumerated() {
                    let count = plans.filter {
                        $0.activations.count == cells && $0.activations[cell].description == degree
                    }.count
                    guard count > 0, !plans.isEmpty else { continue }
                    let share = Double(count) / Double(plans.count)
                    let h = share * panelHeight
                    svg +=
                        "<rect x=\"\(number(left + Double(cell) * barWidth + 1))\" "
                        + "y=\"\(number(base - stacked - h))\" width=\"\(number(barWidth - 2))\" "
                        + "height=\"\(number(h))\" fill=\"\(palette[(i + 3) % palette.count])\"><title>cell "
                        + "\(cell): \(count) of \(plans.count) plans at \(escape(label(degree)))</title></rect>\n"
                    stacked += h
                }
                if cell % 3 == 0 || cell == cells - 1 {
                    svg +=
                        "<text x=\"\(number(left + (Double(cell) + 0.5) * barWidth))\" y=\"\(number(base + 12))\" "
                        + "text-anchor=\"middle\" font-size=\"10\">\(cell)</text>\n"
                }
            }
        }
        svg +=
            "<text x=\"\(number(width / 2))\" y=\"\(number(height - 8))\" text-anchor=\"middle\" "
            + "font-size=\"12\">time step (cell)</text>\n"
        return svg + "</svg>\n"
    }

    static func header(width: Double, height: Double, title: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \
        \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(number(width / 2))" y="20" text-anchor="middle" font-size="14">\(escape(title))</text>

        """
    }

    static func axes(
        xTicks: [Double], yTicks: [Double], x: (Double) -> Double, y: (Double) -> Double,
        left: Double, right: Double, top: Double, bottom: Double, xLabel: String, yLabel: String,
        yFormat: String
    ) -> String {
        var svg =
            "<rect x=\"\(number(left))\" y=\"\(number(top))\" width=\"\(number(right - left))\" "
            + "height=\"\(number(bottom - top))\" fill=\"none\" stroke=\"black\"/>\n"
        for t in xTicks {
            svg +=
                "<line x1=\"\(number(x(t)))\" y1=\"\(number(bottom))\" x2=\"\(number(x(t)))\" "
                + "y2=\"\(number(bottom + 5))\" stroke=\"black\"/>\n"
            svg +=
                "<text x=\"\(number(x(t)))\" y=\"\(number(bottom + 18))\" text-anchor=\"middle\" "
                + "font-size=\"11\">\(String(format: "%g", t))</text>\n"
        }
        for t in yTicks {
            svg +=
                "<line x1=\"\(number(left - 5))\" y1=\"\(number(y(t)))\" x2=\"\(number(left))\" "
                + "y2=\"\(number(y(t)))\" stroke=\"black\"/>\n"
            svg +=
                "<text x=\"\(number(left - 8))\" y=\"\(number(y(t) + 4))\" text-anchor=\"end\" "
                + "font-size=\"11\">\(String(format: yFormat, t))</text>\n"
        }
        svg +=
            "<text x=\"\(number((left + right) / 2))\" y=\"\(number(bottom + 38))\" text-anchor=\"middle\" "
            + "font-size=\"12\">\(escape(xLabel))</text>\n"
        svg +=
            "<text x=\"16\" y=\"\(number((top + bottom) / 2))\" text-anchor=\"middle\" font-size=\"12\" "
            + "transform=\"rotate(-90 16 \(number((top + bottom) / 2)))\">\(escape(yLabel))</text>\n"
        return svg
    }
}
