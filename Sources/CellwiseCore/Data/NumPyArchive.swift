import Foundation

/// A NumPy `.npz` archive: named `.npy` arrays in a zip file (`numpy.savez`, stored, or
/// `numpy.savez_compressed`, deflated; zip64 entries as NumPy writes them).
public enum NumPyArchive {
    /// Reads every array of an `.npz` file, by name (without `.npy`).
    ///
    /// - Throws: ``DataError`` naming the file (and member) and what is wrong.
    public static func read(_ path: String) throws -> [String: NumPyArray] {
        let bytes = try Gzip.readFile(path)
        func fail(_ problem: String) -> DataError { DataError(path, problem) }
        // Every size and offset comes from the file: read them unsigned, check them against the
        // file's length before any arithmetic, and never let a sum overflow.
        func u16(_ at: Int) throws -> Int {
            guard at >= 0, at <= bytes.count - 2 else { throw fail("truncated zip archive") }
            return Int(bytes[at]) | Int(bytes[at + 1]) << 8
        }
        func u32(_ at: Int) throws -> Int { try u16(at) | u16(at + 2) << 16 }
        func u64(_ at: Int) throws -> Int {
            let high = try u32(at + 4)
            guard high < 1 << 31 else { throw fail("corrupt zip64 record (a size or offset of 2^63 or more)") }
            return try u32(at) | high << 32
        }
        /// `a + b`, refused when it leaves the file.
        func offset(_ a: Int, _ b: Int, _ what: String) throws -> Int {
            guard a >= 0, b >= 0, b <= bytes.count, a <= bytes.count - b else {
                throw fail("\(what) lies outside the file (\(bytes.count) bytes)")
            }
            return a + b
        }

        // The end of central directory record: the last "PK\5\6" within 64 KiB of the end.
        var end = -1
        var at = bytes.count - 22
        while at >= max(0, bytes.count - 22 - 65_535) {
            if bytes[at] == 0x50, bytes[at + 1] == 0x4B, bytes[at + 2] == 5, bytes[at + 3] == 6 {
                end = at
                break
            }
            at -= 1
        }
        guard end >= 0 else { throw fail("not a NumPy .npz archive (no zip directory)") }
        var entries = try u16(end + 10)
        var directory = try u32(end + 16)
        if entries == 0xFFFF || directory == 0xFFFF_FFFF {
            // zip64: the locator sits just before the record and points at the zip64 record.
            let locator = end - 20
            guard locator >= 0, try u32(locator) == 0x0706_4B50 else { throw fail("zip64 locator missing") }
            let record = try u64(locator + 8)
            guard try u32(record) == 0x0606_4B50 else { throw fail("zip64 directory record missing") }
            entries = try u64(record + 32)
            directory = try u64(record + 48)
        }
        // A directory entry takes at least 46 bytes.
        guard entries <= bytes.count / 46 else {
            throw fail("corrupt zip directory (\(entries) entries cannot fit in \(bytes.count) bytes)")
        }
        var arrays = [String: NumPyArray]()
        var cursor = directory
        for _ in 0..<entries {
            guard try u32(cursor) == 0x0201_4B50 else { throw fail("corrupt zip directory") }
            let method = try u16(cursor + 10)
            let crc = try u32(cursor + 16)
            var compressed = try u32(cursor + 20)
            var size = try u32(cursor + 24)
            let (nameLength, extraLength, commentLength) = try (u16(cursor + 28), u16(cursor + 30), u16(cursor + 32))
            var local = try u32(cursor + 42)
            let nameStart = try offset(cursor, 46, "a zip directory entry")
            let nameEnd = try offset(nameStart, nameLength, "a zip directory entry")
            let name = String(decoding: bytes[nameStart..<nameEnd], as: UTF8.self)
            // zip64 extra field: the 8-byte sizes and offset that did not fit.
            var extra = nameEnd
            let extraEnd = try offset(extra, extraLength, "the extra field of \(name)")
            while extra + 4 <= extraEnd {
                let (id, length) = try (u16(extra), u16(extra + 2))
                if id == 1 {
                    var field = extra + 4
                    if size == 0xFFFF_FFFF {
                        size = try u64(field)
                        field += 8
                    }
                    if compressed == 0xFFFF_FFFF {
                        compressed = try u64(field)
                        field += 8
                    }
                    if local == 0xFFFF_FFFF { local = try u64(field) }
                }
                extra += 4 + length
            }
            cursor = try offset(extraEnd, commentLength, "the comment of \(name)")
            guard try u32(local) == 0x0403_4B50 else { throw fail("corrupt zip entry \(name)") }
            let header = try offset(local, 30 + (try u16(local + 26)) + (try u16(local + 28)), "member \(name)")
            let data = try offset(header, 0, "member \(name)")
            guard compressed <= bytes.count - data else { throw fail("member \(name) is truncated") }
            let stored = Array(bytes[data..<(data + compressed)])
            let member = "\(path) member \(name)"
            let content: [UInt8]
            switch method {
            case 0: content = stored
            // Inflated to at most the declared size: a member that holds more (a zip bomb) is cut off there.
            case 8: content = try Gzip.inflateRaw(stored, limit: size, path: member)
            default: throw fail("member \(name) uses zip compression method \(method); save with numpy.savez")
            }
            guard content.count == size, Int(Gzip.crc32(content)) == crc else {
                throw fail("member \(name) is corrupt (size or CRC-32 does not match)")
            }
            guard name.hasSuffix(".npy") else { continue }
            arrays[String(name.dropLast(4))] = try NumPyArray(npy: content, name: member)
        }
        return arrays
    }

    /// Writes arrays as an uncompressed `.npz` (what `numpy.load` reads), atomically.
    ///
    /// - Throws: the file system's error when the file cannot be written.
    public static func write(_ arrays: [(name: String, array: NumPyArray)], to path: String) throws {
        var out = [UInt8]()
        var directory = [UInt8]()
        func le(_ value: Int, _ bytes: Int) -> [UInt8] {
            (0..<bytes).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
        }
        for (name, array) in arrays {
            let content = array.npyBytes
            let file = Array((name + ".npy").utf8)
            let crc = Int(Gzip.crc32(content))
            let offset = out.count
            precondition(offset + content.count < 0xFFFF_FFFF, "npz archives over 4 GiB are not written")
            // Version 2.0, no flags, stored, DOS time 0, then CRC and sizes.
            let common =
                le(20, 2) + le(0, 2) + le(0, 2) + le(0, 2) + le(0x21, 2) + le(crc, 4)
                + le(content.count, 4) + le(content.count, 4) + le(file.count, 2) + le(0, 2)
            out += le(0x0403_4B50, 4) + common + file + content
            directory +=
                le(0x0201_4B50, 4) + le(20, 2) + common + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4)
                + le(offset, 4) + file
        }
        let start = out.count
        out += directory
        out +=
            le(0x0605_4B50, 4) + le(0, 2) + le(0, 2) + le(arrays.count, 2) + le(arrays.count, 2)
            + le(directory.count, 4) + le(start, 4) + le(0, 2)
        try AtomicFile.write(Data(out), to: path)
    }
}
