import CellwiseTestSupport
import Foundation
import Testing

/// A copy of the binary uses the resources laid out beside it, never the checkout it was built
/// in: without any, it says where it looked; with `../share/cellwise` (what `make install`
/// lays out) it runs from any folder.
@Suite struct InstallationCommandTests {
    typealias CLI = CommandLineTests

    @Test func aCopiedBinaryUsesOnlyWhatIsBesideIt() throws {
        let prefix = try CLI.temporaryDirectory()
        let bin = prefix.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let binary = bin.appendingPathComponent("cellwise")
        try FileManager.default.copyItem(at: CLI.executable, to: binary)
        let model = TestData.repositoryRoot.appendingPathComponent("results/models/paper-mnist5k.json").path
        let work = try CLI.temporaryDirectory()
        let arguments = ["evaluate", "--model", model, "--plan", "17*28"]

        let clean = ["CELLWISE_HOME": "", "CELLWISE_DATA": ""]
        let alone = try CLI.launch(binary, arguments, in: work, environment: clean)
        #expect(alone.status != 0)
        #expect(alone.error.hasPrefix("Error: mnist-5k.csv.gz: not found"), "\(alone.error)")
        #expect(!alone.error.contains(TestData.repositoryRoot.path), "it must not look in the checkout")
        #expect(alone.error.split(separator: "\n").count == 1)

        let share = prefix.appendingPathComponent("share/cellwise")
        try FileManager.default.createDirectory(
            at: share.appendingPathComponent("tools"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: share.appendingPathComponent("data"),
            withDestinationURL: TestData.repositoryRoot.appendingPathComponent("data"))
        let installed = try CLI.launch(binary, arguments, in: work, environment: clean)
        #expect(installed.status == 0, "\(installed.error)")
        #expect(installed.output.contains("accuracy"), "\(installed.output)")
    }
}
