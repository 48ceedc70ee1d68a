import Foundation
import _CellwiseZlib

/// zlib, for the compressed data files: gzip streams, the raw deflate streams of `.npz`
/// archives, and CRC-32.
enum Gzip {
    /// Whether `bytes` starts with the gzip magic number 1f 8b.
    static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Decompresses a complete gzip stream.
    ///
    /// - Parameter path: Named in errors.
    /// - Throws: ``DataError`` when the stream is corrupt or ends early.
    static func decompress(_ bytes: [UInt8], path: String) throws -> [UInt8] {
        guard isCompressed(bytes) else {
            throw DataError(path, "not a gzip file (bad magic number)", reason: .malformed)
        }
        return try inflateStream(
            bytes, windowBits: 15 + 16, kind: "gzip", limit: maximumExpansion(of: bytes.count), path: path)
    }

    /// Decompresses a raw deflate stream (a zip member) of `limit` bytes (its declared size),
    /// `path` naming it in errors. A stream that holds more is cut off at the limit and refused,
    /// so memory stays bounded whatever the member holds.
    static func inflateRaw(_ bytes: [UInt8], limit: Int, path: String) throws -> [UInt8] {
        guard limit <= maximumExpansion(of: bytes.count) else {
            throw DataError(
                path, "declares \(limit) bytes from \(bytes.count) compressed, more than deflate can expand to")
        }
        return try inflateStream(bytes, windowBits: -15, kind: "deflate", limit: limit, path: path)
    }

    /// The most `count` deflated bytes can expand to: deflate's ratio is at most 1032:1.
    static func maximumExpansion(of count: Int) -> Int {
        count.multipliedReportingOverflow(by: 1032).overflow ? Int.max : count * 1032 + (1 << 16)
    }

    /// Compresses `bytes` into a raw deflate stream (what a zip member holds), at level 9.
    static func deflateRaw(_ bytes: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        guard
            deflateInit2_(
                &stream, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
                == Z_OK
        else { throw DataError("deflate", "cannot initialise zlib") }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))))
        let status = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out -> Int32 in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw DataError("deflate", "zlib error \(status)") }
        return Array(output.prefix(Int(stream.total_out)))
    }

    /// The CRC-32 of `bytes` (as zip and gzip use it).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(_CellwiseZlib.crc32(0, $0.baseAddress, uInt($0.count))) }
    }

    private static func inflateStream(_ bytes: [UInt8], windowBits: Int32, kind: String, limit: Int, path: String)
        throws -> [UInt8]
    {
        var stream = z_stream()
        guard inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError(path, "cannot initialise zlib")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        output.reserveCapacity(min(limit, bytes.count * 4))
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        var status: Int32 = Z_OK
        try bytes.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = uInt(input.count)
            repeat {
                status = buffer.withUnsafeMutableBufferPointer { out -> Int32 in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(chunk)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk - Int(stream.avail_out)
                guard produced <= limit - output.count else {
                    throw DataError(path, "\(kind) stream inflates to more than \(limit) bytes (its declared size)")
                }
                output.append(contentsOf: buffer[0..<produced])
                switch status {
                case Z_OK, Z_STREAM_END: break
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw DataError(
                        path, "truncated \(kind) stream (ends after \(bytes.count) bytes)", reason: .malformed)
                default:
                    throw DataError(path, "corrupt \(kind) stream (zlib error \(status))")
                }
            } while status != Z_STREAM_END
        }
        return output
    }

    /// Reads a file, decompressing it when it is gzip-compressed.
    ///
    /// - Throws: ``DataError`` when the file is missing, unreadable, empty or corrupt.
    static func readFile(_ path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataError(path, "no such file", reason: .missing)
        }
        guard !isDirectory.boolValue else { throw DataError(path, "is a directory, expected a file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError(path, "cannot read the file", reason: .unreadable)
        }
        let bytes = [UInt8](data)
        guard !bytes.isEmpty else { throw DataError(path, "file is empty", reason: .empty) }
        return isCompressed(bytes) ? try decompress(bytes, path: path) : bytes
    }
}
