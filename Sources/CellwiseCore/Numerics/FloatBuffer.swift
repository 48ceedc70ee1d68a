/// A fixed-size, manually allocated Float32 buffer with reference semantics.
///
/// The evaluator shares hidden-state buffers between cached plans and recycles them through a
/// ``FloatBufferPool``, so a hot loop never pays for fresh pages.
package final class FloatBuffer: @unchecked Sendable {
    package let count: Int
    package let pointer: UnsafeMutablePointer<Float>

    package init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: Swift.max(count, 1))
        pointer.initialize(repeating: 0, count: Swift.max(count, 1))
    }

    deinit { pointer.deallocate() }
}

/// Recycles ``FloatBuffer``s of one size: a buffer is free again once nothing but the pool
/// refers to it.
final class FloatBufferPool {
    let bufferSize: Int
    private var buffers: [FloatBuffer] = []

    init(bufferSize: Int) { self.bufferSize = bufferSize }

    /// A buffer no one else holds, reusing a released one when possible.
    func acquire() -> FloatBuffer {
        for index in buffers.indices where isKnownUniquelyReferenced(&buffers[index]) {
            // Move it to the end so the next search starts with other candidates.
            let buffer = buffers.remove(at: index)
            buffers.append(buffer)
            return buffer
        }
        let buffer = FloatBuffer(count: bufferSize)
        buffers.append(buffer)
        return buffer
    }

    /// Buffers allocated so far (held or free).
    var allocatedCount: Int { buffers.count }
}
