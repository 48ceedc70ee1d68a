/// Facts about this build of Cellwise.
public enum Cellwise {
    /// The library version, recorded in every file Cellwise writes.
    public static let version = "0.1.0"
}
