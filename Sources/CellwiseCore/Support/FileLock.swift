import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An advisory lock (`flock`) on a file or folder, held until the value is released or goes
/// away: what keeps two Cellwise processes that share an output folder from writing the same
/// results at once. A process that dies releases its locks with it.
package final class FileLock {
    private var descriptor: Int32

    /// Locks `path` (a folder, or a file made empty if missing), waiting for another holder when
    /// `wait` is true.
    ///
    /// - Returns: nil when `wait` is false and another process holds the lock.
    /// - Throws: ``DataError`` naming the path when it cannot be opened or locked.
    package init?(_ path: String, wait: Bool) throws {
        var isDirectory: ObjCBool = false
        let folder = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        descriptor = folder ? open(path, O_RDONLY | O_CLOEXEC) : open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw DataError(path, "cannot be locked (\(String(cString: strerror(errno))))")
        }
        while flock(descriptor, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            let error = errno
            close(descriptor)
            if error == EWOULDBLOCK { return nil }
            throw DataError(path, "cannot be locked (\(String(cString: strerror(error))))")
        }
    }

    /// Releases the lock (also done when the value goes away).
    package func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
