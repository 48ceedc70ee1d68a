import ArgumentParser
import Cellwise
import Foundation

/// The `cellwise` command line.
///
/// The `cellwise` executable is `CellwiseCommand.main()`. A package that defines its own search
/// strategies runs the same command line with them registered beside the built-in ones:
///
/// ```swift
/// import CellwiseCommandLine
///
/// CellwiseCommand.main(strategies: [SimulatedAnnealing.self])
/// ```
///
/// Its `compare`, `search` and `strategies` commands then know the new strategies by name.
public struct CellwiseCommand: ParsableCommand {
    /// Creates the root command (ArgumentParser calls this).
    public init() {}

    /// Runs the command line with `strategies` registered after the built-in ones, then exits.
    ///
    /// Help and version go to standard output; every error is one line on standard error
    /// (`Error: ...`) with exit code 1, whether it is a bad argument, bad input or a failed write.
    ///
    /// - Parameters:
    ///   - strategies: Strategy types to add to ``StrategyRegistry/builtIn``.
    ///   - arguments: The arguments (default: the process's).
    public static func main(strategies: [any SearchStrategy.Type], arguments: [String]? = nil) -> Never {
        do {
            CommandLineContext.registry = try StrategyRegistry.builtIn.adding(strategies)
        } catch {
            fail(with: error)
        }
        run(arguments: arguments)
    }

    /// Runs the command line with the built-in strategies, then exits.
    public static func main() {
        run(arguments: nil)
    }

    private static func run(arguments: [String]?) -> Never {
        let arguments = arguments ?? Array(CommandLine.arguments.dropFirst())
        CommandLineContext.ensureStandardDescriptors()
        do {
            try CommandLineContext.rejectRepeatedOptions(arguments)
            try InstructionSet.useEnvironment()
            var command = try parseAsRoot(arguments)
            try command.run()
            try CommandLineContext.flushStandardOutput()
        } catch {
            if exitCode(for: error) == .success {
                exit(withError: error)  // --help, --version
            }
            fail(with: error)
        }
        Foundation.exit(0)
    }

    private static func fail(with error: any Error) -> Never {
        let line = ErrorReport.message(for: error) { message(for: $0) }
        FileHandle.standardError.write(Data("Error: \(line)\n".utf8))
        Foundation.exit(ErrorReport.exitCode(for: error))
    }

    public static let configuration = CommandConfiguration(
        commandName: "cellwise",
        abstract: "Cell-wise polynomial approximation of an RNN's tanh for CKKS inference.",
        discussion: """
            Train the paper's SimpleRNN, then measure any per-cell activation plan.

            Example:
              cellwise train --dataset mnist5k --out results/models/my-mnist5k.json
              cellwise evaluate --model results/models/paper-mnist5k.json --plan '17*24,7*4'
            """,
        version: CellwiseVersion.current,
        subcommands: [
            TrainCommand.self, ImportCommand.self, EvaluateCommand.self, RangesCommand.self, BenchCommand.self,
            CostCommand.self, CalibrateCommand.self, ProfilesCommand.self, StrategiesCommand.self,
            SearchCommand.self, CompareCommand.self, SuiteCommand.self, ExportCommand.self, CKKSCommand.self,
        ]
    )
}
