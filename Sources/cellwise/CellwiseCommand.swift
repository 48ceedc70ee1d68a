import ArgumentParser
import Cellwise

@main
struct CellwiseCommand: ParsableCommand {
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
                      SearchCommand.self, CompareCommand.self, ExportCommand.self]
    )
}
