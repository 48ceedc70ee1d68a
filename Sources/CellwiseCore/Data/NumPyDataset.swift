import Foundation

/// A data set saved with NumPy: `x_train`, `y_train`, `x_test`, `y_test` (Keras's names, any
/// case) in one `.npz` file or as four `.npy` files in a directory.
///
/// `x` is `[cases, steps, features]` (or `[cases, steps]` for one feature), any numeric dtype;
/// `y` holds class indices `0..C-1`. Shorter series are padded with NaN (a step whose features are
/// all NaN is padding, and must come before or after the real steps, which Cellwise then pre-pads);
/// any other NaN is an error. The test arrays are the test split; one fifth of the training cases
/// (seeded) is the validation split, as for `.ts` problems.
enum NumPyDataset {
    static let keys = ["x_train", "y_train", "x_test", "y_test"]

    /// Reads the four arrays from an `.npz` file or a directory of `.npy` files.
    static func read(_ path: String) throws -> (training: LabeledSeries, test: LabeledSeries) {
        var arrays = [String: NumPyArray]()
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            for key in keys {
                guard let name = names.first(where: { $0.lowercased() == key + ".npy" }) else {
                    throw DataError(path, "missing \(key).npy (a NumPy data set has \(keys.joined(separator: ", ")))")
                }
                arrays[key] = try NumPyArray.read((path as NSString).appendingPathComponent(name))
            }
        } else {
            let archive = try NumPyArchive.read(path)
            for key in keys {
                guard let array = archive.first(where: { $0.key.lowercased() == key })?.value else {
                    throw DataError(
                        path,
                        "has no array \(key) (it holds \(archive.keys.sorted().joined(separator: ", ")); a NumPy "
                            + "data set has \(keys.joined(separator: ", ")))")
                }
                arrays[key] = array
            }
        }
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let trainLabels = try labels(arrays["y_train"]!, "y_train", path)
        let testLabels = try labels(arrays["y_test"]!, "y_test", path)
        let classes = (trainLabels + testLabels).max().map { $0 + 1 } ?? 1
        let classNames = (0..<classes).map(String.init)
        let training = try series(arrays["x_train"]!, trainLabels, "x_train", path, name, classNames)
        let test = try series(arrays["x_test"]!, testLabels, "x_test", path, name, classNames)
        guard training.channels == test.channels else {
            throw DataError(path, "x_train has \(training.channels) features per step, x_test \(test.channels)")
        }
        return (training, test)
    }

    private static func labels(_ array: NumPyArray, _ key: String, _ path: String) throws -> [Int] {
        guard array.shape.count == 1 || (array.shape.count == 2 && array.shape[1] == 1) else {
            throw DataError(path, "\(key) has shape \(array.shape); expected one class index per case")
        }
        return try array.values.enumerated().map { index, value in
            guard value.rounded() == value, (0..<256).contains(value) else {
                throw DataError(path, "\(key)[\(index)] is \(value); expected a class index 0-255")
            }
            return Int(value)
        }
    }

    private static func series(
        _ array: NumPyArray, _ labels: [Int], _ key: String, _ path: String, _ name: String, _ classNames: [String]
    ) throws -> LabeledSeries {
        guard array.shape.count == 2 || array.shape.count == 3, array.shape[0] > 0, array.shape[1] > 0 else {
            throw DataError(
                path, "\(key) has shape \(array.shape); expected [cases, steps, features] or [cases, steps]")
        }
        let (n, steps) = (array.shape[0], array.shape[1])
        let features = array.shape.count == 3 ? array.shape[2] : 1
        guard features > 0 else { throw DataError(path, "\(key) has no features") }
        guard labels.count == n else {
            throw DataError(path, "\(key) has \(n) cases but its labels \(labels.count)")
        }
        var cases = [LabeledSeries.Case]()
        cases.reserveCapacity(n)
        for c in 0..<n {
            var real = [Int]()
            for t in 0..<steps {
                let base = (c * steps + t) * features
                let missing = (0..<features).filter { array.values[base + $0].isNaN }.count
                if missing == 0 {
                    real.append(t)
                } else if missing != features {
                    throw DataError(path, "\(key)[\(c)] has a NaN at step \(t) among real values")
                }
                if let j = (0..<features).first(where: { array.values[base + $0].isInfinite }) {
                    throw DataError(path, "\(key)[\(c)] step \(t) feature \(j) is infinite")
                }
                // Cellwise computes in Float32: a float64 beyond its range would become infinite.
                if let j = (0..<features).first(where: {
                    abs(array.values[base + $0]) > Double(Float.greatestFiniteMagnitude)
                }) {
                    throw DataError(
                        path,
                        "\(key)[\(c)] step \(t) feature \(j) is \(array.values[base + j]), beyond float32's range "
                            + "(3.4e38); rescale the data")
                }
            }
            guard let first = real.first, real.count == real.last! - first + 1 else {
                throw DataError(
                    path, "\(key)[\(c)] \(real.isEmpty ? "has no real step" : "has padding (NaN) between real steps")")
            }
            let values = (0..<features).map { j in real.map { Float(array.values[(c * steps + $0) * features + j]) } }
            cases.append(LabeledSeries.Case(values: values, label: labels[c]))
        }
        return LabeledSeries(name: name, channels: features, classNames: classNames, cases: cases)
    }
}
