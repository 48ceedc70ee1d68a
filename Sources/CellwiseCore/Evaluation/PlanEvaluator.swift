/// Measures the accuracy of activation plans on one data split: the hot loop of every search.
///
/// Any ``RecurrentModel`` runs: layers of any cell kinds and directions, stacked, then the Dense
/// head. The first layer's input projections `x_t W + b` do not depend on the plan and are
/// computed once, for all steps, gates and passes, when the evaluator is made. A plan then costs, per cell (one
/// step of one layer), one `sgemm` per gate block for the recurrent products (and for a stacked
/// layer's input), the element-wise gate arithmetic and one vectorised Float32 kernel per site,
/// run for blocks of samples on all cores; each block's working set stays in cache.
///
/// States after every cell are kept for the most recently used plans (shared between plans,
/// never copied). Cells are evaluated in the site order of ``SiteLayout`` (step by step, each
/// step layer by layer, when every layer runs forward); a plan that agrees with a kept plan on
/// every site of its first `k` cells starts from that plan's states after cell `k`, giving
/// bit-identical results: each block of samples always goes through the same operations in the
/// same order.
///
/// An evaluator is not thread-safe: use one per thread (it uses all cores internally).
public final class PlanEvaluator {
    /// The model being evaluated.
    public let model: RecurrentModel
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
    /// The model's sites.
    public let layout: SiteLayout
    /// Layer 0's input projections, `[pass][step][block][sample][unit]`: x_t W + b.
    private let projections: FloatBuffer
    private var pools: [Int: FloatBufferPool] = [:]
    private var trails: [Trail] = []
    private let trailCapacity: Int

    /// Statistics since the evaluator was made.
    private(set) var statistics = Statistics()

    /// Counters of the evaluator's work.
    struct Statistics: Sendable, Equatable {
        /// Plans evaluated (including cache hits).
        var evaluations = 0
        /// Cells (steps of a layer) computed.
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
        /// Leading cells whose states were reused from an earlier plan.
        public var reusedCells: Int
        /// Whether each sample, in split order, was classified correctly (what paired comparisons
        /// of two plans, e.g. ``PairedBoundOracle``, need).
        public var sampleCorrect: [Bool]
        /// correct / samples.
        public var accuracy: Double { samples == 0 ? 0 : Double(correct) / Double(samples) }
    }

    /// A kept plan's states: per cell, its new states (`h`, and an LSTM's `c`).
    private struct Trail {
        var plan: ActivationPlan
        var states: [[FloatBuffer]]
        var correct: Int
        var sampleCorrect: [Bool]
    }

