import Foundation

/// Writes and reads a comparison's files.
public enum ComparisonWriter {
    /// The formats `cellwise export` can produce.
    public enum Format: String, CaseIterable, Sendable {
        case md, csv, tex, json, ipynb, svg
    }

    /// The plots.
    public enum Plot: String, CaseIterable, Sendable {
        case pareto, cells
    }

    /// Writes `results/<name>/{comparison.md,csv,tex, run.json, pareto.svg, cells.svg}` under
    /// `resultsDirectory` and `<name>.ipynb` under `notebooksDirectory`. Every file is written
    /// atomically. Returns the paths written.
    @discardableResult
    public static func write(_ record: ComparisonRecord, resultsDirectory: String, notebooksDirectory: String) throws -> [String] {
        let directory = URL(fileURLWithPath: resultsDirectory).appendingPathComponent(record.config.name)
        let runPath = directory.appendingPathComponent("run.json").path
        let notebookPath = URL(fileURLWithPath: notebooksDirectory).appendingPathComponent("\(record.config.name).ipynb").path
        let table = ComparisonTable(record)
        let files: [(String, String)] = [
            (directory.appendingPathComponent("comparison.md").path, table.markdown),
            (directory.appendingPathComponent("comparison.csv").path, table.csv),
            (directory.appendingPathComponent("comparison.tex").path, table.latex),
            (directory.appendingPathComponent("pareto.svg").path, ComparisonPlots.pareto(record)),
            (directory.appendingPathComponent("cells.svg").path, ComparisonPlots.cells(record)),
            (runPath, try runJSON(record)),
            (notebookPath, try NotebookExport.notebook(for: record, runPath: relativePath(from: notebooksDirectory, to: runPath))),
        ]
        for (path, text) in files { try AtomicFile.write(Data(text.utf8), to: path) }
        return files.map(\.0)
    }

    /// One export of `record` as text.
    public static func export(_ record: ComparisonRecord, format: Format, plot: Plot = .pareto, runPath: String) throws -> String {
        let table = ComparisonTable(record)
        switch format {
        case .md: return table.markdown
        case .csv: return table.csv
        case .tex: return table.latex
        case .json: return try runJSON(record)
        case .ipynb: return try NotebookExport.notebook(for: record, runPath: runPath)
        case .svg: return plot == .pareto ? ComparisonPlots.pareto(record) : ComparisonPlots.cells(record)
        }
    }

    /// `run.json`: compact, keys sorted (byte-identical for identical content).
    public static func runJSON(_ record: ComparisonRecord) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(record), as: UTF8.self) + "\n"
    }

    /// Reads a `run.json`.
    ///
    /// - Throws: ``DataError`` naming the file and the problem.
    public static func read(_ path: String) throws -> ComparisonRecord {
        guard FileManager.default.fileExists(atPath: path) else { throw DataError(path, "no such file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw DataError(path, "cannot read the file") }
        guard !data.isEmpty else { throw DataError(path, "file is empty") }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            let record = try decoder.decode(ComparisonRecord.self, from: data)
            guard record.format == "cellwise-comparison" else { throw DataError(path, "format is \"\(record.format)\", expected \"cellwise-comparison\"") }
            guard record.version == 1 else { throw DataError(path, "run file version \(record.version) is not supported (this cellwise reads version 1)") }
            return record
        } catch let error as DataError {
            throw error
        } catch let error as DecodingError {
            throw DataError(path, "not a cellwise run file (\(describe(error)))")
        } catch {
            throw DataError(path, "not a cellwise run file")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "missing key \(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "bad value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        @unknown default: return "cannot decode"
        }
    }

    /// The path of `target` relative to `directory` (both made absolute).
    public static func relativePath(from directory: String, to target: String) -> String {
        let from = URL(fileURLWithPath: directory).standardizedFileURL.pathComponents
        let to = URL(fileURLWithPath: target).standardizedFileURL.pathComponents
        var common = 0
        while common < min(from.count, to.count) && from[common] == to[common] { common += 1 }
        let ups = Array(repeating: "..", count: from.count - common)
        return (ups + to[common...]).joined(separator: "/")
    }
}
