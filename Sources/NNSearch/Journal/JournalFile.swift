import Foundation
import NNSearchKernel
#if canImport(Glibc)
import Glibc
#endif

/// The journal file of a search folder: appended under `JournalLock`, read by anyone without a lock.
///
/// Every read and append opens the file anew and closes it after: on NFS, opening revalidates the
/// file's size with the server and closing flushes the write to it (close-to-open consistency), so
/// an append made under the lock lands after every record another host appended before it.
final class JournalFile: Sendable {
    let path: String

    /// The journal of `directory`, which must exist unless `create` is set.
    init(directory: String, create: Bool = true) throws {
        path = directory + "/journal"
        let fd = open(path, O_RDONLY | O_CLOEXEC | (create ? O_CREAT : 0), 0o644)
        guard fd >= 0 else {
            if errno == ENOENT { throw NNSearchError(.noInput, "\(directory) has no journal (not a search folder, or made by an older nnsearch)") }
            throw ioError("cannot open \(path)")
        }
        close(fd)
    }

    /// The file's size now.
    var size: Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    /// Scans the records from `offset` to the end as it is now.
    func read(from offset: Int) throws -> JournalFrame.Scan {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("cannot open \(path)") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ioError("cannot read \(path)") }
        let end = Int(info.st_size)
        guard end > offset else { return JournalFrame.Scan(settled: min(offset, max(end, 0)), tail: 0) }
        var bytes = [UInt8](repeating: 0, count: end - offset)
        var got = 0
        while got < bytes.count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, $0.count - got, off_t(offset + got)) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw ioError("cannot read \(path)") }
            if n == 0 { break }
            got += n
        }
        return bytes.withUnsafeBytes { JournalFrame.scan(UnsafeRawBufferPointer(rebasing: $0[..<got]), base: offset) }
    }

    /// Appends records with one `write(2)` (call holding the journal lock).
    func append(_ records: [JournalRecord]) throws {
        guard !records.isEmpty else { return }
        var bytes = [UInt8]()
        for r in records { bytes += JournalFrame.encode(r) }
        let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("cannot open \(path)") }
        try FaultInjection.check("append:journal")
        let ok = bytes.withUnsafeBytes { writeAll(fd, $0) }
        let savedErrno = errno
        guard close(fd) == 0, ok else {
            errno = ok ? errno : savedErrno
            throw ioError("cannot append to \(path)")
        }
        try FaultInjection.check("appended:journal")
    }

    /// Cuts the file at `offset`: a torn tail left by a killed writer (call holding the journal lock).
    func cut(at offset: Int) throws {
        guard truncate(path, off_t(offset)) == 0 else { throw ioError("cannot cut the torn end of \(path)") }
    }
}