    /// Prepares an evaluator for `split`.
    ///
    /// - Parameters:
    ///   - model: The trained model.
    ///   - split: The samples (features and labels), transformed by the model's ``InputTransform``.
    ///   - approximations: The polynomial fits (interval).
    ///   - workers: Threads to use (default: all cores).
    ///   - blockSize: Samples per block (default: ``automaticBlockSize(samples:workers:)``, which
    ///     keeps every core busy on a split smaller than 512). Blocks of any multiple of 64 samples
    ///     give the same bits; other sizes may differ in last bits, because the polynomial kernels'
    ///     rounding depends on an element's position modulo 64 within the block (see
    ///     polynomial_kernels.h).
    ///   - cachedPlans: How many plans' states to keep for prefix reuse (0 disables reuse).
    /// - Throws: ``ConfigurationError`` when the data's classes or shape do not fit the model.
    public init(
        model: RecurrentModel, split: DataSplit, approximations: ApproximationLibrary,
        workers: Int? = nil, blockSize: Int? = nil, cachedPlans: Int = 4
    ) throws {
        // A model with another class count would score against the wrong logits without any error.
        guard model.classes == split.classCount, split.labels.allSatisfy({ Int($0) < model.classes }) else {
            throw ConfigurationError(
                key: "model",
                problem: "has \(model.classes) classes but the data has \(split.classCount) "
                    + "(labels 0-\(split.classCount - 1))"
            )
        }
        let inputs: [Float]
        do {
            inputs = try model.input.apply(to: split, timeSteps: model.timeSteps, featureCount: model.inputSize)
        } catch let error as DataError {
            throw ConfigurationError(key: "split", problem: error.problem)
        }
        self.model = model
        self.layout = model.sites
        self.splitName = split.name
        self.sampleCount = split.count
        self.approximations = approximations
        let requested = max(1, workers ?? defaultWorkerCount)
        self.blockSize = max(1, blockSize ?? Self.automaticBlockSize(samples: split.count, workers: requested))
        let blocks = (split.count + self.blockSize - 1) / self.blockSize
        self.workers = max(1, min(requested, blocks))
        self.labels = split.labels
        self.trailCapacity = max(0, cachedPlans)
        let n = split.count
        let first = model.layers[0]
        let (u, g, f, steps) = (first.units, first.cell.blocks, first.inputSize, model.timeSteps)
        projections = FloatBuffer(count: first.passes.count * steps * g * n * u)
        for (pass, weights) in first.passes.enumerated() {
            let base = projections.pointer + pass * steps * g * n * u
            // x_t W for every step and gate block: rows of the input at stride steps * f.
            inputs.withUnsafeBufferPointer { x in
                weights.kernel.withUnsafeBufferPointer { w in
                    for t in 0..<steps where n > 0 {
                        for block in 0..<g {
                            MatrixProduct.multiply(
                                m: n, n: u, k: f, a: x.baseAddress! + t * f, lda: steps * f,
                                b: w.baseAddress! + block * u, ldb: g * u, beta: 0,
                                c: base + (t * g + block) * n * u, ldc: u)
                        }
                    }
                }
            }
            for t in 0..<steps {
                for block in 0..<g {
                    let start = base + (t * g + block) * n * u
                    for row in 0..<n {
                        let p = start + row * u
                        for j in 0..<u { p[j] += weights.bias[block * u + j] }
                    }
                }
            }
        }
    }

    /// The accuracy of `plan` on the split.
    public func accuracy(of plan: ActivationPlan) throws -> Double {
        try evaluate(plan).accuracy
    }

    /// Evaluates `plan`, reusing the states of the kept plan with the longest shared prefix.
    ///
    /// - Throws: ``PlanError`` when the plan does not have one activation per site, or gives a
    ///   site a candidate of another function.
    public func evaluate(_ plan: ActivationPlan) throws -> Outcome {
        try checkLength(plan)
        let kernels = try approximations.kernels(for: plan, functions: layout.functions)
        statistics.evaluations += 1
        let cells = layout.cells

        // The kept plan sharing the longest prefix of whole cells.
        var best: (index: Int, cells: Int)? = nil
        for (index, trail) in trails.enumerated() {
            let shared = layout.cells(coveredBy: trail.plan.sharedPrefixLength(with: plan))
            if shared > (best?.cells ?? 0) { best = (index, shared) }
        }
        if let best, best.cells == cells {
            let trail = trails.remove(at: best.index)
            trails.append(trail)
            statistics.cellsReused += cells
            return Outcome(
                plan: plan, correct: trail.correct, samples: sampleCount, reusedCells: cells,
                sampleCorrect: trail.sampleCorrect)
        }
        let start = best?.cells ?? 0
        var record: [[FloatBuffer]]? = nil
        if trailCapacity > 0 {
            var states = [[FloatBuffer]]()
            if let best { states += trails[best.index].states.prefix(start) }
            while states.count < cells {
                let layer = model.layers[layout.cell(states.count).layer]
                states.append(layer.cell.graph.states.map { _ in acquire(units: layer.units) })
            }
            record = states
        }
        let (correct, sampleCorrect) = run(kernels, from: start, states: record, logits: nil)
        statistics.cellsComputed += cells - start
        statistics.cellsReused += start
        if let record, trailCapacity > 0 {
            trails.append(Trail(plan: plan, states: record, correct: correct, sampleCorrect: sampleCorrect))
            if trails.count > trailCapacity { trails.removeFirst() }
        }
        return Outcome(
            plan: plan, correct: correct, samples: sampleCount, reusedCells: start, sampleCorrect: sampleCorrect)
    }

