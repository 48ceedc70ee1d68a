/// An error a user can cause (a bad file, setting, plan or argument), whose description is the
/// one line the command line prints.
///
/// Every module's user-facing errors conform, so one place (the command line's error report)
/// can tell them from programming errors and from raw system errors, which it translates.
public protocol CellwiseError: Error, CustomStringConvertible {}

extension DataError: CellwiseError {}
extension ConfigurationError: CellwiseError {}
extension PlanError: CellwiseError {}
