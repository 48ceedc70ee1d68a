import Dispatch
import Foundation

/// Runs `body(worker)` for `worker` in `0..<workers` on separate threads and waits for all.
///
/// Work is split statically by the caller (worker `w` takes items `w, w + workers, ...`), so a
/// result assembled from the workers' outputs does not depend on scheduling.
package func parallelFor(workers: Int, _ body: (Int) -> Void) {
    if workers <= 1 {
        body(0)
        return
    }
    withoutActuallyEscaping(body) { body in
        let box = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: workers) { box.value($0) }
    }
}

/// Wraps a value the caller guarantees is used safely across threads (disjoint memory).
package struct UncheckedSendable<Value>: @unchecked Sendable {
    package var value: Value
    package init(_ value: Value) { self.value = value }
}

/// The number of worker threads to use by default: the active processor count.
package var defaultWorkerCount: Int {
    max(1, ProcessInfo.processInfo.activeProcessorCount)
}