    /// Evaluates `plan` from the first cell, ignoring and not touching the kept plans.
    func evaluateFromScratch(_ plan: ActivationPlan) throws -> Outcome {
        try checkLength(plan)
        let kernels = try approximations.kernels(for: plan, functions: layout.functions)
        let (correct, sampleCorrect) = run(kernels, from: 0, states: nil, logits: nil)
        return Outcome(
            plan: plan, correct: correct, samples: sampleCount, reusedCells: 0, sampleCorrect: sampleCorrect)
    }

    /// The logits of every sample under `plan` (`sampleCount x classes`, row-major).
    public func logits(of plan: ActivationPlan) throws -> [Float] {
        try checkLength(plan)
        let kernels = try approximations.kernels(for: plan, functions: layout.functions)
        let output = FloatBuffer(count: sampleCount * model.classes)
        _ = run(kernels, from: 0, states: nil, logits: output)
        return Array(UnsafeBufferPointer(start: output.pointer, count: sampleCount * model.classes))
    }

    /// The plan with the exact function at every site.
    public var exactPlan: ActivationPlan { ActivationPlan(uniform: .exact, layout: layout) }

    /// Per-site statistics of the pre-activations (the activations' inputs) under `plan`:
    /// their range and the share of values outside [lower, upper].
    public func preactivationStatistics(of plan: ActivationPlan, lower: Double, upper: Double) throws
        -> [CellStatistics]
    {
        try checkLength(plan)
        let kernels = try approximations.kernels(for: plan, functions: layout.functions)
        var sites = [CellStatistics](repeating: CellStatistics(), count: layout.count)
        let (low, high) = (Float(lower), Float(upper))
        _ = run(kernels, from: 0, states: nil, logits: nil) { site, values, count in
            var statistics = sites[site]
            for i in 0..<count {
                let v = values[i]
                statistics.min = Swift.min(statistics.min, v)
                statistics.max = Swift.max(statistics.max, v)
                if !(v >= low && v <= high) { statistics.outside += 1 }
            }
            statistics.values += count
            sites[site] = statistics
        }
        return sites
    }

    /// Each site's pre-activations under `plan` (default: the exact model), as histograms: the
    /// data `range` and `weighted` fits are made from (two passes: the range, then the counts).
    public func observedDistributions(of plan: ActivationPlan? = nil) throws -> [CellDistribution] {
        let exact = plan ?? exactPlan
        try checkLength(exact)
        let kernels = try approximations.kernels(for: exact, functions: layout.functions)
        let ranges = try preactivationStatistics(of: exact, lower: 0, upper: 0)
        let bins = CellDistribution.binCount
        var counts = [[Int]](repeating: [Int](repeating: 0, count: bins), count: layout.count)
        var bounds = [(low: Double, high: Double)]()
        for site in ranges {
            var (low, high) = (Double(site.min), Double(site.max))
            if !(low.isFinite && high.isFinite) { (low, high) = (-1, 1) }
            if high - low < 1e-6 { (low, high) = (low - 0.5, high + 0.5) }
            bounds.append((low, high))
        }
        _ = run(kernels, from: 0, states: nil, logits: nil) { site, values, count in
            let (low, high) = bounds[site]
            let width = (high - low) / Double(bins)
            for i in 0..<count where values[i].isFinite {
                let index = Int((Double(values[i]) - low) / width)
                counts[site][Swift.min(bins - 1, Swift.max(0, index))] += 1
            }
        }
        return zip(bounds, counts).map { CellDistribution(minimum: $0.low, maximum: $0.high, counts: $1) }
    }

    /// Forgets the kept plans (their buffers are recycled).
    func clearCache() {
        trails.removeAll()
    }

    private func checkLength(_ plan: ActivationPlan) throws {
        guard plan.count == layout.count else {
            let what = layout.isOneSimpleRNNLayer ? "cells" : "sites"
            throw PlanError(
                plan: plan.description,
                problem: "has \(plan.count) \(what), the model has \(layout.count)")
        }
    }

