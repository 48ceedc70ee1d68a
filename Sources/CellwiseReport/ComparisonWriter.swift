import CellwiseCKKS
import CellwiseCore
import CellwiseSearch
import CellwiseTraining
import Foundation

/// Writes and reads a comparison's files.
public enum ComparisonWriter {
    /// The formats `cellwise export` can produce.
    public enum Format: String, CaseIterable, Sendable {
        case md, csv, tex, json, ipynb, svg
    }

    /// The plots.
    public enum Plot: String, CaseIterable, Sendable {
        case pareto, cells, anytime
    }

    /// Writes `<name>/` under `resultsDirectory`: `comparison.md`, `.csv`, `.tex`, `run.json`,
    /// `pareto.svg`, `cells.svg`, `anytime.svg` and the notebook `<name>.ipynb`. Returns the paths written.
    ///
    /// The files are written into a new directory beside the old one, which then replaces it, so a
    /// failure (a full disk) leaves the previous results whole and a reader never sees half old,
    /// half new results. A `traces/` directory of an interrupted run is carried over.
    @discardableResult
    public static func write(_ record: ComparisonRecord, resultsDirectory: String) throws -> [String] {
        let fileManager = FileManager.default
        let parent = URL(fileURLWithPath: resultsDirectory)
        let name = record.config.name
        let final = parent.appendingPathComponent(name)
        let staging = parent.appendingPathComponent(".\(name).writing-\(ProcessInfo.processInfo.processIdentifier)")
        let retired = parent.appendingPathComponent(".\(name).old-\(ProcessInfo.processInfo.processIdentifier)")
        let table = ComparisonTable(record)
        let files: [(String, () throws -> String)] = [
            ("comparison.md", { table.markdown }),
            ("comparison.csv", { table.csv }),
            ("comparison.tex", { table.latex }),
            ("pareto.svg", { ComparisonPlots.pareto(record) }),
            ("cells.svg", { ComparisonPlots.cells(record) }),
            ("anytime.svg", { ComparisonPlots.anytime(record) }),
            ("run.json", { try runJSON(record) }),
            ("\(name).ipynb", { try NotebookExport.notebook(for: record, runPath: "run.json") }),
        ]
        do {
            try? fileManager.removeItem(at: staging)
            try fileManager.createDirectory(at: staging, withIntermediateDirectories: true)
            for (file, text) in files {
                try AtomicFile.write(Data(try text().utf8), to: staging.appendingPathComponent(file).path)
            }
        } catch {
            try? fileManager.removeItem(at: staging)
            let problem = (error as? DataError).map(\.description) ?? describeSystemError(error)
            throw DataError(final.path, "cannot write the results (\(problem)); the previous results are unchanged")
        }
        // Swap: the old directory steps aside, the new one takes its place, the traces move over.
        // One writer at a time per results folder (another process may be writing the same name).
        let lock = try FileLock(parent.path, wait: true)
        defer { lock?.release() }
        do {
            try? fileManager.removeItem(at: retired)
            let hadOld = fileManager.fileExists(atPath: final.path)
            if hadOld { try fileManager.moveItem(at: final, to: retired) }
            do {
                try fileManager.moveItem(at: staging, to: final)
            } catch {
                if hadOld { try? fileManager.moveItem(at: retired, to: final) }
                throw error
            }
            let traces = retired.appendingPathComponent("traces")
            if hadOld, fileManager.fileExists(atPath: traces.path) {
                try fileManager.moveItem(at: traces, to: final.appendingPathComponent("traces"))
            }
            try? fileManager.removeItem(at: retired)
        } catch {
            try? fileManager.removeItem(at: staging)
            throw DataError(final.path, "cannot replace the results (\(describeSystemError(error)))")
        }
        return files.map { final.appendingPathComponent($0.0).path }
    }

    /// One export of `record` as text.
    public static func export(_ record: ComparisonRecord, format: Format, plot: Plot = .pareto, runPath: String) throws
        -> String
    {
        let table = ComparisonTable(record)
        switch format {
        case .md: return table.markdown
        case .csv: return table.csv
        case .tex: return table.latex
        case .json: return try runJSON(record)
        case .ipynb: return try NotebookExport.notebook(for: record, runPath: runPath)
        case .svg:
            switch plot {
            case .pareto: return ComparisonPlots.pareto(record)
            case .cells: return ComparisonPlots.cells(record)
            case .anytime: return ComparisonPlots.anytime(record)
            }
        }
    }

    /// `run.json`: compact, keys sorted (byte-identical for identical content).
    static func runJSON(_ record: ComparisonRecord) throws -> String {
        String(decoding: try JSONEncoder.cellwiseCompact.encode(record), as: UTF8.self) + "\n"
    }

    /// Reads a `run.json`, and checks that it is whole (``ComparisonRecord/incompleteness(expected:)``).
    ///
    /// - Throws: ``DataError`` naming the file and the problem.
    ///
    /// - Parameter allowingSingleRun: Accept a record of one run of its config (a suite's run file).
    public static func read(_ path: String, allowingSingleRun: Bool = false) throws -> ComparisonRecord {
        try read(path, allowingSingleRun: allowingSingleRun, checkingCompleteness: true)
    }

    /// Reads a `run.json`; without `checkingCompleteness` a record whose traces were cut (a test
    /// fixture kept small) reads too.
    static func read(_ path: String, allowingSingleRun: Bool = false, checkingCompleteness: Bool) throws
        -> ComparisonRecord
    {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DataError(path, "no such file", reason: .missing)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError(path, "cannot read the file", reason: .unreadable)
        }
        guard !data.isEmpty else { throw DataError(path, "file is empty", reason: .empty) }
        let decoder = JSONDecoder.cellwise
        do {
            let record = try decoder.decode(ComparisonRecord.self, from: data)
            guard record.format == "cellwise-comparison" else {
                throw DataError(path, "format is \"\(record.format)\", expected \"cellwise-comparison\"")
            }
            guard ComparisonRecord.readableVersions.contains(record.version) else {
                throw DataError(
                    path,
                    "run file version \(record.version) is not supported (this cellwise reads versions "
                        + "\(ComparisonRecord.readableVersions.lowerBound)-"
                        + "\(ComparisonRecord.readableVersions.upperBound))", reason: .unsupported)
            }
            do { try record.config.validate() } catch { throw DataError(path, "config: \(error)") }
            // A suite's run file holds one run of its config; a comparison's run.json all of them.
            let expected = (try? Comparison.runs(of: record.config)).map { $0.map { ($0.strategy, $0.seed) } }
            if checkingCompleteness,
                let problem = record.incompleteness(
                    expected: record.runs.count == 1 && allowingSingleRun ? nil : expected)
            {
                throw DataError(path, "is incomplete or altered (\(problem)); make it again with cellwise compare")
            }
            return record
        } catch let error as DataError {
            throw error
        } catch let error as DecodingError {
            throw DataError(path, "not a cellwise run file (\(describe(error)))", reason: .malformed)
        } catch {
            throw DataError(path, "not a cellwise run file", reason: .malformed)
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "missing key \(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "not valid JSON" : "bad value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
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
