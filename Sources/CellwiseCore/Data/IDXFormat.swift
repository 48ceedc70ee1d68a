/// Readers for the IDX files of MNIST and Fashion-MNIST (optionally gzip-compressed).
///
/// An IDX file is a big-endian header (two zero bytes, a type byte 0x08 for unsigned bytes, the
/// number of dimensions, then each dimension as a 32-bit integer) followed by the data.
public enum IDXFormat {
    /// Reads an image file (magic 0x00000803: count x 28 x 28 bytes).
    public static func readImages(_ path: String) throws -> (pixels: [UInt8], count: Int) {
        let bytes = try Gzip.readFile(path)
        let dims = try header(bytes, path: path, magic: 0x0000_0803, dimensions: 3, kind: "image")
        guard dims[1] == LabeledImages.side, dims[2] == LabeledImages.side else {
            throw DataError(path, "images are \(dims[1])x\(dims[2]) pixels; expected 28x28")
        }
        let expected = 16 + dims[0] * LabeledImages.pixelCount
        guard bytes.count == expected else {
            throw DataError(
                path,
                "\(bytes.count) bytes for \(dims[0]) images; expected \(expected) (truncated or wrong pixel count)")
        }
        return (Array(bytes[16...]), dims[0])
    }

    /// Reads a label file (magic 0x00000801: count bytes).
    public static func readLabels(_ path: String) throws -> [UInt8] {
        let bytes = try Gzip.readFile(path)
        let dims = try header(bytes, path: path, magic: 0x0000_0801, dimensions: 1, kind: "label")
        guard bytes.count == 8 + dims[0] else {
            throw DataError(path, "\(bytes.count) bytes for \(dims[0]) labels; expected \(8 + dims[0]) (truncated)")
        }
        return Array(bytes[8...])
    }

    /// Reads an image file and its label file as one set.
    public static func read(images: String, labels: String) throws -> LabeledImages {
        let (pixels, count) = try readImages(images)
        let labelBytes = try readLabels(labels)
        guard labelBytes.count == count else {
            throw DataError(labels, "\(labelBytes.count) labels for \(count) images in \(images)")
        }
        return try LabeledImages(pixels: pixels, labels: labelBytes, source: labels)
    }

    private static func header(_ bytes: [UInt8], path: String, magic: UInt32, dimensions: Int, kind: String) throws
        -> [Int]
    {
        let headerSize = 4 + 4 * dimensions
        guard bytes.count >= 4 else {
            throw DataError(path, "too short for an IDX file (\(bytes.count) bytes)", reason: .malformed)
        }
        let found = readUInt32(bytes, at: 0)
        guard found == magic else {
            throw DataError(
                path,
                "bad IDX magic number 0x\(String(found, radix: 16, uppercase: false).leftPadded(to: 8)) for a \(kind) "
                    + "file; expected 0x\(String(magic, radix: 16).leftPadded(to: 8))"
            )
        }
        guard bytes.count >= headerSize else { throw DataError(path, "IDX header is truncated") }
        return (0..<dimensions).map { Int(readUInt32(bytes, at: 4 + 4 * $0)) }
    }

    private static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { ($0 << 8) | UInt32(bytes[offset + $1]) }
    }
}
