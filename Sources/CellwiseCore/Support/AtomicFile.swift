import Foundation

/// Writes result files so that readers never see a partial file.
public enum AtomicFile {
    /// Writes `data` to a temporary file beside `path`, then renames it into place.
    ///
    /// - Throws: ``DataError`` naming `path` when the directory is missing or not writable.
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw DataError(path, "cannot create the directory \(directory.path) (\(describeSystemError(error)))")
            }
        } else if !isDirectory.boolValue {
            throw DataError(path, "\(directory.path) is not a directory")
        }
        do {
            errno = 0
            try data.write(to: url, options: .atomic)
        } catch {
            throw DataError(path, "cannot write the file (\(describeSystemError(error)))")
        }
    }
}
