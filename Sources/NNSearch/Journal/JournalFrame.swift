import NNSearchKernel
/// How records sit in the journal file, and how a file is read back, damage and all.
///
/// Each record is one line: `@nns1 LENGTH CHECKSUM PAYLOAD\n`, where LENGTH is the payload's byte
/// count and CHECKSUM its FNV-1a 64-bit hash in 16 hex digits. The length and the checksum make a
/// record self-checking: a torn record (a writer killed mid-append), two records fused into one line
/// (concurrent appends on NFS, as Optuna's journal saw in its issue #5138), NUL bytes or a hand edit
/// are detected and skipped with their byte position, and reading resumes at the next `@nns1 `.
package enum JournalFrame {
    /// What starts every record.
    package static let magic: [UInt8] = Array("@nns1 ".utf8)

    /// One record as its line's bytes.
    package static func encode(_ record: JournalRecord) -> [UInt8] {
        encode(payload: Array(record.payload.utf8))
    }

    /// A payload framed as a record line (tests use it to write records no event would make).
    package static func encode(payload: [UInt8]) -> [UInt8] {
        var line = magic
        line += Array("\(payload.count) ".utf8)
        line += hex16(payload.withUnsafeBytes(checksum))
        line.append(UInt8(ascii: " "))
        line += payload
        line.append(UInt8(ascii: "\n"))
        return line
    }

    /// A record that was read, with the byte offset of its first byte in the file.
    package struct Entry: Equatable, Sendable {
        package var offset: Int
        package var record: JournalRecord
    }

    /// Bytes that are not a readable record: where, how many, and why.
    package struct Problem: Equatable, Sendable, CustomStringConvertible {
        package var offset: Int
        package var length: Int
        package var reason: String

        package var description: String { "byte \(offset) (\(length) bytes): \(reason)" }
    }

    /// What a scan of some bytes of the file found.
    package struct Scan: Equatable, Sendable {
        package var entries: [Entry] = []
        package var problems: [Problem] = []
        /// The file offset up to which every byte is settled: whole records and skipped damage.
        package var settled: Int
        /// Bytes after `settled` that may still become a record (an append in progress) or are a
        /// torn tail (a killed writer); readers wait, and only a writer holding the lock cuts them.
        package var tail: Int
    }

    /// Reads the records in `bytes`, which start at file offset `base`.
    package static func scan(_ bytes: UnsafeRawBufferPointer, base: Int) -> Scan {
        var scan = Scan(settled: base, tail: 0)
        let n = bytes.count
        var pos = 0
        /// Skips damaged bytes from `pos` to the next whole record; with none after them, they stay
        /// a tail (they may be an append in progress, and a record's text may hold the magic).
        func skip(_ reason: String) -> Bool {
            guard let next = nextWholeRecord(in: bytes, from: pos + 1) else { return false }
            scan.problems.append(Problem(offset: base + pos, length: next - pos, reason: reason))
            pos = next
            return true
        }
        records: while pos < n {
            guard startsWith(magic, bytes, at: pos) else {
                if n - pos < magic.count, (pos..<n).allSatisfy({ bytes[$0] == magic[$0 - pos] }) { break }
                if skip("bytes that are not a record") { continue } else { break }
            }
            let header: Header
            switch parseHeader(bytes, at: pos) {
            case .cutShort:
                if skip("a record cut short") { continue records } else { break records }
            case .damaged:
                if skip("a damaged record header") { continue records } else { break records }
            case .whole(let h):
                header = h
            }
            let (headerEnd, sum) = (header.end, header.checksum)
            let end = headerEnd + header.length + 1
            if end > n {
                if skip("a record cut short (torn by a killed writer, or fused with the next)") { continue } else { break }
            }
            let payload = UnsafeRawBufferPointer(rebasing: bytes[headerEnd..<(end - 1)])
            guard bytes[end - 1] == UInt8(ascii: "\n") else {
                if skip("records fused together") { continue } else { break }
            }
            guard checksum(payload) == sum else {
                // A whole line that is damaged (not an append in progress): skip it.
                let reason = "a record whose checksum does not match (damaged or edited)"
                if !skip(reason) {
                    scan.problems.append(Problem(offset: base + pos, length: end - pos, reason: reason))
                    pos = end
                }
                continue
            }
            do {
                let text = String(decoding: payload, as: UTF8.self)
                let record = try JournalRecord(payload: Substring(text))
                scan.entries.append(Entry(offset: base + pos, record: record))
            } catch {
                scan.problems.append(Problem(offset: base + pos, length: end - pos, reason: "\(error)"))
            }
            pos = end
        }
        scan.settled = base + pos
        scan.tail = n - pos
        return scan
    }

    // MARK: - Helpers

    /// The first offset at or after `from` where a whole record (framing and checksum) starts.
    private static func nextWholeRecord(in bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        var at = from
        while let candidate = find(magic, in: bytes, from: at) {
            if isWholeRecord(bytes, at: candidate) { return candidate }
            at = candidate + 1
        }
        return nil
    }

    /// A record's header: `LENGTH SP CHECKSUM SP` after the magic.
    private struct Header {
        /// The offset just past the header: where the payload starts.
        var end: Int
        var length: Int
        var checksum: UInt64
    }

    private enum HeaderParse {
        case whole(Header)
        /// The bytes end inside the header.
        case cutShort
        case damaged
    }

    /// Reads the header of the record whose magic starts at `pos`.
    private static func parseHeader(_ bytes: UnsafeRawBufferPointer, at pos: Int) -> HeaderParse {
        let n = bytes.count
        var i = pos + magic.count
        var length = 0, digits = 0
        while i < n, bytes[i] >= 0x30, bytes[i] <= 0x39, digits < 10 {
            length = length * 10 + Int(bytes[i] - 0x30)
            digits += 1
            i += 1
        }
        let end = i + 1 + 16 + 1
        if end > n { return .cutShort }
        guard digits > 0, bytes[i] == UInt8(ascii: " "), bytes[end - 1] == UInt8(ascii: " "),
              let sum = parseHex16(bytes, at: i + 1) else { return .damaged }
        return .whole(Header(end: end, length: length, checksum: sum))
    }

    /// Whether a whole, checksummed record starts at `pos`.
    private static func isWholeRecord(_ bytes: UnsafeRawBufferPointer, at pos: Int) -> Bool {
        guard case .whole(let header) = parseHeader(bytes, at: pos) else { return false }
        let end = header.end + header.length + 1
        guard end <= bytes.count, bytes[end - 1] == UInt8(ascii: "\n") else { return false }
        return checksum(UnsafeRawBufferPointer(rebasing: bytes[header.end..<(end - 1)])) == header.checksum
    }

    /// FNV-1a, 64 bits.
    package static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    private static func hex16(_ x: UInt64) -> [UInt8] {
        let digits = Array("0123456789abcdef".utf8)
        return (0..<16).map { digits[Int((x >> (60 - 4 * UInt64($0))) & 0xF)] }
    }

    private static func parseHex16(_ bytes: UnsafeRawBufferPointer, at start: Int) -> UInt64? {
        var x: UInt64 = 0
        for i in start..<(start + 16) {
            let c = bytes[i]
            let v: UInt8
            switch c {
            case 0x30...0x39: v = c - 0x30
            case 0x61...0x66: v = c - 0x61 + 10
            default: return nil
            }
            x = x << 4 | UInt64(v)
        }
        return x
    }

    private static func startsWith(_ prefix: [UInt8], _ bytes: UnsafeRawBufferPointer, at pos: Int) -> Bool {
        guard pos + prefix.count <= bytes.count else { return false }
        for k in 0..<prefix.count where bytes[pos + k] != prefix[k] { return false }
        return true
    }

    /// The first offset at or after `from` where `needle` starts.
    private static func find(_ needle: [UInt8], in bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        let first = needle[0]
        var i = from
        while i + needle.count <= bytes.count {
            if bytes[i] == first, startsWith(needle, bytes, at: i) { return i }
            i += 1
        }
        return nil
    }
}
