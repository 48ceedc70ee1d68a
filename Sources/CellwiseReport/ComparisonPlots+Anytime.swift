import Foundation

extension ComparisonPlots {
    /// Anytime curves: the best latency within tolerance against evaluations spent (log scale),
    /// per strategy the median over its seeds and the interquartile band.
    static func anytime(_ record: ComparisonRecord) -> String {
        let (width, height) = (760.0, 460.0)
        let (left, right, top, bottom) = (70.0, 170.0, 40.0, 50.0)
        let budget = max(2, record.config.budget)
        let grid = SuiteReport.logGrid(budget: budget)
        let summaries = record.anytime(grid: grid)
        let finite = summaries.flatMap { $0.points.flatMap { [$0.lower, $0.median, $0.upper] } }.filter(\.isFinite)
        let referenceLatency = record.reference.latencySeconds
        var (yLow, yHigh) = (finite.min() ?? 0, max(finite.max() ?? 1, referenceLatency))
        let yPad = max((yHigh - yLow) * 0.05, 1)
        (yLow, yHigh) = (yLow - yPad, yHigh + yPad)
        let (xLow, xHigh) = (0.0, log2(Double(budget)))
        func x(_ evaluations: Int) -> Double {
            left + (log2(Double(evaluations)) - xLow) / (xHigh - xLow) * (width - left - right)
        }
        func y(_ v: Double) -> Double {
            height - bottom - (min(v, yHigh) - yLow) / (yHigh - yLow) * (height - top - bottom)
        }
        var svg = header(
            width: width, height: height,
            title: "\(record.config.name): best latency within tolerance vs evaluations (median, quartiles)")
        var xTicks = [Double]()
        var tick = 1
        while tick < budget {
            xTicks.append(log2(Double(tick)))
            tick *= 4
        }
        svg += axes(
            xTicks: [], yTicks: ticks(yLow, yHigh), x: { _ in 0 }, y: y, left: left, right: width - right, top: top,
            bottom: height - bottom, xLabel: "evaluations (log scale)",
            yLabel: "best latency within tolerance (s, \(record.config.profile))", yFormat: "%g")
        for t in xTicks + [xHigh] {
            let n = Int(Foundation.pow(2, t).rounded())
            let px = x(n)
            svg +=
                "<line x1=\"\(number(px))\" y1=\"\(number(height - bottom))\" x2=\"\(number(px))\" "
                + "y2=\"\(number(height - bottom + 5))\" stroke=\"black\"/>\n"
            svg +=
                "<text x=\"\(number(px))\" y=\"\(number(height - bottom + 18))\" text-anchor=\"middle\" "
                + "font-size=\"11\">\(n)</text>\n"
        }
        for (index, summary) in summaries.enumerated() {
            let color = palette[index % palette.count]
            let points = summary.points.filter { $0.median.isFinite }
            guard !points.isEmpty else { continue }
            // The band: upper edge forwards, lower edge back (steps, as best-so-far values move).
            var band = "M\(number(x(points[0].evaluations))),\(number(y(points[0].upper)))"
            for b in points.dropFirst() { band += " H\(number(x(b.evaluations))) V\(number(y(b.upper)))" }
            band += " V\(number(y(points[points.count - 1].lower)))"
            for i in stride(from: points.count - 1, to: 0, by: -1) {
                band += " V\(number(y(points[i - 1].lower))) H\(number(x(points[i - 1].evaluations)))"
            }
            band += " Z"
            svg += "<path d=\"\(band)\" fill=\"\(color)\" opacity=\"0.12\" stroke=\"none\"/>\n"
            var line = "M\(number(x(points[0].evaluations))),\(number(y(points[0].median)))"
            for b in points.dropFirst() { line += " H\(number(x(b.evaluations))) V\(number(y(b.median)))" }
            svg += "<path d=\"\(line)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\"/>\n"
            let last = points[points.count - 1]
            svg +=
                "<circle cx=\"\(number(x(last.evaluations)))\" cy=\"\(number(y(last.median)))\" r=\"3\" "
                + "fill=\"\(color)\"><title>\(escape(summary.strategy)): median \(number(last.median)) s after "
                + "\(last.evaluations) evaluations</title></circle>\n"
            svg += legendEntry(
                index: index, color: color, label: summary.strategy, width: width, right: right, top: top)
        }
        svg +=
            "<line x1=\"\(number(left))\" y1=\"\(number(y(referenceLatency)))\" x2=\"\(number(width - right))\" "
            + "y2=\"\(number(y(referenceLatency)))\" stroke=\"#888\" stroke-dasharray=\"5,4\"/>\n"
        svg +=
            "<text x=\"\(number(width - right - 4))\" y=\"\(number(y(referenceLatency) - 5))\" text-anchor=\"end\" "
            + "font-size=\"11\" fill=\"#666\">reference \(escape(record.reference.plan))</text>\n"
        return svg + "</svg>\n"
    }
}
