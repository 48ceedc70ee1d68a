import Foundation

/// A 64-bit FNV-1a fingerprint of bytes, for telling inputs apart (model weights, data, settings).
///
/// Not cryptographic: it detects accidental change (a resumed trace from another set-up), not
/// tampering.
public struct Fingerprint: Sendable {
    private var hash: UInt64 = 0xcbf2_9ce4_8422_2325

    /// An empty fingerprint.
    public init() {}

    /// Mixes in raw bytes.
    public mutating func combine(bytes: UnsafeRawBufferPointer) {
        var h = hash
        for byte in bytes { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash = h
    }

    /// Mixes in the bit patterns of `values` and their count.
    public mutating func combine(_ values: [Float]) {
        combine(values.count)
        values.withUnsafeBytes { combine(bytes: $0) }
    }

    /// Mixes in `values` and their count.
    public mutating func combine(_ values: [UInt8]) {
        combine(values.count)
        values.withUnsafeBytes { combine(bytes: $0) }
    }

    /// Mixes in an integer.
    public mutating func combine(_ value: Int) {
        withUnsafeBytes(of: Int64(value).littleEndian) { combine(bytes: $0) }
    }

    /// Mixes in a string (its UTF-8 bytes and length).
    public mutating func combine(_ text: String) {
        let bytes = Array(text.utf8)
        combine(bytes)
    }

    /// The fingerprint as 16 hexadecimal digits.
    public var value: String { String(hash, radix: 16).leftPadded(to: 16) }
}

/// The fingerprint of `data`, as 16 hexadecimal digits.
public func fingerprint(_ data: Data) -> String {
    var print = Fingerprint()
    data.withUnsafeBytes { print.combine(bytes: $0) }
    return print.value
}
