import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseCore

/// Containers whose declared sizes lie: each must be a one-line ``DataError``, never a trap, and
/// memory must stay bounded by what the file declares (issue 25).
@Suite struct HostileContainerTests {
    /// A version 1.0 `.npy` header for `shape` (a Python tuple literal) followed by `body`.
    static func npy(shape: String, descr: String = "<f4", body: [UInt8] = []) -> [UInt8] {
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let length = header.utf8.count
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8)
            + body
    }

    static func le(_ value: UInt64, _ bytes: Int) -> [UInt8] {
        (0..<bytes).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    /// A zip file that is only a zip64 end record, its locator and the classic end record, with
    /// `entries` and `offset` in the zip64 record.
    static func zip64(entries: UInt64, offset: UInt64) -> [UInt8] {
        var record = Array("PK\u{6}\u{6}".utf8) + le(44, 8) + le(45, 2) + le(45, 2) + le(0, 4) + le(0, 4)
        record += le(entries, 8) + le(entries, 8) + le(0, 8) + le(offset, 8)
        let locator = Array("PK\u{6}\u{7}".utf8) + le(0, 4) + le(0, 8) + le(1, 4)
        let end =
            Array("PK\u{5}\u{6}".utf8) + le(0, 2) + le(0, 2) + le(0xFFFF, 2) + le(0xFFFF, 2) + le(0xFFFF_FFFF, 4)
            + le(0xFFFF_FFFF, 4) + le(0, 2)
        return record + locator + end
    }

    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = try TestData.directory().appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aShapeWhoseProductOverflowsIsRefused() throws {
        for shape in ["(2147483647, 2147483647, 2147483647)", "(4294967296, 4294967296)", "(3037000500, 3037000500)"] {
            #expect(throws: DataError.self, "\(shape)") {
                try NumPyArray(npy: Self.npy(shape: shape), name: "x.npy")
            }
        }
        // The element count fits, its bytes do not.
        let error = #expect(throws: DataError.self) {
            try NumPyArray(npy: Self.npy(shape: "(2147483647, 2147483647)", descr: "<f8"), name: "x.npy")
        }
        #expect(error?.problem.contains("needs more than 2^63") == true, "\(String(describing: error))")
    }

    @Test func zip64CountsAndOffsetsNearTwoToTheSixtyFourAreRefused() throws {
        for (entries, offset) in [
            (UInt64(1) << 63 + 5, UInt64(0)), (3, UInt64.max - 9), (3, UInt64(1) << 63 - 2), (UInt64.max, 1 << 63),
            (UInt64(1) << 62, 0), (2, UInt64(1) << 40),
        ] {
            let path = try write(Self.zip64(entries: entries, offset: offset), "z.npz")
            #expect(throws: DataError.self, "entries \(entries), offset \(offset)") { try NumPyArchive.read(path) }
        }
    }

    /// A deflated member that holds 64 MiB but declares 144 bytes is cut off at its declared size.
    @Test func aMemberBiggerThanItsDeclaredSizeIsCutOffThere() throws {
        let content = Self.npy(shape: "(4,)", body: [UInt8](repeating: 0, count: 16))
        let real = content + [UInt8](repeating: 0, count: 64 << 20)
        let deflated = try Gzip.deflateRaw(real)
        let crc = UInt64(Gzip.crc32(content))
        let name = Array("x_train.npy".utf8)
        let common =
            Self.le(20, 2) + Self.le(0, 2) + Self.le(8, 2) + Self.le(0, 4) + Self.le(crc, 4)
            + Self.le(UInt64(deflated.count), 4) + Self.le(UInt64(content.count), 4) + Self.le(UInt64(name.count), 2)
            + Self.le(0, 2)
        let local = Array("PK\u{3}\u{4}".utf8) + common + name + deflated
        let directory =
            Array("PK\u{1}\u{2}".utf8) + Self.le(20, 2) + common + Self.le(0, 2) + Self.le(0, 2) + Self.le(0, 2)
            + Self.le(0, 4) + Self.le(0, 4) + name
        let end =
            Array("PK\u{5}\u{6}".utf8) + Self.le(0, 2) + Self.le(0, 2) + Self.le(1, 2) + Self.le(1, 2)
            + Self.le(UInt64(directory.count), 4) + Self.le(UInt64(local.count), 4) + Self.le(0, 2)
        let path = try write(local + directory + end, "bomb.npz")
        let error = #expect(throws: DataError.self) { try NumPyArchive.read(path) }
        #expect(
            error?.problem.contains("inflates to more than \(content.count) bytes (its declared size)") == true,
            "\(String(describing: error))")
        // A member can never declare more than deflate expands to.
        #expect(throws: DataError.self) { try Gzip.inflateRaw(deflated, limit: deflated.count * 2000, path: "m") }
    }

    @Test func float64ValuesBeyondFloat32AreRefused() throws {
        let directory = try TestData.directory()
        let x = NumPyArray(shape: [2, 3, 1], values: [0.5, 1e300, -0.25, 1, 2, 3], descr: "<f8")
        let y = NumPyArray(shape: [2], values: [0, 1], descr: "<i8")
        // NumPyArray writes float32 or int64; write the float64 body by hand.
        let body = x.values.flatMap { Self.le($0.bitPattern, 8) }
        for name in ["x_train", "x_test"] {
            try Data(Self.npy(shape: "(2, 3, 1)", descr: "<f8", body: body)).write(
                to: directory.appendingPathComponent("\(name).npy"))
        }
        for name in ["y_train", "y_test"] {
            try Data(y.npyBytes).write(to: directory.appendingPathComponent("\(name).npy"))
        }
        let error = #expect(throws: DataError.self) { try NumPyDataset.read(directory.path) }
        #expect(error?.problem.contains("beyond float32's range") == true, "\(String(describing: error))")
    }

}
