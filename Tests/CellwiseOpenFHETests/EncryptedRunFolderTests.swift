import CellwiseCore
import Foundation
import Testing

@testable import CellwiseOpenFHE

/// The private folder that holds an unfinished run's secret key is a real folder of this user's,
/// mode 0700, with no link inside: anything else is refused before a key is written.
@Suite struct EncryptedRunFolderTests {
    static func folder() throws -> EncryptedRunFolder {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cellwise-run-\(UUID())")
        return try EncryptedRunFolder(url: url, description: ["plan": "3*28"])
    }

    @Test func thePrivateFolderIsMadeWithMode0700() throws {
        let run = try Self.folder()
        let own = try run.privateURL(for: .all)
        for path in [own.path, own.deletingLastPathComponent().path] {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect(attributes[.posixPermissions] as? Int == 0o700)
        }
        // A folder left with a wider mode is tightened on resume.
        chmod(own.path, 0o755)
        _ = try run.privateURL(for: .all)
        #expect(try FileManager.default.attributesOfItem(atPath: own.path)[.posixPermissions] as? Int == 0o700)
    }

    @Test func aSymbolicLinkIsRefusedWhereverItIs() throws {
        let elsewhere = FileManager.default.temporaryDirectory.appendingPathComponent("cellwise-elsewhere-\(UUID())")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        // `private` itself a link.
        let run = try Self.folder()
        try FileManager.default.createSymbolicLink(
            at: run.url.appendingPathComponent("private"), withDestinationURL: elsewhere)
        let error = #expect(throws: DataError.self) { try run.privateURL(for: .all) }
        #expect(error?.problem.contains("is a symbolic link") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)
        // The shard's folder a link.
        let second = try Self.folder()
        let shared = second.url.appendingPathComponent("private")
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: shared.appendingPathComponent("shard-0-of-1"), withDestinationURL: elsewhere)
        #expect(throws: DataError.self) { try second.privateURL(for: .all) }
        // A link planted inside (where the bridge writes keys/) on resume.
        let third = try Self.folder()
        let own = try third.privateURL(for: .all)
        try FileManager.default.createSymbolicLink(
            at: own.appendingPathComponent("keys"), withDestinationURL: elsewhere)
        let inside = #expect(throws: DataError.self) { try third.privateURL(for: .all) }
        #expect(inside?.path.hasSuffix("keys") == true)
    }

    /// Run as root (as CI is), a folder of another user's is refused.
    @Test(.enabled(if: geteuid() == 0, "needs root to give a folder to another user"))
    func aFolderOfAnotherUserIsRefused() throws {
        let run = try Self.folder()
        let own = try run.privateURL(for: .all)
        chown(own.path, 65534, 65534)
        let error = #expect(throws: DataError.self) { try run.privateURL(for: .all) }
        #expect(error?.problem.contains("belongs to user 65534") == true, "\(String(describing: error))")
    }

    /// A folder made by an earlier job format opens when its run.json lists today's fingerprint
    /// as equivalent, and still refuses any other run.
    @Test func anEquivalentFingerprintOpensAnOlderFolder() throws {
        let run = try Self.folder()
        let file = run.url.appendingPathComponent("run.json")
        var identity = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        let today = try #require(identity["fingerprint"] as? String)
        identity["fingerprint"] = String(repeating: "0", count: 64)
        identity["description"] = ["plan": "3*28", "job": "an older format"]
        try JSONSerialization.data(withJSONObject: identity).write(to: file)
        #expect(throws: ConfigurationError.self) {
            try EncryptedRunFolder(url: run.url, description: ["plan": "3*28"])
        }
        identity["equivalent"] = [today]
        identity["equivalence"] = "checked by a test"
        try JSONSerialization.data(withJSONObject: identity).write(to: file)
        _ = try EncryptedRunFolder(url: run.url, description: ["plan": "3*28"])
        #expect(throws: ConfigurationError.self) {
            try EncryptedRunFolder(url: run.url, description: ["plan": "7*28"])
        }
    }
}
