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
