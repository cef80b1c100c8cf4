import XCTest

/// A minimal protobuf reader for the tests: a message as its fields in order (no schema).
struct ProtobufMessage {
    enum Value: Equatable {
        case varint(UInt64)
        case fixed32(UInt32)
        case fixed64(UInt64)
        case bytes([UInt8])
    }

    var fields: [(number: Int, value: Value)] = []

    struct Malformed: Error {}

    init(_ bytes: [UInt8]) throws {
        var i = 0
        func varint() throws -> UInt64 {
            var result: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard i < bytes.count, shift < 64 else { throw Malformed() }
                let b = bytes[i]
                i += 1
                result |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return result }
                shift += 7
            }
        }
        func take(_ n: Int) throws -> [UInt8] {
            guard n >= 0, i + n <= bytes.count else { throw Malformed() }
            defer { i += n }
            return Array(bytes[i..<(i + n)])
        }
        while i < bytes.count {
            let key = try varint()
            let number = Int(key >> 3)
            switch key & 7 {
            case 0: fields.append((number, .varint(try varint())))
            case 1: fields.append((number, .fixed64(try take(8).reversed().reduce(0) { $0 << 8 | UInt64($1) })))
            case 2: fields.append((number, .bytes(try take(Int(try varint())))))
            case 5: fields.append((number, .fixed32(try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) })))
            default: throw Malformed()
            }
        }
    }

    /// Every value of field `number`.
    func all(_ number: Int) -> [Value] { fields.filter { $0.number == number }.map(\.value) }

    func int(_ number: Int) -> Int64? {
        guard case .varint(let v)? = all(number).last else { return nil }
        return Int64(bitPattern: v)
    }

    func string(_ number: Int) -> String? {
        guard case .bytes(let b)? = all(number).last else { return nil }
        return String(decoding: b, as: UTF8.self)
    }

    func strings(_ number: Int) -> [String] {
        all(number).compactMap { if case .bytes(let b) = $0 { String(decoding: b, as: UTF8.self) } else { nil } }
    }

    func messages(_ number: Int) throws -> [ProtobufMessage] {
        try all(number).compactMap { if case .bytes(let b) = $0 { try ProtobufMessage(b) } else { nil } }
    }

    func message(_ number: Int) throws -> ProtobufMessage? { try messages(number).last }
}
