import XCTest
@testable import NNSearch

/// The protobuf writer against bytes computed by hand from the wire format.
final class ProtobufWriterTests: XCTestCase {
    func testVarints() {
        func varint(_ v: UInt64) -> [UInt8] {
            var w = ProtobufWriter()
            w.varint(v)
            return w.bytes
        }
        XCTAssertEqual(varint(0), [0x00])
        XCTAssertEqual(varint(1), [0x01])
        XCTAssertEqual(varint(127), [0x7F])
        XCTAssertEqual(varint(128), [0x80, 0x01])
        // 300 = 0b10_0101100: the low seven bits 0101100 with the continuation bit (0xAC), then 10 (0x02).
        XCTAssertEqual(varint(300), [0xAC, 0x02])
        XCTAssertEqual(varint(UInt64.max), [UInt8](repeating: 0xFF, count: 9) + [0x01])
    }

    func testFields() {
        var w = ProtobufWriter()
        w.int(1, 150)                  // key (1 << 3 | 0) = 0x08, then 150 = 0x96 0x01
        XCTAssertEqual(w.bytes, [0x08, 0x96, 0x01])

        w = ProtobufWriter()
        w.string(2, "testing")         // key (2 << 3 | 2) = 0x12, length 7, the UTF-8 bytes
        XCTAssertEqual(w.bytes, [0x12, 0x07] + Array("testing".utf8))

        w = ProtobufWriter()
        w.int(3, -1)                   // key 0x18, then -1 as 64 bits two's complement: ten bytes
        XCTAssertEqual(w.bytes, [0x18] + [UInt8](repeating: 0xFF, count: 9) + [0x01])

        w = ProtobufWriter()
        w.float(2, 1)                  // key (2 << 3 | 5) = 0x15, then 1.0f = 0x3F800000 little-endian
        XCTAssertEqual(w.bytes, [0x15, 0x00, 0x00, 0x80, 0x3F])

        w = ProtobufWriter()
        w.message(3) { $0.int(1, 150) } // key (3 << 3 | 2) = 0x1A, length 3, the inner message
        XCTAssertEqual(w.bytes, [0x1A, 0x03, 0x08, 0x96, 0x01])

        w = ProtobufWriter()
        w.bytes(9, ProtobufWriter.littleEndian([Float(-2), 0.5]))   // key 0x4A, 8 bytes
        XCTAssertEqual(w.bytes, [0x4A, 0x08, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x3F])

        XCTAssertEqual(ProtobufWriter.littleEndian([Int64(-1), 258]),
                       [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0x01, 0, 0, 0, 0, 0, 0])
    }

    func testALongLengthIsAVarint() {
        var w = ProtobufWriter()
        w.bytes(1, [UInt8](repeating: 7, count: 300))
        XCTAssertEqual(Array(w.bytes.prefix(3)), [0x0A, 0xAC, 0x02])
        XCTAssertEqual(w.bytes.count, 303)
    }
}
