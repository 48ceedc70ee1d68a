/// How raw samples become model inputs: the layout of a sample, how short sequences are padded,
/// and the per-channel standardisation learnt from the training split.
///
/// Variable-length sequences are **pre-padded**: a sample of length `n < T` occupies the last `n`
/// of the model's `T` steps and the steps before it are zero after standardisation (Keras's
/// `pad_sequences` default), so the final hidden state follows the sample's last value. The
/// evaluator, the cost model (which prices all `T` steps: the server cannot see the length) and
/// ONNX import share this choice.
public struct InputTransform: Codable, Sendable, Equatable {
    /// How a sample is laid out as steps.
    public enum Layout: String, Codable, Sendable {
        /// A 28x28 image read row by row (pixels scaled to [0, 1]).
        case imageRows = "image-rows"
        /// A multivariate series: channels per step, steps in time order.
        case series
    }

    /// The sample layout.
    public var layout: Layout
    /// How shorter samples are padded (always `pre`).
    public var padding: String = "pre"
    /// Per-channel mean subtracted from every real step (nil: none).
    public var mean: [Float]?
    /// Per-channel standard deviation divided by after the mean (nil: none).
    public var standardDeviation: [Float]?

    /// Images as the paper reads them: rows as steps, no standardisation.
    public static let imageRows = InputTransform(layout: .imageRows)

    /// Creates a transform.
    public init(layout: Layout, mean: [Float]? = nil, standardDeviation: [Float]? = nil) {
        self.layout = layout
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// Per-channel standardisation from the real steps of `split` (a channel with no spread
    /// keeps scale 1).
    public static func standardising(_ split: DataSplit) -> InputTransform {
        let f = split.featureCount
        var sum = [Double](repeating: 0, count: f)
        var squares = [Double](repeating: 0, count: f)
        var count = 0.0
        for sample in 0..<split.count {
            let length = split.lengths[sample]
            for t in (split.timeSteps - length)..<split.timeSteps {
                let base = (sample * split.timeSteps + t) * f
                for j in 0..<f {
                    let v = Double(split.features[base + j])
                    sum[j] += v
                    squares[j] += v * v
                }
            }
            count += Double(length)
        }
        let mean = sum.map { $0 / max(count, 1) }
        let deviation = zip(squares, mean).map { square, m -> Double in
            let variance = max(0, square / max(count, 1) - m * m)
            return variance > 1e-12 ? variance.squareRoot() : 1
        }
        return InputTransform(layout: .series, mean: mean.map(Float.init), standardDeviation: deviation.map(Float.init))
    }

    /// Checks the transform against a model's input width.
    func validate(featureCount: Int, source: String) throws {
        guard padding == "pre" else {
            throw ModelFileError(source, "input.padding is \"\(padding)\", expected \"pre\"")
        }
        for (key, values) in [("mean", mean), ("standard_deviation", standardDeviation)] {
            guard let values else { continue }
            guard values.count == featureCount else {
                throw ModelFileError(source, "input.\(key) has \(values.count) values, expected \(featureCount)")
            }
            if let bad = values.firstIndex(where: { !$0.isFinite || (key != "mean" && $0 <= 0) }) {
                throw ModelFileError(
                    source, "input.\(key)[\(bad)] is \(values[bad]), expected a finite positive number")
            }
        }
    }

    /// The model input of `split`: `count x timeSteps x featureCount` values, each sample
    /// standardised and pre-padded with zeros to `timeSteps`.
    ///
    /// - Throws: ``DataError`` when a sample is longer than `timeSteps` or has another width.
    public func apply(to split: DataSplit, timeSteps: Int, featureCount: Int) throws -> [Float] {
        guard split.featureCount == featureCount else {
            throw DataError(
                "\(split.name.rawValue) split",
                "samples have \(split.featureCount) features per step, the model expects \(featureCount)")
        }
        if let longest = split.lengths.indices.max(by: { split.lengths[$0] < split.lengths[$1] }),
            split.lengths[longest] > timeSteps
        {
            throw DataError(
                "\(split.name.rawValue) split",
                "sample \(longest) has \(split.lengths[longest]) steps, the model has \(timeSteps)")
        }
        if split.timeSteps == timeSteps && mean == nil && standardDeviation == nil { return split.features }
        var output = [Float](repeating: 0, count: split.count * timeSteps * featureCount)
        let f = featureCount
        for sample in 0..<split.count {
            let length = split.lengths[sample]
            for step in 0..<length {
                let source = (sample * split.timeSteps + split.timeSteps - length + step) * f
                let target = (sample * timeSteps + timeSteps - length + step) * f
                for j in 0..<f {
                    var v = split.features[source + j]
                    if let mean { v -= mean[j] }
                    if let standardDeviation { v /= standardDeviation[j] }
                    output[target + j] = v
                }
            }
        }
        return output
    }
}
