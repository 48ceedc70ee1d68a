import ArgumentParser
import Cellwise
import Foundation

extension ComparisonWriter.Format: ExpressibleByArgument {}
extension ComparisonWriter.Plot: ExpressibleByArgument {}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Regenerate a table, plot or notebook from a comparison's run.json.",
        discussion: """
            Example:
              cellwise export --run results/paper-mnist5k/run.json --format tex --out table.tex
              cellwise export --run results/paper-mnist5k/run.json --format svg --plot cells --out cells.svg
              cellwise export --run results/paper-mnist5k/run.json --format ipynb --out notebook.ipynb
            """)

    @Option(name: .customLong("run"), help: "A run.json written by `cellwise compare`.")
    var runFile: String

    @Option(help: "md, csv, tex, json, ipynb or svg.")
    var format: ComparisonWriter.Format

    @Option(help: "With --format svg: pareto, cells or anytime.")
    var plot: ComparisonWriter.Plot = .pareto

    @Option(help: "Write here (atomically) instead of standard output.")
    var out: String?

    func run() throws {
        let record = try ComparisonWriter.read(runFile)
        // The notebook finds run.json relative to where it is written.
        let runPath =
            out.map {
                ComparisonWriter.relativePath(
                    from: URL(fileURLWithPath: $0).deletingLastPathComponent().path, to: runFile)
            }
            ?? runFile
        let text = try ComparisonWriter.export(record, format: format, plot: plot, runPath: runPath)
        if let out {
            try AtomicFile.write(Data(text.utf8), to: out)
        } else {
            print(text, terminator: "")
        }
    }
}
