import Cellwise
import Foundation
let ds = try DatasetSource.fashion.load(splitSeed: 1)
let model = SimpleRNN(kerasInitializedWithSeed: 1)
for bs in [64, 128, 256, 512] {
let r = try EvaluatorBenchmark.run(model: model, split: ds.test, plan: try ActivationPlan(parsing: "17*28"), repetitions: 30, blockSize: bs)
print(bs, r.evalMsMedian, r.evalMsMin, r.gflops, r.prefixReuseMsMedian, r.setupMs, r.accuracy)
}
