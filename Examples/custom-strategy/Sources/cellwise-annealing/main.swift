import CellwiseCommandLine

// Cellwise's command line, with simulated annealing beside the built-in strategies:
//   swift run cellwise-annealing strategies
//   swift run cellwise-annealing compare --config annealing.toml
CellwiseCommand.main(strategies: [SimulatedAnnealing.self])
