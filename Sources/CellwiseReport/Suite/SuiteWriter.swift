import CellwiseCore
import Foundation

/// Writes a suite's report and each instance's comparison files.
public enum SuiteWriter {
    /// Writes `suites/<name>/report.md` (and `.csv`, `.tex`, `.ipynb`), `ecdf.csv`, `ecdf.svg`,
    /// `ranks.svg` (critical-difference diagram) and `suites/<name>/instances/<instance>/` (the
    /// comparison files of each instance, as `cellwise compare` writes them) under `results`.
    /// Returns the paths.
    @discardableResult
    public static func write(
        _ report: SuiteReport, records: [String: ComparisonRecord], config: SuiteConfig, results: String
    ) throws -> [String] {
        let directory = Suite.directory(of: config, results: results)
        let instances = directory.appendingPathComponent("instances")
        try FileManager.default.createDirectory(at: instances, withIntermediateDirectories: true)
        var written = [String]()
        for instance in config.instances {
            guard let record = records[instance.name] else { continue }
            try ComparisonWriter.write(record, resultsDirectory: instances.path)
            written.append(instances.appendingPathComponent(instance.name).path + "/")
        }
        var files = [String]()
        for (name, text) in [
            ("report.md", report.markdown), ("report.csv", report.csv), ("report.tex", report.latex),
            ("ecdf.csv", report.ecdfCSV), ("report.ipynb", try SuiteNotebook.notebook(for: report)),
            ("ecdf.svg", SuitePlots.ecdf(report)),
            ("ranks.svg", SuitePlots.criticalDifference(report)),
        ] {
            let path = directory.appendingPathComponent(name).path
            try AtomicFile.write(Data(text.utf8), to: path)
            files.append(path)
        }
        return files + written
    }
}
