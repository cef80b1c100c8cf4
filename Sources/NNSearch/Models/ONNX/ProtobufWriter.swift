/// Encodes one protocol-buffer message, field after field, in the wire format
/// (https://protobuf.dev/programming-guides/encoding/): each field is a key — its number shifted
/// left by 3, or'd with its wire type, as a varint — then its value: a varint, 4 little-endian bytes
/// (fixed32), or a length-delimited run of bytes (strings, bytes, packed numbers, nested messages).
/// Enough of protobuf to write ONNX files; no package needed.
struct ProtobufWriter {
    /// How a field's value is laid out after its key.
    enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    /// The message's bytes so far.
    private(set) var bytes: [UInt8] = []

    /// Seven bits per byte, least significant group first, the high bit set on every byte but the last.
    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// A field's key.
    mutating func key(_ field: Int, _ type: WireType) {
        varint(UInt64(field) << 3 | type.rawValue)
    }

    /// An int64 or int32 field (a negative value takes ten bytes, its two's complement as 64 bits).
    mutating func int(_ field: Int, _ value: Int64) {
        key(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    /// A float field (fixed32, IEEE 754 little-endian).
    mutating func float(_ field: Int, _ value: Float) {
        key(field, .fixed32)
        append(value.bitPattern)
    }

    /// A bytes field.
    mutating func bytes(_ field: Int, _ data: [UInt8]) {
        key(field, .lengthDelimited)
        varint(UInt64(data.count))
        bytes += data
    }

    /// A string field (UTF-8).
    mutating func string(_ field: Int, _ text: String) {
        bytes(field, Array(text.utf8))
    }

    /// A nested message field, built by `body`.
    mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        body(&inner)
        bytes(field, inner.bytes)
    }

    /// Floats as little-endian IEEE 754 bytes (ONNX's `raw_data`).
    static func littleEndian(_ values: [Float]) -> [UInt8] {
        var w = ProtobufWriter()
        for v in values { w.append(v.bitPattern) }
        return w.bytes
    }

    /// Int64s as little-endian bytes.
    static func littleEndian(_ values: [Int64]) -> [UInt8] {
        var out = [UInt8]()
        for v in values {
            let u = UInt64(bitPattern: v)
            for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: u >> (8 * UInt64(i)))) }
        }
        return out
    }

    private mutating func append(_ word: UInt32) {
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: word >> (8 * UInt32(i)))) }
    }
}
