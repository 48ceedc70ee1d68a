/// Fixed-width text for file formats and tables.
extension String {
    /// The string with `pad` prepended up to `width` characters (unchanged when already as long).
    public func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
