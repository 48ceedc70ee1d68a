/// Facts about this build of Cellwise.
public enum CellwiseVersion {
    /// The library version, recorded in every file Cellwise writes.
    public static let current = "0.2.0"
}
