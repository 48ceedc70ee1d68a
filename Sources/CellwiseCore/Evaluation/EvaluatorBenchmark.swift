import Foundation

/// Times the plan evaluator: full evaluations of a uniform plan and evaluations that reuse a
/// shared prefix. Reports medians; machines are noisy.
public struct EvaluatorBenchmark: Sendable {
    /// The measured figures.
    public struct Result: Codable, Sendable {
        /// Samples per evaluation.
        public var samples: Int
        /// The plan evaluated in full.
        public var plan: String
        /// Median wall time of one full evaluation, in milliseconds.
        public var evalMsMedian: Double
        /// Fastest full evaluation, in milliseconds.
        public var evalMsMin: Double
        /// Nominal work of one full evaluation (see ``nominalFlops(model:samples:plan:)``), in GFLOP.
        public var gflopPerEval: Double
        /// Nominal work divided by the median time.
        public var gflops: Double
        /// Median time of an evaluation that differs from the kept plan in its last four cells.
        public var prefixReuseMsMedian: Double
        /// Time to compute the input projections of the split, in milliseconds (once per split).
        public var setupMs: Double
        /// Repetitions behind each median.
        public var repetitions: Int
        /// Threads used.
        public var workers: Int
        /// Samples per block.
        public var blockSize: Int
        /// Accuracy of the plan (a sanity check: a trained model gives its real accuracy).
        public var accuracy: Double
        /// The machine's attainable rate: OpenBLAS sgemm of 512x512 matrices, one per worker, in GFLOP/s.
        public var sgemmGflops: Double
        /// The compute floor: the nominal work at the sgemm rate, in milliseconds.
        public var floorMs: Double
        /// Median time over the floor (the target is at most 2).
        public var floorRatio: Double
    }

    /// The attainable Float32 rate of this machine: every worker multiplying its own pair of
    /// `size x size` matrices with single-threaded OpenBLAS `sgemm`, median of `repetitions`
    /// rounds, in GFLOP/s (all workers together).
    public static func sgemmRate(workers: Int, size: Int = 512, repetitions: Int = 7) -> Double {
        let count = size * size
        let buffers = (0..<workers).map { w in
            (
                a: FloatBuffer(count: count), b: FloatBuffer(count: count), c: FloatBuffer(count: count),
                seed: Float(w + 1)
            )
        }
        for buffer in buffers {
            for i in 0..<count {
                buffer.a.pointer[i] = Float(i % 7) / 7 + buffer.seed
                buffer.b.pointer[i] = Float(i % 5) / 5
            }
        }
        let clock = ContinuousClock()
        var times = [Double]()
        for _ in 0...repetitions {
            let start = clock.now
            parallelFor(workers: workers) { w in
                let buffer = buffers[w]
                LinearAlgebra.sgemm(
                    m: size, n: size, k: size, a: buffer.a.pointer, lda: size, b: buffer.b.pointer, ldb: size,
                    beta: 0, c: buffer.c.pointer, ldc: size)
            }
            times.append((clock.now - start).inSeconds)
        }
        let flops = 2 * Double(size * size * size) * Double(workers)
        return flops / Array(times.dropFirst()).median / 1e9
    }

