import Foundation

/// Where the `cellwise` binary finds what it runs beside it (the CKKS bridge in `tools/`, the
/// adapters' requirements in `strategies/`, the shipped data in `data/`) and where it makes its
/// Python environments.
///
/// The resource folder is, in order:
/// 1. `$CELLWISE_HOME`;
/// 2. the Cellwise checkout the executable was built in (`<checkout>/.build/release/cellwise`, or a
///    test bundle under `.build/`): the nearest folder above the executable that holds
///    `Package.swift` and `tools/ckks/`;
/// 3. `<prefix>/share/cellwise` for an executable at `<prefix>/bin/cellwise`, as `make install
///    PREFIX=<prefix>` lays it out.
///
/// Nothing depends on where the sources were compiled: a binary copied elsewhere, without either
/// layout, finds no resources and says so (naming `CELLWISE_HOME`) rather than using a checkout's.
/// Python environments go in the checkout's `.build/` or in `<prefix>/share/cellwise/environments`.
public struct Installation: Sendable, Equatable {
    /// The environment variable that names the resource folder.
    public static let environmentVariable = "CELLWISE_HOME"

    /// The resource folder (holds `tools/`, `strategies/`, `data/`).
    public let root: URL
    /// Whether `root` is a source checkout (rather than an installed `share/cellwise`).
    public let isCheckout: Bool

    /// Where Python environments are made.
    public var environments: URL {
        root.appendingPathComponent(isCheckout ? ".build" : "environments")
    }

    /// `relativePath` under the resource folder.
    public func resource(_ relativePath: String) -> String { root.appendingPathComponent(relativePath).path }

    /// The running executable's installation.
    ///
    /// - Throws: ``DataError`` naming `CELLWISE_HOME` when neither it nor a layout above the
    ///   executable is found.
    public static func current() throws -> Installation {
        try locate(environment: ProcessInfo.processInfo.environment, executable: executablePath())
    }

    /// The installation for an executable at `executable` (resolved) under `environment`.
    public static func locate(environment: [String: String], executable: String) throws -> Installation {
        if let home = environment[environmentVariable], !home.isEmpty {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: home, isDirectory: &isDirectory), isDirectory.boolValue
            else { throw DataError(home, "\(environmentVariable) is not a folder") }
            let url = URL(fileURLWithPath: home)
            return Installation(root: url, isCheckout: isCheckout(url))
        }
        var folder = URL(fileURLWithPath: executable).deletingLastPathComponent()
        while folder.path != "/" {
            if isCheckout(folder) { return Installation(root: folder, isCheckout: true) }
            if folder.lastPathComponent == "bin" {
                let share = folder.deletingLastPathComponent().appendingPathComponent("share/cellwise")
                if FileManager.default.fileExists(atPath: share.appendingPathComponent("tools").path) {
                    return Installation(root: share, isCheckout: false)
                }
            }
            folder = folder.deletingLastPathComponent()
        }
        throw DataError(
            executable,
            "no Cellwise resources beside this executable (neither a checkout above it nor ../share/cellwise): "
                + "install with `make install PREFIX=...` or set \(environmentVariable) to a checkout")
    }

    private static func isCheckout(_ folder: URL) -> Bool {
        let manager = FileManager.default
        return manager.fileExists(atPath: folder.appendingPathComponent("Package.swift").path)
            && manager.fileExists(atPath: folder.appendingPathComponent("tools/ckks").path)
    }

    /// The running executable's path with symbolic links resolved (`/proc/self/exe`).
    static func executablePath() -> String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().path
    }
}
