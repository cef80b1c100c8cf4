import Foundation

/// `trials.csv`: opened for appending, header first, one whole row per `write(2)`.
package final class TrialLog {
    private let fd: Int32
    let path: String

    /// Opens (creating if needed) the log; writes the header when the file is empty.
    init(path: String, header: [String]) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ioError("cannot open \(path)") }
        var info = stat()
        if fstat(fd, &info) == 0, info.st_size == 0 {
            try write(header)
        }
    }

    deinit { close(fd) }

    /// Appends one row.
    func append(_ fields: [String]) throws {
        try FaultInjection.check("append:trials.csv")
        try write(fields)
        try FaultInjection.check("appended:trials.csv")
    }

    private func write(_ fields: [String]) throws {
        let line = csvLine(fields)
        let ok = line.utf8CString.withUnsafeBytes { writeAll(fd, UnsafeRawBufferPointer(rebasing: $0.dropLast())) }
        guard ok else { throw ioError("cannot append to \(path)") }
    }
}
