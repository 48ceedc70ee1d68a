import ArgumentParser
import Cellwise
import Foundation

@main
struct CellwiseCommand: ParsableCommand {
    /// Runs the command line. Help and version go to standard output; every error is one line on
    /// standard error (`Error: ...`) and exit code 1, whether it is a bad argument or bad input.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)  // --help, --version
            }
            let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
            Foundation.exit(1)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "cellwise",
        abstract: "Cell-wise polynomial approximation of an RNN's tanh for CKKS inference.",
        discussion: """
            Train the paper's SimpleRNN, then measure any per-cell activation plan.

            Example:
              cellwise train --dataset mnist5k --out results/models/mnist5k.json
              cellwise evaluate --model results/models/mnist5k.json --plan '17*24,7*4'
            """,
        version: Cellwise.version,
        subcommands: [TrainCommand.self, EvaluateCommand.self, RangesCommand.self, BenchCommand.self,
                      CostCommand.self, CalibrateCommand.self, ProfilesCommand.self, StrategiesCommand.self,
                      SearchCommand.self, CompareCommand.self, ExportCommand.self, CKKSCommand.self]
    )
}
