/// Measures the accuracy of activation plans on one data split: the hot loop of every search.
///
/// The input projections `x_t W_x + b` do not depend on the plan and are computed once, for
/// all cells, when the evaluator is made. A plan then costs one `sgemm` (`H W_h`) and one
/// vectorised activation per cell, run for blocks of samples on all cores; each block's
/// working set stays in cache for all of its cells.
///
/// Hidden states after every cell are kept for the most recently used plans (shared between
/// plans, never copied). A plan that agrees with a kept plan on its first `k` cells starts
/// from that plan's state after cell `k`, giving bit-identical results: each block of samples
/// always goes through the same operations in the same order.
///
/// An evaluator is not thread-safe: use one per thread (it uses all cores internally).
public final class PlanEvaluator {
    /// The model being evaluated.
    public let model: SimpleRNN
    /// Which split the samples come from.
    public let splitName: SplitName
    /// The number of samples.
    public let sampleCount: Int
    /// The fitted activations.
    public let approximations: ApproximationLibrary
    /// Samples processed together by one thread.
    public let blockSize: Int
    /// Threads used.
    public let workers: Int

    /// The class label of each sample.
    public let labels: [UInt8]
    /// `timeSteps x sampleCount x units`: x_t W_x + b.
    private let projections: FloatBuffer
    private let pool: FloatBufferPool
    private var trails: [Trail] = []
    private let trailCapacity: Int

    /// Statistics since the evaluator was made.
    private(set) var statistics = Statistics()

    /// Counters of the evaluator's work.
    struct Statistics: Sendable, Equatable {
        /// Plans evaluated (including cache hits).
        var evaluations = 0
        /// Cells computed.
        var cellsComputed = 0
        /// Cells skipped thanks to a shared prefix.
        var cellsReused = 0
    }

    /// The outcome of evaluating one plan.
    public struct Outcome: Sendable, Equatable {
        /// The plan.
        public var plan: ActivationPlan
        /// Correctly classified samples (a sample with non-finite logits counts as wrong).
        public var correct: Int
        /// Samples evaluated.
        public var samples: Int
        /// Leading cells whose hidden states were reused from an earlier plan.
        public var reusedCells: Int
        /// correct / samples.
        public var accuracy: Double { samples == 0 ? 0 : Double(correct) / Double(samples) }
    }

    private struct Trail {
        var plan: ActivationPlan
        /// states[k]: hidden state after cell k (0-based), for k < timeSteps - 1.
        var states: [FloatBuffer]
        var correct: Int
    }

    /// Prepares an evaluator for `split`.
    ///
    /// - Parameters:
    ///   - model: The trained model.
    ///   - split: The samples (features and labels).
    ///   - approximations: The polynomial fits (interval).
    ///   - workers: Threads to use (default: all cores).
    ///   - blockSize: Samples per block (default 512).
    ///   - cachedPlans: How many plans' hidden states to keep for prefix reuse (0 disables reuse).
    public init(
        model: SimpleRNN, split: DataSplit, approximations: ApproximationLibrary,
        workers: Int? = nil, blockSize: Int = 512, cachedPlans: Int = 4
    ) throws {
        let width = model.inputSize * model.timeSteps
        // Every data set Cellwise reads has LabeledImages.classCount classes; a model with another
        // count would score against the wrong logits without any error.
        guard model.classes == LabeledImages.classCount, split.labels.allSatisfy({ Int($0) < model.classes }) else {
            throw ConfigurationError(
                key: "model",
                problem:
                    "has \(model.classes) classes but the data has \(LabeledImages.classCount) (labels "
                    + "0-\(LabeledImages.classCount - 1))"
            )
        }
        guard split.features.count == split.count * width else {
            throw ConfigurationError(
                key: "split",
                problem:
                    "samples have \(split.features.count / max(split.count, 1)) features, the model expects \(width)")
        }
        self.model = model
        self.splitName = split.name
        self.sampleCount = split.count
        self.approximations = approximations
        self.blockSize = max(1, blockSize)
        let blocks = (split.count + self.blockSize - 1) / self.blockSize
        self.workers = max(1, min(workers ?? defaultWorkerCount, blocks))
        self.labels = split.labels
        self.trailCapacity = max(0, cachedPlans)
        let n = split.count
        let units = model.units
        pool = FloatBufferPool(bufferSize: n * units)
        projections = FloatBuffer(count: model.timeSteps * n * units)
        // x_t W_x for every t: rows of the feature matrix at stride timeSteps * inputSize.
        split.features.withUnsafeBufferPointer { features in
            model.inputKernel.withUnsafeBufferPointer { wx in
                for t in 0..<model.timeSteps where n > 0 {
                    LinearAlgebra.sgemm(
                        m: n, n: units, k: model.inputSize,
                        a: features.baseAddress! + t * model.inputSize, lda: width,
                        b: wx.baseAddress!, ldb: units, beta: 0,
                        c: projections.pointer + t * n * units, ldc: units)
                }
            }
        }
        for row in 0..<(model.timeSteps * n) {
            let p = projections.pointer + row * units
            for j in 0..<units { p[j] += model.bias[j] }
        }
    }