    /// The nominal floating-point work of evaluating `plan` from scratch, with `B` gate blocks
    /// per cell: per cell the recurrent products (2 N u B u, none at the first step, whose state
    /// is zero), a stacked layer's input products (2 N u_below B u), one multiply-add per degree
    /// per value at each site (2 N u d, the exact function counted as d = 1) and the gates'
    /// element-wise sums, differences and products that are not fused into an activation (GRU and
    /// LSTM: 4 N u); then the dense layer (2 N u c). The first layer's input products are made once
    /// per split and not counted.
    static func nominalFlops(model: RecurrentModel, samples: Int, plan: ActivationPlan) -> Double {
        let n = Double(samples)
        let layout = model.sites
        // Sums, differences and products of a graph, but the sums an activation reads fused.
        func elementwise(_ graph: CellGraph) -> Double {
            Double(
                graph.nodes.indices.filter { n in
                    switch graph.nodes[n].operation {
                    case .add: !graph.fusedActivationSums.contains(n)
                    case .subtract, .multiply: true
                    default: false
                    }
                }.count)
        }
        var flops = 2 * n * Double(model.outputSize) * Double(model.classes)
        for (site, activation) in plan.activations.enumerated() {
            let address = layout.site(site)
            let layer = model.layers[address.layer]
            let u = Double(layer.units)
            flops += 2 * n * u * Double(activation.degree ?? 1)
            guard layout.cell(layout.cellIndex(ofSite: site)).firstSite == site else { continue }
            let blocks = Double(layer.cell.blocks)
            if address.step > 0 { flops += 2 * n * u * blocks * u }
            if address.layer > 0 { flops += 2 * n * Double(layer.inputSize) * blocks * u }
            flops += elementwise(layer.cell.graph) * n * u
        }
        return flops
    }

    /// Runs the benchmark.
    ///
    /// - Parameters:
    ///   - model: The model (a freshly initialised one times the same as a trained one).
    ///   - split: The samples.
    ///   - plan: The plan to time (the paper's all-17 by default).
    ///   - repetitions: Timed evaluations per figure.
    ///   - approximations: The fits (default: the paper's on [-8, 8], no fitting data).
    public static func run(
        model: RecurrentModel, split: DataSplit, plan: ActivationPlan, repetitions: Int = 30,
        workers: Int? = nil, blockSize: Int? = nil, approximations: ApproximationLibrary? = nil
    ) throws -> Result {
        let clock = ContinuousClock()
        let library = try approximations ?? ApproximationLibrary()
        _ = try library.specs(for: plan)  // fit (and observe) before the clock starts
        let setupStart = clock.now
        let evaluator = try PlanEvaluator(
            model: model, split: split, approximations: library,
            workers: workers, blockSize: blockSize, cachedPlans: 2)
        let setup = clock.now - setupStart
        var full = [Double]()
        var accuracy = 0.0
        // Warm up (fits, buffers), then time from-scratch evaluations that record states as a
        // search would (the cache is cleared so every run computes all cells).
        _ = try evaluator.evaluate(plan)
        for _ in 0..<repetitions {
            evaluator.clearCache()
            let start = clock.now
            accuracy = try evaluator.evaluate(plan).accuracy
            full.append((clock.now - start).milliseconds)
        }
        // Prefix reuse: alternate between two plans that differ in the last four cells.
        var variant = plan.activations
        let lastCells = plan.layout.cell(max(0, plan.layout.cells - 4)).firstSite
        for site in lastCells..<variant.count {
            variant[site] = variant[site].degree == 7 ? .polynomial(degree: 3) : .polynomial(degree: 7)
        }
        let plans = [plan, ActivationPlan(variant, layout: plan.layout)]
        var reuse = [Double]()
        for i in 0..<repetitions {
            evaluator.clearCache()
            _ = try evaluator.evaluate(plans[i % 2])
            let start = clock.now
            _ = try evaluator.evaluate(plans[(i + 1) % 2])
            reuse.append((clock.now - start).milliseconds)
        }
        let flops = nominalFlops(model: model, samples: split.count, plan: plan)
        let median = full.median
        let rate = sgemmRate(workers: evaluator.workers)
        let floor = flops / 1e9 / rate * 1e3
        return Result(
            samples: split.count, plan: plan.description, evalMsMedian: median, evalMsMin: full.min() ?? 0,
            gflopPerEval: flops / 1e9, gflops: flops / 1e9 / (median / 1e3),
            prefixReuseMsMedian: reuse.median, setupMs: setup.milliseconds, repetitions: repetitions,
            workers: evaluator.workers, blockSize: evaluator.blockSize, accuracy: accuracy, sgemmGflops: rate,
            floorMs: floor, floorRatio: median / floor)
    }
}
