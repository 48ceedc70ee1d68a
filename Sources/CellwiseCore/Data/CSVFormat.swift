/// The CSV layout of the shipped MNIST sample: one image per line, 784 pixel values 0-255
/// (row-major 28x28) followed by the label 0-9, comma separated, no header. The file may be
/// gzip-compressed.
public enum CSVFormat {
    /// Reads a CSV file in the MNIST-sample layout.
    ///
    /// - Throws: ``DataError`` naming the file and line of the first problem.
    public static func read(_ path: String) throws -> LabeledImages {
        let bytes = try Gzip.readFile(path)
        var pixels = [UInt8]()
        var labels = [UInt8]()
        var fields = [Int]()
        fields.reserveCapacity(LabeledImages.pixelCount + 1)
        var line = 1
        var value = -1  // -1: no digit yet in this field
        var lineHasContent = false

        func fail(_ problem: String) -> DataError { DataError(path, "line \(line): \(problem)") }

        func endField() throws {
            guard value >= 0 else { throw fail("empty or non-numeric field \(fields.count + 1)") }
            fields.append(value)
            value = -1
        }
        func endLine() throws {
            defer {
                line += 1
                fields.removeAll(keepingCapacity: true)
                lineHasContent = false
            }
            guard lineHasContent else { return }  // blank line
            try endField()
            guard fields.count == LabeledImages.pixelCount + 1 else {
                throw fail("\(fields.count) values; expected \(LabeledImages.pixelCount) pixels and a label")
            }
            for (i, p) in fields.prefix(LabeledImages.pixelCount).enumerated() where p > 255 {
                throw fail("pixel \(i + 1) is \(p); expected 0-255")
            }
            let label = fields[LabeledImages.pixelCount]
            guard label < LabeledImages.classCount else { throw fail("label \(label) is outside 0-9") }
            for p in fields.prefix(LabeledImages.pixelCount) { pixels.append(UInt8(p)) }
            labels.append(UInt8(label))
        }

        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                lineHasContent = true
                value = (value < 0 ? 0 : value) * 10 + Int(byte - UInt8(ascii: "0"))
                if value > 1_000_000 { throw fail("value too large") }
            case UInt8(ascii: ","):
                lineHasContent = true
                try endField()
            case UInt8(ascii: "\n"):
                try endLine()
            case UInt8(ascii: "\r"), UInt8(ascii: " "), UInt8(ascii: "\t"):
                continue
            default:
                throw fail("unexpected character '\(Character(Unicode.Scalar(byte)))'")
            }
        }
        try endLine()
        guard !labels.isEmpty else { throw DataError(path, "no images in the file") }
        return try LabeledImages(pixels: pixels, labels: labels, source: path)
    }
}
