import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Plain words for an error from the file system or Foundation, for one-line messages:
/// "No space left on device", "File too large", "Permission denied", never a domain and a code.
public func describeSystemError(_ error: any Error) -> String {
    let nsError = error as NSError
    if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
    if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code)))
    }
    if let error = error as? CocoaError {
        switch error.code {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or directory"
        case .fileWriteNoPermission, .fileReadNoPermission: return "permission denied"
        case .fileWriteOutOfSpace: return "no space left on the device"
        case .fileWriteVolumeReadOnly: return "the file system is read-only"
        case .fileWriteFileExists: return "a file is in the way"
        default: break
        }
    }
    // Foundation's own descriptions of write failures end in "(NSCocoaErrorDomain error 512.)".
    if errno != 0 { return String(cString: strerror(errno)) }
    return "the operation failed"
}
