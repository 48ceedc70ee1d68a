/// Grey-scale 28x28 images with their class labels, as read from a file.
public struct LabeledImages: Sendable {
    /// Image side in pixels; each image is read as `side` time steps of `side` features.
    public static let side = 28
    /// Pixels per image.
    public static let pixelCount = side * side
    /// Number of classes; labels are `0..<classCount`.
    public static let classCount = 10

    /// Row-major pixels, `pixelCount` per image, 0-255.
    public let pixels: [UInt8]
    /// One label per image, `0..<classCount`.
    public let labels: [UInt8]

    /// The number of images.
    public var count: Int { labels.count }

    /// Creates a set after checking that the sizes agree and every label is a class.
    ///
    /// - Parameter source: Named in errors.
    public init(pixels: [UInt8], labels: [UInt8], source: String) throws {
        guard pixels.count == labels.count * Self.pixelCount else {
            throw DataError(
                source, "\(pixels.count) pixels for \(labels.count) labels; expected \(Self.pixelCount) per image")
        }
        if let bad = labels.firstIndex(where: { Int($0) >= Self.classCount }) {
            throw DataError(source, "label \(labels[bad]) of image \(bad) is outside 0-9")
        }
        self.pixels = pixels
        self.labels = labels
    }

    /// The images at `indices`, in that order.
    public func subset(_ indices: some Collection<Int>) -> LabeledImages {
        var pixels = [UInt8]()
        pixels.reserveCapacity(indices.count * Self.pixelCount)
        var labels = [UInt8]()
        labels.reserveCapacity(indices.count)
        for i in indices {
            pixels.append(contentsOf: self.pixels[(i * Self.pixelCount)..<((i + 1) * Self.pixelCount)])
            labels.append(self.labels[i])
        }
        // Sizes and labels were checked when `self` was made.
        return LabeledImages(checkedPixels: pixels, labels: labels)
    }

    private init(checkedPixels: [UInt8], labels: [UInt8]) {
        self.pixels = checkedPixels
        self.labels = labels
    }
}
