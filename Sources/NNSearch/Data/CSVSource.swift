import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A CSV file's bytes: mapped read-only from a regular, readable file that looks like UTF-8
/// text, or held in memory.
///
/// Opening says plainly what is wrong with a path that is not such a file: missing, a
/// directory, a device like `/dev/null`, unreadable, UTF-16 or UTF-32 text, compressed, a
/// spreadsheet. A mapped file's pages are read as the parser goes, and `release(before:)` hands
/// the ones it is done with back, so loading a large file never holds the whole of it.
final class CSVSource: @unchecked Sendable {
    let path: String
    /// The bytes; valid as long as this object lives.
    let bytes: UnsafeBufferPointer<UInt8>
    private let mapping: UnsafeMutableRawPointer?
    private let owned: UnsafeMutableBufferPointer<UInt8>?
    /// Pages before this offset were handed back already.
    private var released = 0

    /// An in-memory copy of `bytes` (tests, small files, rows read back).
    init(bytes: [UInt8], path: String) {
        self.path = path
        let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        _ = copy.initialize(from: bytes)
        owned = copy
        mapping = nil
        self.bytes = UnsafeBufferPointer(start: copy.baseAddress, count: bytes.count)
    }

    /// Maps `path`, or throws a data error (exit 65; 66 when the file is there but cannot be read)
    /// that says what the path is instead of a CSV file.
    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let code = errno
            var info = stat()
            if code == ENOENT || code == ENOTDIR || stat(path, &info) != 0 {
                throw NNSearchError.data("\(abbreviated(path, limit: 200)): no such file")
            }
            throw NNSearchError(.noInput, "\(abbreviated(path, limit: 200)): cannot be read (\(String(cString: strerror(code))))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw NNSearchError(.noInput, "\(path): cannot be read (\(String(cString: strerror(errno))))")
        }
        if let kind = CSVSource.notARegularFile(info.st_mode) {
            throw NNSearchError.data("\(path): is \(kind), not a CSV file")
        }
        let size = Int(info.st_size)
        owned = nil
        if size == 0 {
            mapping = nil
            bytes = UnsafeBufferPointer(start: nil, count: 0)
            return
        }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw NNSearchError(.noInput, "\(path): cannot be read (\(String(cString: strerror(errno))))")
        }
        _ = madvise(mapped, size, MADV_SEQUENTIAL)
        mapping = mapped
        bytes = UnsafeBufferPointer(start: mapped.assumingMemoryBound(to: UInt8.self), count: size)
        if let problem = CSVSource.encodingProblem(bytes, path: path) {
            throw NNSearchError.data("\(path): \(problem)")
        }
    }

    deinit {
        if let mapping { munmap(mapping, bytes.count) }
        owned?.deallocate()
    }

    /// Hands back the mapped pages wholly before `offset` (they are read again from the page cache
    /// if an error message needs a line number), keeping the process's resident memory small.
    func release(before offset: Int) {
        guard let mapping else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let end = offset / page * page
        guard end > released else { return }
        _ = madvise(mapping + released, end - released, MADV_DONTNEED)
        released = end
    }

    // MARK: - What the path is instead

    /// "a directory", "a character device (like /dev/null)", ... for a mode that is not a regular file.
    static func notARegularFile(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a directory"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a named pipe (save the data to a file: it is read more than once)"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    /// Why `bytes` cannot be UTF-8 CSV text (another Unicode encoding, compressed, a workbook), or nil.
    static func encodingProblem(_ bytes: UnsafeBufferPointer<UInt8>, path: String) -> String? {
        let head = Array(bytes.prefix(4096))
        let base = path.hasSuffix(".csv") ? String(path.dropLast(4)) : path
        func unicode(_ name: String, _ how: String, _ iconv: String) -> String {
            "the file is \(name) text (\(how)), not UTF-8; save it as UTF-8 (in Excel: \"CSV UTF-8\"), e.g. with: "
                + "iconv -f \(iconv) -t UTF-8 \(path) > \(base)-utf8.csv"
        }
        if head.starts(with: [0xFF, 0xFE, 0, 0]) { return unicode("UTF-32", "little-endian, byte order mark FF FE 00 00", "UTF-32") }
        if head.starts(with: [0, 0, 0xFE, 0xFF]) { return unicode("UTF-32", "big-endian, byte order mark 00 00 FE FF", "UTF-32") }
        if head.starts(with: [0xFF, 0xFE]) { return unicode("UTF-16", "little-endian, byte order mark FF FE", "UTF-16") }
        if head.starts(with: [0xFE, 0xFF]) { return unicode("UTF-16", "big-endian, byte order mark FE FF", "UTF-16") }
        if head.starts(with: [0x1F, 0x8B]) { return "the file is gzip-compressed, not CSV text; decompress it first (gunzip)" }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            return "the file is a ZIP archive (an Excel .xlsx workbook?), not CSV text; export the sheet as \"CSV UTF-8\""
        }
        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            return "the file is an old Excel .xls workbook, not CSV text; export the sheet as \"CSV UTF-8\""
        }
        // Without a byte order mark: ASCII text in UTF-16 has a NUL beside every character.
        let evenNULs = stride(from: 0, to: head.count, by: 2).filter { head[$0] == 0 }.count
        let oddNULs = stride(from: 1, to: head.count, by: 2).filter { head[$0] == 0 }.count
        let pairs = head.count / 2
        if pairs >= 2, oddNULs * 4 >= pairs * 3, evenNULs * 4 < pairs {
            return unicode("UTF-16", "little-endian, without a byte order mark: a NUL byte after every character", "UTF-16LE")
        }
        if pairs >= 2, evenNULs * 4 >= pairs * 3, oddNULs * 4 < pairs {
            return unicode("UTF-16", "big-endian, without a byte order mark: a NUL byte before every character", "UTF-16BE")
        }
        if evenNULs + oddNULs > 0, (evenNULs + oddNULs) * 10 >= head.count {
            return "the file holds NUL bytes (\(evenNULs + oddNULs) in its first \(head.count)): it is binary data, not CSV text"
        }
        return nil
    }
}
