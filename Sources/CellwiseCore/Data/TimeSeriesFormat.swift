import Foundation

/// Labelled multivariate time series, as read from a file: each case is `channels` series of the
/// same length (lengths may differ between cases), with a class index.
public struct LabeledSeries: Sendable, Equatable {
    /// One case: `values[channel][step]`.
    public struct Case: Sendable, Equatable {
        /// The values, channel by channel.
        public let values: [[Float]]
        /// The class index, into ``LabeledSeries/classNames``.
        public let label: Int

        /// The number of time steps.
        public var length: Int { values.first?.count ?? 0 }
    }

    /// The problem's name (`@problemName`).
    public let name: String
    /// Channels per time step.
    public let channels: Int
    /// The class labels as the file names them, in the order of `@classLabel`.
    public let classNames: [String]
    /// The cases, in file order.
    public let cases: [Case]
}

/// A reader of the `.ts` text format of the UEA/UCR time-series archive (sktime/aeon): `#`
/// comments, `@` header lines (`@problemName`, `@dimensions`, `@equalLength`, `@seriesLength`,
/// `@classLabel true A B ...`, ...), then `@data` and one case per line, channels separated by `:`,
/// values by `,`, the class label last. Files may be gzip-compressed.
///
/// ```swift
/// let train = try TimeSeriesFormat.read("data/timeseries/JapaneseVowels_TRAIN.ts.gz")
/// print(train.cases.count, train.channels, train.classNames)   // 270 12 ["1", ..., "9"]
/// ```
public enum TimeSeriesFormat {
    /// Reads a `.ts` file.
    ///
    /// - Throws: ``DataError`` naming the file and line of the first problem: a missing or
    ///   malformed header, a case with the wrong number of channels, channels of different
    ///   lengths, a non-finite or non-numeric value, a missing value (`?`), or an unknown label.
    public static func read(_ path: String) throws -> LabeledSeries {
        let bytes = try Gzip.readFile(path)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw DataError(path, "is not UTF-8 text") }
        var name = ""
        var dimensions: Int?
        var classNames: [String]?
        var seriesLength: Int?
        var inData = false
        var cases = [LabeledSeries.Case]()
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let lineNumber = index + 1
            func fail(_ problem: String) -> DataError { DataError(path, "line \(lineNumber): \(problem)") }
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if !inData {
                guard line.hasPrefix("@") else { throw fail("expected a @ header line before @data") }
                let parts: [String] = line.split(whereSeparator: { (c: Character) in c == " " || c == "\t" }).map(
                    String.init)
                switch parts[0].lowercased() {
                case "@problemname":
                    name = parts.dropFirst().joined(separator: " ")
                case "@dimensions":
                    guard parts.count == 2, let d = Int(parts[1]), (1...10_000).contains(d) else {
                        throw fail("@dimensions must be a count 1-10000")
                    }
                    dimensions = d
                case "@serieslength":
                    guard parts.count == 2, let n = Int(parts[1]), n >= 1 else {
                        throw fail("@seriesLength must be a count")
                    }
                    seriesLength = n
                case "@classlabel":
                    guard parts.count >= 3, parts[1].lowercased() == "true" else {
                        throw fail("@classLabel must be true followed by the class labels (a classification problem)")
                    }
                    let labels = Array(parts.dropFirst(2))
                    guard Set(labels).count == labels.count else { throw fail("@classLabel repeats a label") }
                    classNames = labels
                case "@missing":
                    guard parts.count == 2, parts[1].lowercased() == "false" else {
                        throw fail("missing values are not supported (@missing must be false)")
                    }
                case "@data":
                    guard let classNames, !classNames.isEmpty else { throw fail("@data before @classLabel") }
                    inData = true
                default:
                    continue  // @timeStamps, @univariate, @equalLength, @targetLabel ...: informative only
                }
                continue
            }
            guard let classNames else { throw fail("no @classLabel") }
            var fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 2 else { throw fail("expected channels separated by ':' and a class label") }
            let labelText = fields.removeLast().trimmingCharacters(in: .whitespaces)
            guard let label = classNames.firstIndex(of: labelText) else {
                throw fail(
                    "class label \"\(labelText)\" is not one of @classLabel (\(classNames.joined(separator: " ")))")
            }
            if let dimensions, fields.count != dimensions {
                throw fail("\(fields.count) channels; @dimensions says \(dimensions)")
            }
            var values = [[Float]]()
            for (channel, field) in fields.enumerated() {
                var series = [Float]()
                for item in field.split(separator: ",", omittingEmptySubsequences: false) {
                    let trimmed = item.trimmingCharacters(in: .whitespaces)
                    guard trimmed != "?", let value = Float(trimmed) else {
                        throw fail(
                            "channel \(channel + 1): \"\(trimmed)\" is not a number (missing values are not supported)")
                    }
                    guard value.isFinite else { throw fail("channel \(channel + 1): \(trimmed) is not finite") }
                    series.append(value)
                }
                if let first = values.first, first.count != series.count {
                    throw fail("channel \(channel + 1) has \(series.count) values, channel 1 has \(first.count)")
                }
                values.append(series)
            }
            if let seriesLength, values[0].count != seriesLength {
                throw fail("\(values[0].count) time steps; @seriesLength says \(seriesLength)")
            }
            if let first = cases.first, first.values.count != values.count {
                throw fail("\(values.count) channels; the first case has \(first.values.count)")
            }
            cases.append(LabeledSeries.Case(values: values, label: label))
        }
        guard inData else { throw DataError(path, "no @data section (not a .ts file)", reason: .malformed) }
        guard !cases.isEmpty else { throw DataError(path, "no cases after @data") }
        return LabeledSeries(
            name: name, channels: cases[0].values.count, classNames: classNames ?? [], cases: cases)
    }
}