    private func acquire(units: Int) -> FloatBuffer {
        let size = sampleCount * units
        if let pool = pools[size] { return pool.acquire() }
        let pool = FloatBufferPool(bufferSize: size)
        pools[size] = pool
        return pool.acquire()
    }

    // MARK: - The recurrence

    /// The largest block the automatic choice makes: 512 samples' states of a 32-unit GRU stay
    /// in the second-level cache.
    public static let defaultMaximumBlockSize = 512

    /// Blocks that give every worker an even share of the samples, at most
    /// ``defaultMaximumBlockSize``: 370 samples on 2 workers are blocks of 192 and 178, where one
    /// block of 512 would leave a core idle. A multiple of 64 samples, so that every element keeps
    /// its position modulo 64 (the polynomial kernels' vector lanes and chains) and its place in or
    /// out of the scalar tail: the logits are the bits one block of 512 gives.
    public static func automaticBlockSize(samples: Int, workers: Int) -> Int {
        let share = (max(1, samples) + max(1, workers) - 1) / max(1, workers)
        return min(defaultMaximumBlockSize, (share + 63) / 64 * 64)
    }

    /// Runs cells `start..<cells` for every block and returns the number of correct samples and
    /// whether each sample is correct.
    ///
    /// With `observe`, blocks run on one thread and each site's pre-activation is passed to it
    /// before the activation: `observe(site, values, count)`.
    private func run(
        _ kernels: [ActivationKernel], from start: Int, states: [[FloatBuffer]]?, logits: FloatBuffer?,
        observe: ((Int, UnsafePointer<Float>, Int) -> Void)? = nil
    ) -> (correct: Int, samples: [Bool]) {
        let n = sampleCount
        let blockSize = self.blockSize
        let blocks = (n + blockSize - 1) / blockSize
        var correctPerBlock = [Int](repeating: 0, count: blocks)
        var sampleCorrect = [Bool](repeating: false, count: n)
        let workers = observe == nil ? self.workers : 1
        let context = UncheckedSendable(
            CellRunner.Shared(
                model: model, layout: layout, kernels: kernels, projections: projections.pointer, sampleCount: n,
                recorded: states?.map { $0.map(\.pointer) }, observe: observe))
        let labels = self.labels
        let logitsPointer = logits.map { UncheckedSendable($0.pointer) }
        correctPerBlock.withUnsafeMutableBufferPointer { counts in
            sampleCorrect.withUnsafeMutableBufferPointer { perSample in
                let counts = UncheckedSendable(counts)
                let perSample = UncheckedSendable(perSample.baseAddress)
                parallelFor(workers: workers) { worker in
                    let runner = CellRunner(context.value, blockSize: blockSize)
                    for block in stride(from: worker, to: blocks, by: workers) {
                        let first = block * blockSize
                        let rows = min(blockSize, n - first)
                        let out = runner.run(first: first, rows: rows, from: start)
                        counts.value[block] = Self.correct(
                            out, rows: rows, classes: context.value.model.classes, labels: labels, first: first,
                            into: perSample.value.map { $0 + first })
                        if let logitsPointer {
                            (logitsPointer.value + first * context.value.model.classes).update(
                                from: out, count: rows * context.value.model.classes)
                        }
                    }
                }
            }
        }
        return (correctPerBlock.reduce(0, +), sampleCorrect)
    }

    /// Correct samples among `rows` logits (a sample with a non-finite logit counts as wrong),
    /// each sample's verdict written to `into` (the block's first sample first).
    private static func correct(
        _ logits: UnsafePointer<Float>, rows: Int, classes: Int, labels: [UInt8], first: Int,
        into verdicts: UnsafeMutablePointer<Bool>?
    ) -> Int {
        var correct = 0
        for row in 0..<rows {
            let logit = logits + row * classes
            var bestClass = -1
            var bestValue = -Float.infinity
            var finite = true
            for c in 0..<classes {
                let v = logit[c]
                if !v.isFinite { finite = false }
                if v > bestValue {
                    bestValue = v
                    bestClass = c
                }
            }
            let right = finite && bestClass == Int(labels[first + row])
            if right { correct += 1 }
            verdicts?[row] = right
        }
        return correct
    }
}
