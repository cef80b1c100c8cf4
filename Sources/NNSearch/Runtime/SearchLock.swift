import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Who holds, or last held, a search folder's lock: what `DIR/lock` records.
package struct LockOwner: Equatable, Sendable {
    package var pid: Int32
    package var host: String
    /// When the owner took the lock, ISO 8601 UTC.
    package var started: String

    /// `pid N (host H, started T)`, as the lock messages name an owner.
    var summary: String { "pid \(pid) (host \(host), started \(started))" }
}

/// One scheduler per search folder: an exclusive `flock` on `DIR/lock`, held for the process lifetime.
///
/// The kernel drops a `flock` when its holder dies, even on `kill -9`, so a dead owner never blocks
/// anyone on the same host. The file also records `pid`, `host` and `started`; for an owner on another
/// host (a shared filesystem, where `flock` may not reach across machines) the file's mtime is its
/// heartbeat, and a lock whose heartbeat is older than `grace` is taken over.
///
/// Locks are per open file description, so two `SearchLock`s in one process exclude each other too.
package final class SearchLock: @unchecked Sendable {
    /// How long an owner on another host stays live after its last heartbeat.
    static let grace: TimeInterval = 30
    /// The lock file's name inside the search folder.
    static let fileName = "lock"

    /// The search folder, as given to `acquire`.
    let directory: String
    /// `DIR/lock`.
    package let path: String
    /// What this lock recorded in the file.
    let identity: LockOwner
    /// The locked descriptor; -1 once released.
    private let descriptor: Locked<Int32>

    private init(directory: String, path: String, identity: LockOwner, descriptor: Int32) {
        self.directory = directory
        self.path = path
        self.identity = identity
        self.descriptor = Locked(descriptor)
    }

    deinit { release() }

    // MARK: - Acquiring

    /// Takes DIR/lock. Returns the lock and, when a stale lock was taken over, a one-line message saying whose (pid, host, start) and why.
    ///
    /// Never waits on an owner: a live one makes this throw `.busy` within ~50 ms (a few retries, so a
    /// concurrent `owner` probe is not mistaken for one). Other failures are `.io`.
    static func acquire(directory: String) throws -> (lock: SearchLock, tookOver: String?) {
        let path = lockPath(directory)
        let me = LockOwner(pid: getpid(), host: localHost, started: timestamp(Date()))
        // Loops only when the file was removed or replaced between our open and our flock
        // (its owner releasing): a lock on an unlinked file would exclude nobody.
        for _ in 0..<20 {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            if fd < 0 {
                throw NNSearchError.io("cannot open the lock file \(path): \(errnoText())")
            }
            var keep = false
            defer { if !keep { close(fd) } }

            let state = lockExclusive(fd)
            if state == .held {
                throw busy(directory: directory, owner: readRecord(fd, waitingForWriter: true))
            }
            if state == .locked, !isCurrentFile(fd, path: path) { continue }

            let previous = readRecord(fd)
            var message: String?
            if let previous {
                if previous.host != me.host {
                    let age = heartbeatAge(fd)
                    if age < grace { throw busy(directory: directory, owner: previous) }
                    message = "took over the lock of \(previous.summary), whose heartbeat stopped \(Int(age)) s ago (more than \(Int(grace)) s)"
                } else if state == .unsupported, Daemon.isAlive(previous.pid) {
                    // Without flock, a live pid on this host is the only evidence we have.
                    throw busy(directory: directory, owner: previous)
                } else {
                    let why = Daemon.isAlive(previous.pid) && previous.pid != me.pid
                        ? "which no longer holds it" : "which is no longer running"
                    message = "took over the lock of \(previous.summary), \(why)"
                }
            } else if fileSize(fd) > 0 {
                message = "took over an unreadable lock file \(path) (no one held it)"
            }

            try write(me, to: fd, path: path)
            keep = true
            return (SearchLock(directory: directory, path: path, identity: me, descriptor: fd), message)
        }
        throw NNSearchError.io("cannot take the lock file \(path): it keeps being replaced")
    }

    // MARK: - Owning

    /// Refreshes the lock file's mtime, the heartbeat other hosts judge liveness by.
    ///
    /// Returns false when this process no longer owns the lock: released, the file was removed, or
    /// another host took it over after missing heartbeats.
    @discardableResult
    func heartbeat() -> Bool {
        descriptor.withLock { fd in
            guard fd >= 0, futimens(fd, nil) == 0 else { return false }
            return Self.isCurrentFile(fd, path: path) && Self.readRecord(fd) == identity
        }
    }

    /// Unlocks and removes the lock file; does nothing the second time.
    ///
    /// The file is removed before the descriptor is closed, so whoever gets the lock next holds it on
    /// a fresh file; it is left alone when it no longer records this owner (taken over).
    func release() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            if Self.isCurrentFile(fd, path: path), Self.readRecord(fd) == identity {
                unlink(path)
            }
            close(fd)
            fd = -1
        }
    }

    // MARK: - Inspecting

    /// The live owner of DIR/lock, or nil when nobody holds it (no file, or a stale one).
    ///
    /// Probes with a shared `flock` on a new descriptor, which conflicts with the owner's exclusive
    /// one even in the owner's own process; on this host the recorded pid must also be running.
    package static func owner(directory: String) -> LockOwner? {
        let fd = open(lockPath(directory), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }

        var held: Bool?
        while true {
            if flock(fd, LOCK_SH | LOCK_NB) == 0 {
                flock(fd, LOCK_UN)
                held = false
            } else if errno == EINTR {
                continue
            } else if errno == EWOULDBLOCK {
                held = true
            }
            break
        }
        guard let record = readRecord(fd, waitingForWriter: held == true) else { return nil }
        if record.host == localHost {
            return held != false && Daemon.isAlive(record.pid) ? record : nil
        }
        return held == true || heartbeatAge(fd) < grace ? record : nil
    }

    /// What the lock file says, live or not (for `status` of an interrupted search).
    static func recorded(directory: String) -> LockOwner? {
        let fd = open(lockPath(directory), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readRecord(fd)
    }

    // MARK: - Helpers

    /// This machine's name, as the lock file records it.
    package static var localHost: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }

    private static func lockPath(_ directory: String) -> String {
        directory.hasSuffix("/") ? directory + fileName : directory + "/" + fileName
    }

    private static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    private static func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    private static func busy(directory: String, owner: LockOwner?) -> NNSearchError {
        guard let owner else {
            return NNSearchError(.busy, "\(directory) is in use by another process, which holds \(lockPath(directory))")
        }
        return NNSearchError(.busy, "\(directory) is in use by nnsearch \(owner.summary); stop it with: nnsearch stop \(directory)")
    }

    private enum LockState { case locked, held, unsupported }

    /// Tries the exclusive lock without blocking. `held` only after a few tries over ~50 ms, so an
    /// `owner` probe's brief shared lock is not mistaken for an owner.
    private static func lockExclusive(_ fd: Int32) -> LockState {
        var tries = 0
        while true {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { return .locked }
            switch errno {
            case EINTR:
                continue
            case EWOULDBLOCK:
                tries += 1
                if tries >= 5 { return .held }
                usleep(10_000)
            default:
                // ENOLCK, EOPNOTSUPP: a filesystem without flock; fall back to the record alone.
                return .unsupported
            }
        }
    }

    /// Whether `path` still names the file open on `fd` (not removed or replaced since).
    private static func isCurrentFile(_ fd: Int32, path: String) -> Bool {
        var open = stat(), named = stat()
        guard fstat(fd, &open) == 0, stat(path, &named) == 0 else { return false }
        return open.st_dev == named.st_dev && open.st_ino == named.st_ino
    }

    private static func fileSize(_ fd: Int32) -> Int {
        var info = stat()
        return fstat(fd, &info) == 0 ? Int(info.st_size) : 0
    }

    /// Seconds since the file's mtime; negative when it lies in the future (clock skew).
    private static func heartbeatAge(_ fd: Int32) -> TimeInterval {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .infinity }
        let mtime = TimeInterval(info.st_mtim.tv_sec) + TimeInterval(info.st_mtim.tv_nsec) / 1e9
        return Date().timeIntervalSince1970 - mtime
    }

    /// Parses the record at the start of the file; nil when missing or garbled. With
    /// `waitingForWriter`, retries for ~50 ms, covering an owner between its flock and its write.
    private static func readRecord(_ fd: Int32, waitingForWriter: Bool = false) -> LockOwner? {
        for attempt in 0..<(waitingForWriter ? 6 : 1) {
            if attempt > 0 { usleep(10_000) }
            var bytes = [UInt8](repeating: 0, count: 1024)
            let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            if count > 0, let owner = parse(bytes[..<count]) { return owner }
        }
        return nil
    }

    /// Reads `pid=`, `host=` and `started=` lines; all three must be present and sane.
    static func parse(_ bytes: ArraySlice<UInt8>) -> LockOwner? {
        var fields: [String: String] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            fields[String(line[..<equals])] = value
        }
        guard let pid = fields["pid"].flatMap({ Int32($0) }), pid > 0,
              let host = fields["host"], !host.isEmpty, !host.contains("\u{FFFD}"),
              let started = fields["started"], !started.isEmpty
        else { return nil }
        return LockOwner(pid: pid, host: host, started: started)
    }

    private static func write(_ owner: LockOwner, to fd: Int32, path: String) throws {
        let text = Array("pid=\(owner.pid)\nhost=\(owner.host)\nstarted=\(owner.started)\n".utf8)
        guard ftruncate(fd, 0) == 0 else {
            throw NNSearchError.io("cannot write the lock file \(path): \(errnoText())")
        }
        var written = 0
        while written < text.count {
            let n = text.withUnsafeBytes { pwrite(fd, $0.baseAddress! + written, $0.count - written, off_t(written)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw NNSearchError.io("cannot write the lock file \(path): \(errnoText())") }
            written += n
        }
        guard fsync(fd) == 0 else {
            throw NNSearchError.io("cannot write the lock file \(path): \(errnoText())")
        }
    }
}