    /// The accuracy of `plan` on the split.
    public func accuracy(of plan: ActivationPlan) throws -> Double {
        try evaluate(plan).accuracy
    }

    /// Evaluates `plan`, reusing the hidden states of the kept plan with the longest shared prefix.
    ///
    /// - Throws: ``PlanError`` when the plan's length differs from the model's cells.
    public func evaluate(_ plan: ActivationPlan) throws -> Outcome {
        try checkLength(plan)
        let kernels = try approximations.kernels(for: plan)
        statistics.evaluations += 1
        let steps = model.timeSteps

        // The kept plan sharing the longest prefix.
        var best: (index: Int, length: Int)? = nil
        for (index, trail) in trails.enumerated() {
            let length = trail.plan.sharedPrefixLength(with: plan)
            if length > (best?.length ?? 0) { best = (index, length) }
        }
        if let best, best.length == steps {
            let trail = trails.remove(at: best.index)
            trails.append(trail)
            statistics.cellsReused += steps
            return Outcome(plan: plan, correct: trail.correct, samples: sampleCount, reusedCells: steps)
        }
        let start = best?.length ?? 0
        var states = [FloatBuffer]()
        if trailCapacity > 0 {
            if let best { states += trails[best.index].states.prefix(start) }
            while states.count < steps - 1 { states.append(pool.acquire()) }
        }
        let correct = run(
            kernels, from: start, initial: start > 0 ? states[start - 1] : nil,
            record: trailCapacity > 0 ? states : nil, logits: nil)
        statistics.cellsComputed += steps - start
        statistics.cellsReused += start
        if trailCapacity > 0 {
            trails.append(Trail(plan: plan, states: states, correct: correct))
            if trails.count > trailCapacity { trails.removeFirst() }
        }
        return Outcome(plan: plan, correct: correct, samples: sampleCount, reusedCells: start)
    }

    /// Evaluates `plan` from the first cell, ignoring and not touching the kept plans.
    func evaluateFromScratch(_ plan: ActivationPlan) throws -> Outcome {
        try checkLength(plan)
        let kernels = try approximations.kernels(for: plan)
        let correct = run(kernels, from: 0, initial: nil, record: nil, logits: nil)
        return Outcome(plan: plan, correct: correct, samples: sampleCount, reusedCells: 0)
    }

    /// The logits of every sample under `plan` (`sampleCount x classes`, row-major).
    public func logits(of plan: ActivationPlan) throws -> [Float] {
        try checkLength(plan)
        let kernels = try approximations.kernels(for: plan)
        let output = FloatBuffer(count: sampleCount * model.classes)
        _ = run(kernels, from: 0, initial: nil, record: nil, logits: output)
        return Array(UnsafeBufferPointer(start: output.pointer, count: sampleCount * model.classes))
    }

    /// Per-cell statistics of the pre-activations (the activation's inputs) under `plan`:
    /// their range and the share of values outside [lower, upper].
    public func preactivationStatistics(of plan: ActivationPlan, lower: Double, upper: Double) throws
        -> [CellStatistics]
    {
        try checkLength(plan)
        let kernels = try approximations.kernels(for: plan)
        var cells = [CellStatistics](repeating: CellStatistics(), count: model.timeSteps)
        let (low, high) = (Float(lower), Float(upper))
        _ = run(kernels, from: 0, initial: nil, record: nil, logits: nil) { t, values, count in
            var cell = cells[t]
            for i in 0..<count {
                let v = values[i]
                cell.min = Swift.min(cell.min, v)
                cell.max = Swift.max(cell.max, v)
                if !(v >= low && v <= high) { cell.outside += 1 }
            }
            cell.values += count
            cells[t] = cell
        }
        return cells
    }

    /// Each cell's pre-activations under `plan` (default: the exact model), as histograms: the
    /// data `range` and `weighted` fits are made from (two passes: the range, then the counts).
    public func observedDistributions(of plan: ActivationPlan? = nil) throws -> [CellDistribution] {
        let exact = plan ?? ActivationPlan(uniform: .exact, cells: model.timeSteps)
        try checkLength(exact)
        let kernels = try approximations.kernels(for: exact)
        let ranges = try preactivationStatistics(of: exact, lower: 0, upper: 0)
        let bins = CellDistribution.binCount
        var counts = [[Int]](repeating: [Int](repeating: 0, count: bins), count: model.timeSteps)
        var bounds = [(low: Double, high: Double)]()
        for cell in ranges {
            var (low, high) = (Double(cell.min), Double(cell.max))
            if !(low.isFinite && high.isFinite) { (low, high) = (-1, 1) }
            if high - low < 1e-6 { (low, high) = (low - 0.5, high + 0.5) }
            bounds.append((low, high))
        }
        _ = run(kernels, from: 0, initial: nil, record: nil, logits: nil) { t, values, count in
            let (low, high) = bounds[t]
            let width = (high - low) / Double(bins)
            for i in 0..<count where values[i].isFinite {
                let index = Int((Double(values[i]) - low) / width)
                counts[t][Swift.min(bins - 1, Swift.max(0, index))] += 1
            }
        }
        return zip(bounds, counts).map { CellDistribution(minimum: $0.low, maximum: $0.high, counts: $1) }
    }

