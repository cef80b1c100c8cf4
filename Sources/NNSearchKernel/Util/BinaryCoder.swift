import Foundation

/// Appends little-endian numbers and arrays to a byte buffer (checkpoint files).
struct BinaryWriter {
    private(set) var bytes: [UInt8] = []

    init() {}

    mutating func write(_ x: UInt64) {
        withUnsafeBytes(of: x.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ x: Int) { write(UInt64(bitPattern: Int64(x))) }
    mutating func write(_ x: Double) { write(x.bitPattern) }

    mutating func write(_ s: String) {
        let utf8 = Array(s.utf8)
        write(utf8.count)
        bytes.append(contentsOf: utf8)
    }

    /// A count followed by the bytes.
    mutating func write(bytes more: [UInt8]) {
        write(more.count)
        bytes.append(contentsOf: more)
    }

    /// A count followed by the floats' bit patterns.
    mutating func write(_ floats: UnsafeBufferPointer<Float>) {
        write(floats.count)
        #if _endian(little)
        bytes.append(contentsOf: UnsafeRawBufferPointer(floats))
        #else
        for f in floats { withUnsafeBytes(of: f.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        #endif
    }
}

/// Reads what `BinaryWriter` wrote; every read checks the bounds and throws on a short buffer.
struct BinaryReader {
    struct Truncated: Error {}

    private let bytes: [UInt8]
    private var at: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        at = 0
    }

    var isAtEnd: Bool { at == bytes.count }

    mutating func uint64() throws -> UInt64 {
        guard at + 8 <= bytes.count else { throw Truncated() }
        var x: UInt64 = 0
        for i in 0..<8 { x |= UInt64(bytes[at + i]) << (8 * UInt64(i)) }
        at += 8
        return x
    }

    mutating func int() throws -> Int {
        let x = Int64(bitPattern: try uint64())
        guard let n = Int(exactly: x) else { throw Truncated() }
        return n
    }

    mutating func double() throws -> Double { Double(bitPattern: try uint64()) }

    mutating func string() throws -> String {
        let n = try int()
        guard n >= 0, at + n <= bytes.count else { throw Truncated() }
        defer { at += n }
        return String(decoding: bytes[at..<(at + n)], as: UTF8.self)
    }

    /// Reads bytes written by `write(bytes:)`.
    mutating func byteArray() throws -> [UInt8] {
        let n = try int()
        guard n >= 0, at + n <= bytes.count else { throw Truncated() }
        defer { at += n }
        return Array(bytes[at..<(at + n)])
    }

    /// Reads a float array written by `write(_:UnsafeBufferPointer<Float>)` into `into`, whose size must match.
    mutating func floats(into target: UnsafeMutableBufferPointer<Float>) throws {
        let n = try int()
        guard n == target.count, at + 4 * n <= bytes.count else { throw Truncated() }
        #if _endian(little)
        bytes.withUnsafeBytes { source in
            UnsafeMutableRawBufferPointer(target).copyMemory(from: UnsafeRawBufferPointer(rebasing: source[at..<(at + 4 * n)]))
        }
        #else
        for i in 0..<n {
            var bits: UInt32 = 0
            for b in 0..<4 { bits |= UInt32(bytes[at + 4 * i + b]) << (8 * UInt32(b)) }
            target[i] = Float(bitPattern: bits)
        }
        #endif
        at += 4 * n
    }
}

/// FNV-1a, 64-bit: the checksum that tells a whole checkpoint from a damaged one.
func fnv1a<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    return h
}
