import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseCore

/// The binary finds its resources from where it is, not from where it was compiled: a checkout
/// above it, `../share/cellwise` beside its `bin/`, or `CELLWISE_HOME`; otherwise a one-line error.
@Suite struct InstallationTests {
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("installation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func anInstalledPrefixUsesShareCellwise() throws {
        let prefix = try Self.folder()
        try FileManager.default.createDirectory(
            at: prefix.appendingPathComponent("share/cellwise/tools"), withIntermediateDirectories: true)
        let found = try Installation.locate(environment: [:], executable: prefix.path + "/bin/cellwise")
        #expect(found.root.path == prefix.appendingPathComponent("share/cellwise").path)
        #expect(!found.isCheckout)
        #expect(found.environments.path == prefix.appendingPathComponent("share/cellwise/environments").path)
    }

    @Test func aBuildInACheckoutUsesTheCheckout() throws {
        let root = TestData.repositoryRoot
        let found = try Installation.locate(environment: [:], executable: root.path + "/.build/release/cellwise")
        #expect(found.root.standardizedFileURL.path == root.standardizedFileURL.path)
        #expect(found.isCheckout)
        #expect(found.environments.lastPathComponent == ".build")
        #expect(found.resource("tools/ckks/cellwise_ckks.py").hasSuffix("/tools/ckks/cellwise_ckks.py"))
        // This test bundle itself is such a build.
        #expect(try Installation.current().root.standardizedFileURL.path == root.standardizedFileURL.path)
    }

    @Test func aCopiedBinaryFindsNothingAndSaysSo() throws {
        let elsewhere = try Self.folder()
        #expect {
            try Installation.locate(environment: [:], executable: elsewhere.path + "/bin/cellwise")
        } throws: { error in
            "\(error)".contains("CELLWISE_HOME") && "\(error)".contains("make install")
        }
    }

    @Test func theEnvironmentVariableWinsAndMustBeAFolder() throws {
        let home = try Self.folder()
        let found = try Installation.locate(
            environment: ["CELLWISE_HOME": home.path], executable: TestData.repositoryRoot.path + "/.build/x")
        #expect(found.root.path == home.path && !found.isCheckout)
        let missing = home.appendingPathComponent("missing").path
        #expect(throws: DataError(missing, "CELLWISE_HOME is not a folder")) {
            try Installation.locate(environment: ["CELLWISE_HOME": missing], executable: "/usr/bin/cellwise")
        }
    }
}
