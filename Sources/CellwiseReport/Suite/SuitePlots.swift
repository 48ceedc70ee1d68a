import Foundation

/// A suite's figures as standalone SVG files.
enum SuitePlots {
    private typealias P = ComparisonPlots

    /// The ECDF of (instance, target) pairs reached against evaluations (log scale), one step line
    /// per strategy, as COCO draws its runtime distributions.
    static func ecdf(_ report: SuiteReport) -> String {
        let (width, height) = (760.0, 420.0)
        let (left, right, top, bottom) = (60.0, 150.0, 40.0, 50.0)
        let last = Double(report.ecdfGrid.last ?? 2)
        let xHigh = log2(max(last, 2))
        func x(_ evaluations: Int) -> Double { left + log2(Double(evaluations)) / xHigh * (width - left - right) }
        func y(_ share: Double) -> Double { height - bottom - share * (height - top - bottom) }
        var svg = P.header(
            width: width, height: height,
            title: "\(report.name): share of (instance, target) pairs reached vs evaluations")
        svg += P.axes(
            xTicks: [], yTicks: [0, 0.2, 0.4, 0.6, 0.8, 1.0], x: { _ in 0 }, y: y, left: left, right: width - right,
            top: top, bottom: height - bottom, xLabel: "evaluations (log scale)", yLabel: "share of targets reached",
            yFormat: "%.1f")
        var tick = 1
        while Double(tick) <= last {
            svg +=
                "<line x1=\"\(P.number(x(tick)))\" y1=\"\(P.number(height - bottom))\" x2=\"\(P.number(x(tick)))\" "
                + "y2=\"\(P.number(height - bottom + 5))\" stroke=\"black\"/>\n"
            svg +=
                "<text x=\"\(P.number(x(tick)))\" y=\"\(P.number(height - bottom + 18))\" text-anchor=\"middle\" "
                + "font-size=\"11\">\(tick)</text>\n"
            tick *= 4
        }
        for (index, strategy) in report.strategies.enumerated() {
            let color = P.palette[index % P.palette.count]
            let values = report.ecdf[index]
            var path = "M\(P.number(x(report.ecdfGrid[0]))),\(P.number(y(values[0])))"
            for (n, share) in zip(report.ecdfGrid.dropFirst(), values.dropFirst()) {
                path += " H\(P.number(x(n))) V\(P.number(y(share)))"
            }
            svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            svg += P.legendEntry(
                index: index, color: color, label: "\(strategy) (\(String(format: "%.2f", values.last ?? 0)))",
                width: width, right: right, top: top)
        }
        return svg + "</svg>\n"
    }

    /// Demšar's critical-difference diagram: the strategies on an axis of mean ranks (1 = best),
    /// and bars joining the groups whose mean ranks differ by less than the critical difference.
    static func criticalDifference(_ report: SuiteReport) -> String {
        let k = report.strategies.count
        let order = report.strategies.indices.sorted { (report.meanRanks[$0], $0) < (report.meanRanks[$1], $1) }
        let half = (k + 1) / 2
        let (width, left, right) = (760.0, 170.0, 170.0)
        let axis = 70.0
        let height = axis + 60 + Double(max(half, k - half)) * 22
        func x(_ rank: Double) -> Double { left + (rank - 1) / Double(max(k - 1, 1)) * (width - left - right) }
        var title = "\(report.name): mean ranks over \(report.instances.count) instances"
        if let cd = report.criticalDifference { title += String(format: " (Nemenyi CD %.2f)", cd) }
        var svg = P.header(width: width, height: height, title: title)
        svg +=
            "<line x1=\"\(P.number(x(1)))\" y1=\"\(P.number(axis))\" x2=\"\(P.number(x(Double(k))))\" "
            + "y2=\"\(P.number(axis))\" stroke=\"black\"/>\n"
        for rank in 1...max(k, 1) {
            svg +=
                "<line x1=\"\(P.number(x(Double(rank))))\" y1=\"\(P.number(axis - 5))\" "
                + "x2=\"\(P.number(x(Double(rank))))\" y2=\"\(P.number(axis))\" stroke=\"black\"/>\n"
            svg +=
                "<text x=\"\(P.number(x(Double(rank))))\" y=\"\(P.number(axis - 9))\" text-anchor=\"middle\" "
                + "font-size=\"11\">\(rank)</text>\n"
        }
        if let cd = report.criticalDifference {
            svg +=
                "<line x1=\"\(P.number(x(1)))\" y1=\"32\" x2=\"\(P.number(x(1 + cd)))\" y2=\"32\" "
                + "stroke=\"black\" stroke-width=\"2\"/>\n"
            svg +=
                "<text x=\"\(P.number(x(1 + cd) + 6))\" y=\"36\" font-size=\"11\">CD</text>\n"
        }
        for (position, index) in order.enumerated() {
            let rank = report.meanRanks[index]
            let onLeft = position < half
            let row = onLeft ? position : k - 1 - position
            let ly = axis + 40 + Double(row) * 22
            let lx = onLeft ? left - 10 : width - right + 10
            svg +=
                "<polyline points=\"\(P.number(x(rank))),\(P.number(axis)) \(P.number(x(rank))),\(P.number(ly)) "
                + "\(P.number(lx)),\(P.number(ly))\" fill=\"none\" stroke=\"black\"/>\n"
            svg +=
                "<text x=\"\(P.number(onLeft ? lx - 4 : lx + 4))\" y=\"\(P.number(ly + 4))\" "
                + "text-anchor=\"\(onLeft ? "end" : "start")\" font-size=\"12\">"
                + "\(P.escape(report.strategies[index])) (\(String(format: "%.2f", rank)))</text>\n"
        }
        // Maximal groups of strategies (consecutive in rank) that the test cannot separate.
        if let cd = report.criticalDifference {
            var groups = [(Int, Int)]()
            for start in order.indices {
                var end = start
                while end + 1 < order.count
                    && report.meanRanks[order[end + 1]] - report.meanRanks[order[start]] < cd
                {
                    end += 1
                }
                if end > start, !groups.contains(where: { $0.0 <= start && $0.1 >= end }) {
                    groups.append((start, end))
                }
            }
            for (number, group) in groups.enumerated() {
                let gy = axis + 12 + Double(number % 4) * 6
                svg +=
                    "<line x1=\"\(P.number(x(report.meanRanks[order[group.0]]) - 4))\" y1=\"\(P.number(gy))\" "
                    + "x2=\"\(P.number(x(report.meanRanks[order[group.1]]) + 4))\" y2=\"\(P.number(gy))\" "
                    + "stroke=\"black\" stroke-width=\"3\"/>\n"
            }
        }
        return svg + "</svg>\n"
    }
}
