import Foundation

/// A NumPy array in the `.npy` format (versions 1.0-3.0): its shape and its values.
///
/// Reads little-endian or byte-order-free numeric dtypes (`f4`, `f8`, `f2` is not read, `i1`-`i8`,
/// `u1`-`u8`, `b1`) in C order; writes `<f4` and `<i8`. Values are kept as Float64 (exact for
/// every Float32 and for integers below 2^53).
public struct NumPyArray: Sendable, Equatable {
    /// The dimensions (empty for a scalar).
    public var shape: [Int]
    /// The values in C (row-major) order.
    public var values: [Double]
    /// The dtype as read (`<f4`, `|u1`, ...), or the one written.
    public var descr: String

    /// The number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// Creates an array; `descr` is `<f4` or `<i8` for writing.
    public init(shape: [Int], values: [Double], descr: String = "<f4") {
        precondition(shape.reduce(1, *) == values.count, "shape and values disagree")
        self.shape = shape
        self.values = values
        self.descr = descr
    }

    /// Reads a `.npy` file (optionally gzip-compressed).
    ///
    /// - Throws: ``DataError`` naming the file and what is wrong with it.
    public static func read(_ path: String) throws -> NumPyArray {
        try NumPyArray(npy: Gzip.readFile(path), name: path)
    }

    private static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Parses `.npy` bytes; `name` names the array in errors.
    public init(npy bytes: [UInt8], name: String) throws {
        func fail(_ problem: String) -> DataError { DataError(name, problem) }
        guard bytes.count >= 10, Array(bytes[0..<6]) == Self.magic else {
            throw fail("not a NumPy .npy array (bad magic string)")
        }
        let major = bytes[6]
        let (lengthBytes, start): (Int, Int)
        switch major {
        case 1: (lengthBytes, start) = (2, 10)
        case 2, 3: (lengthBytes, start) = (4, 12)
        default: throw fail(".npy format version \(major).\(bytes[7]) is not one Cellwise reads (1.0-3.0)")
        }
        guard bytes.count >= start else { throw fail("truncated .npy header") }
        var headerLength = 0
        for i in 0..<lengthBytes { headerLength |= Int(bytes[8 + i]) << (8 * i) }
        guard start + headerLength <= bytes.count else { throw fail("truncated .npy header") }
        let header = String(decoding: bytes[start..<(start + headerLength)], as: UTF8.self)
        guard let descr = Self.field("descr", in: header), let order = Self.field("fortran_order", in: header),
            let shapeText = Self.field("shape", in: header)
        else { throw fail("the .npy header lacks descr, fortran_order or shape: \(header)") }
        let dtype = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        guard order == "False" else {
            throw fail("is stored in Fortran order; save it with numpy.ascontiguousarray")
        }
        let dims = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() ")).split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var shape = [Int]()
        for d in dims {
            guard let n = Int(d), n >= 0, n < 1 << 31 else { throw fail("bad dimension \(d) in shape \(shapeText)") }
            shape.append(n)
        }
        // Checked arithmetic: a header may declare any shape; its element count must not overflow.
        var count = 1
        for n in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: n)
            guard !overflow else { throw fail("shape \(shapeText) has more elements than any file can hold") }
            count = product
        }
        guard dtype.count >= 3, let width = Int(dtype.dropFirst(2)), [1, 2, 4, 8].contains(width) else {
            throw fail("has dtype \(dtype); Cellwise reads numbers (float32/64, integers, bool)")
        }
        let kind = dtype.dropFirst().first!
        guard dtype.first! != ">" || width == 1 else {
            throw fail("has big-endian dtype \(dtype); save it little-endian (array.astype('<\(kind)\(width)'))")
        }
        guard "fiub".contains(kind), kind != "f" || width >= 4 else {
            throw fail(
                "has dtype \(dtype)\(kind == "U" || kind == "S" ? " (strings): save labels as integers 0..C-1" : "");"
                    + " Cellwise reads float32/64, integers and bool")
        }
        let body = start + headerLength
        let (needed, overflow) = count.multipliedReportingOverflow(by: width)
        guard !overflow, bytes.count - body == needed else {
            let size = overflow ? "more than 2^63" : String(needed)
            throw fail("holds \(bytes.count - body) bytes of data, shape \(shape) of \(dtype) needs \(size)")
        }
        var values = [Double](repeating: 0, count: count)
        bytes.withUnsafeBufferPointer { raw in
            for index in 0..<count {
                var bits: UInt64 = 0
                let offset = body + index * width
                for b in 0..<width { bits |= UInt64(raw[offset + b]) << (8 * b) }
                switch (kind, width) {
                case ("f", 4): values[index] = Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
                case ("f", _): values[index] = Double(bitPattern: bits)
                case ("i", _):
                    let shift = UInt64(64 - 8 * width)
                    values[index] = Double(Int64(bitPattern: bits << shift) >> Int64(shift))
                default: values[index] = Double(bits)
                }
            }
        }
        self.init(shape: shape, values: values, descr: dtype)
    }

    /// The value of `key` in the header's Python dict literal.
    private static func field(_ key: String, in header: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\"") else { return nil }
        var rest = header[keyRange.upperBound...].drop { $0 == " " || $0 == ":" }
        if rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else { return nil }
            return String(rest[...close])
        }
        if let end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) { rest = rest[..<end] }
        return rest.trimmingCharacters(in: .whitespaces)
    }

    /// The array as `.npy` version 1.0 bytes (`<f4` or `<i8`, C order).
    public var npyBytes: [UInt8] {
        let integer = descr == "<i8"
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = "{'descr': '\(integer ? "<i8" : "<f4")', 'fortran_order': False, 'shape': (\(dims)), }"
        // Pad with spaces so that the data starts at a multiple of 64 bytes; end with a newline.
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var bytes = Self.magic + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        bytes += Array(header.utf8)
        bytes.reserveCapacity(bytes.count + values.count * (integer ? 8 : 4))
        for value in values {
            if integer {
                let bits = UInt64(bitPattern: Int64(value))
                for b in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * b))) }
            } else {
                let bits = Float(value).bitPattern
                for b in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * b))) }
            }
        }
        return bytes
    }
}