    /// Forgets the kept plans (their buffers are recycled).
    func clearCache() {
        trails.removeAll()
    }

    private func checkLength(_ plan: ActivationPlan) throws {
        guard plan.count == model.timeSteps else {
            throw PlanError(
                plan: plan.description, problem: "has \(plan.count) cells, the model has \(model.timeSteps)")
        }
    }

    // MARK: - The recurrence

    /// Runs cells `start..<timeSteps` for every block and returns the number of correct samples.
    ///
    /// With `observe`, blocks run on one thread and each cell's pre-activation (`x_t W_x + b +
    /// h_{t-1} W_h`) is passed to it before the activation: `observe(t, values, count)`.
    private func run(
        _ kernels: [ActivationKernel], from start: Int, initial: FloatBuffer?,
        record: [FloatBuffer]?, logits: FloatBuffer?,
        observe: ((Int, UnsafePointer<Float>, Int) -> Void)? = nil
    ) -> Int {
        let n = sampleCount
        let units = model.units
        let classes = model.classes
        let steps = model.timeSteps
        let blockSize = self.blockSize
        let blocks = (n + blockSize - 1) / blockSize
        var correctPerBlock = [Int](repeating: 0, count: blocks)
        let projections = self.projections
        let workers = observe == nil ? self.workers : 1
        let observer = observe.map { UncheckedSendable($0) }
        let model = self.model
        let labels = self.labels
        let recordPointers = record.map { UncheckedSendable($0.map(\.pointer)) }
        let initialPointer = initial.map { UncheckedSendable($0.pointer) }
        let logitsPointer = logits.map { UncheckedSendable($0.pointer) }
        correctPerBlock.withUnsafeMutableBufferPointer { counts in
            let counts = UncheckedSendable(counts)
            model.recurrentKernel.withUnsafeBufferPointer { wh in
                model.denseKernel.withUnsafeBufferPointer { wd in
                    let wh = UncheckedSendable(wh.baseAddress!)
                    let wd = UncheckedSendable(wd.baseAddress!)
                    parallelFor(workers: workers) { worker in
                        let scratch = UnsafeMutablePointer<Float>.allocate(
                            capacity: 2 * blockSize * units + blockSize * classes)
                        defer { scratch.deallocate() }
                        let hiddenScratch = scratch
                        let z = scratch + blockSize * units
                        let out = scratch + 2 * blockSize * units
                        for block in stride(from: worker, to: blocks, by: workers) {
                            let first = block * blockSize
                            let rows = min(blockSize, n - first)
                            let offset = first * units
                            var h: UnsafeMutablePointer<Float>? = initialPointer.map { $0.value + offset }
                            for t in start..<steps {
                                let target =
                                    (t < steps - 1 ? recordPointers.map { $0.value[t] + offset } : nil) ?? hiddenScratch
                                let p = projections.pointer + t * n * units + offset
                                if let observer {
                                    // The unfused path: materialise the pre-activation.
                                    if let previous = h {
                                        LinearAlgebra.sgemm(
                                            m: rows, n: units, k: units, a: previous, lda: units,
                                            b: wh.value, ldb: units, beta: 0, c: z, ldc: units)
                                        for i in 0..<(rows * units) { z[i] += p[i] }
                                    } else {
                                        z.update(from: p, count: rows * units)
                                    }
                                    observer.value(t, z, rows * units)
                                    kernels[t].apply(z, adding: nil, into: target, count: rows * units)
                                } else if let previous = h {
                                    LinearAlgebra.sgemm(
                                        m: rows, n: units, k: units, a: previous, lda: units,
                                        b: wh.value, ldb: units, beta: 0, c: z, ldc: units)
                                    kernels[t].apply(z, adding: p, into: target, count: rows * units)
                                } else {
                                    kernels[t].apply(p, adding: nil, into: target, count: rows * units)
                                }
                                h = target
                            }
                            guard let final = h else { continue }
                            LinearAlgebra.sgemm(
                                m: rows, n: classes, k: units, a: final, lda: units,
                                b: wd.value, ldb: classes, beta: 0, c: out, ldc: classes)
                            var correct = 0
                            for row in 0..<rows {
                                let logit = out + row * classes
                                var bestClass = -1
                                var bestValue = -Float.infinity
                                var finite = true
                                for c in 0..<classes {
                                    let v = logit[c] + model.denseBias[c]
                                    logit[c] = v
                                    if !v.isFinite { finite = false }
                                    if v > bestValue {
                                        bestValue = v
                                        bestClass = c
                                    }
                                }
                                if finite && bestClass == Int(labels[first + row]) { correct += 1 }
                            }
                            if let logitsPointer {
                                (logitsPointer.value + first * classes).update(from: out, count: rows * classes)
                            }
                            counts.value[block] = correct
                        }
                    }
                }
            }
        }
        return correctPerBlock.reduce(0, +)
    }
}
