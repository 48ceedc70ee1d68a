// The umbrella module: `import Cellwise` gives a package everything it needs to load models,
// evaluate plans, price them under CKKS, run and compare searches, and write reports.
@_exported import CellwiseCKKS
@_exported import CellwiseCore
@_exported import CellwiseONNX
@_exported import CellwiseOpenFHE
@_exported import CellwiseReport
@_exported import CellwiseSearch
@_exported import CellwiseStatistics
@_exported import CellwiseTraining
