import CellwiseCommandLine

CellwiseCommand.main()
