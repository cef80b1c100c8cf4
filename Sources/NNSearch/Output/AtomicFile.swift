import Foundation

/// Replaces `path` with `data` so that readers see the old file or the new one, never a mix.
///
/// Writes a temporary file in the same folder, optionally fsyncs it, and renames it over `path`.
package func writeAtomically(_ data: some ContiguousBytes, to path: String, sync: Bool = false) throws {
    let temporary = path + temporarySuffix
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw ioError("cannot create \(temporary)") }
    var ok = data.withUnsafeBytes { writeAll(fd, $0) }
    if ok && sync { ok = fsync(fd) == 0 }
    let savedErrno = errno
    close(fd)
    guard ok else {
        unlink(temporary)
        errno = savedErrno
        throw ioError("cannot write \(path)")
    }
    let name = path.hasSuffix(".ckpt") ? "checkpoint" : String(path.split(separator: "/").last ?? "")
    do {
        try FaultInjection.check("rename:" + name)
    } catch {
        unlink(temporary)
        throw error
    }
    guard rename(temporary, path) == 0 else {
        let e = ioError("cannot replace \(path)")
        unlink(temporary)
        throw e
    }
    try FaultInjection.check("renamed:" + name)
}

/// Writes every byte of `bytes` to `fd`, retrying short writes and EINTR.
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
        if n < 0 {
            if errno == EINTR { continue }
            return false
        }
        offset += n
    }
    return true
}

/// An I/O error naming what failed and the system's reason (from errno).
package func ioError(_ what: String) -> NNSearchError {
    NNSearchError(.io, "\(what): \(String(cString: strerror(errno)))")
}

/// Creates or truncates `path` and writes `data` to it (for files that appear whole before
/// anything refers to them, like a curve written before its trial's row).
func writeFile(_ data: Data, to path: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw ioError("cannot create \(path)") }
    defer { close(fd) }
    guard data.withUnsafeBytes({ writeAll(fd, $0) }) else { throw ioError("cannot write \(path)") }
}
