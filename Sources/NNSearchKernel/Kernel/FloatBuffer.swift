/// A zero-initialized, 64-byte-aligned block of floats owned by one object.
final class FloatBuffer: @unchecked Sendable {
    let count: Int
    let pointer: UnsafeMutablePointer<Float>

    init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        raw.initializeMemory(as: Float.self, repeating: 0, count: max(count, 1))
        pointer = raw.assumingMemoryBound(to: Float.self)
    }

    deinit { pointer.deallocate() }

    /// The contents as an array (for checkpoints and tests).
    var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// Sets every float to zero.
    func zero() { pointer.update(repeating: 0, count: count) }
}

/// Sets `count` floats at `p` to zero, `count` a multiple of the vector width; one vector (a step
/// of batch 1 zeroes one row of logits' gradient) without a `memset` call.
@inline(__always)
func zeroFloats(_ p: UnsafeMutablePointer<Float>, count: Int) {
    // One vector without a loop: the optimizer turns the loop into a `memset` call.
    if count == vecWidth { Vec().store(p); return }
    var i = 0
    while i < count { Vec().store(p + i); i &+= vecWidth }
}
