import Cellwise
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// A file-scope name for the system call (inside StandardOutput, `write` names its method).
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

/// Standard output written directly to file descriptor 1, remembering the first failed write so
/// that a command whose output was lost (a closed pipe, /dev/full) exits with an error.
enum StandardOutput {
    private static let failure = Mutex<String?>(nil)

    /// Writes `text` completely, or records why it could not.
    static func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { systemWrite(1, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                let problem = String(cString: strerror(errno))
                failure.withLock { if $0 == nil { $0 = problem } }
                return
            }
            offset += n
        }
        bytes.removeAll()
    }

    /// Throws when a write to standard output failed.
    static func check() throws {
        if let problem = failure.withLock({ $0 }) {
            throw DataError("standard output", "cannot write (\(problem))")
        }
    }
}

/// `print` for the commands: goes through ``StandardOutput`` so that a failed write is an error.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    StandardOutput.write(items.map { "\($0)" }.joined(separator: separator) + terminator)
}
