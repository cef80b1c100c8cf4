import Foundation
import NNSearchKernel
#if canImport(Glibc)
import Glibc
#endif

/// The lock that serializes appends to a search's journal, made to work on NFS.
///
/// `flock(2)` is unreliable on NFS, so the lock is a file created with `O_EXCL` (atomic on NFSv3
/// and later), holding its owner's host and pid. It is held only for an append and the views'
/// update (milliseconds, never while training) and released by renaming it to a name of the
/// owner's own and unlinking that, so a release can never remove someone else's lock. A lock file
/// whose modification time is older than `grace` belongs to a killed or frozen holder: the next
/// process breaks it by renaming it aside (one breaker wins the rename) and takes the lock, so a
/// dead holder never hangs anyone for longer than the grace period (Optuna's #5921). A holder on
/// this machine (same boot and pid namespace) whose pid is gone is broken at once.
final class JournalLock: @unchecked Sendable {
    /// How long a lock file may stay unchanged before it counts as abandoned; 30 s by default.
    let grace: Double
    /// `DIR/journal.lock`.
    let path: String
    /// Host and pid, as written into the lock file and into the names of its temporary files.
    let owner: String
    /// Called with a sentence when a stale lock was broken.
    var onBreak: @Sendable (String) -> Void = { _ in }

    /// The held lock file's identity (device, inode), to tell whether it is still ours.
    private var held: (dev: UInt64, ino: UInt64)? = nil

    init(directory: String, grace: Double = 30) {
        path = directory + "/journal.lock"
        self.grace = grace
        owner = "\(localHostName)-\(getpid())"
    }

    /// Takes the lock, waiting with a short backoff while someone else holds it, and breaking it
    /// when its file is older than `grace`.
    func acquire() throws {
        precondition(held == nil, "the journal lock is not reentrant")
        var pause: useconds_t = 50
        while true {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 {
                let text = Array("\(owner) \(Date().timeIntervalSince1970) \(getpid()) \(localPidSpace)\n".utf8)
                _ = text.withUnsafeBytes { writeAll(fd, $0) }
                var info = stat()
                fstat(fd, &info)
                close(fd)
                held = (UInt64(info.st_dev), UInt64(info.st_ino))
                return
            }
            guard errno == EEXIST else { throw ioError("cannot create the journal lock \(path)") }
            var info = stat()
            if stat(path, &info) == 0 {
                let mtime = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
                let age = Date().timeIntervalSince1970 - mtime
                if age > grace || (age > 0.02 && holderIsGone()) {
                    breakStale(age: age, inode: UInt64(info.st_ino))
                    continue
                }
            } else if errno == ENOENT {
                continue   // released between our open and our stat
            }
            usleep(pause)
            pause = min(pause * 2, 5_000)
        }
    }

    /// True while `path` is still the file this process created (nobody broke the lock).
    var isHeld: Bool {
        guard let held else { return false }
        var info = stat()
        return stat(path, &info) == 0 && UInt64(info.st_dev) == held.dev && UInt64(info.st_ino) == held.ino
    }

    /// Releases the lock: renames it to a name of our own, then unlinks that. Returns false when
    /// the lock was no longer ours (broken by another process after `grace`).
    @discardableResult
    func release() -> Bool {
        guard held != nil else { return false }
        defer { held = nil }
        guard isHeld else { return false }
        let aside = path + ".released-" + owner
        guard rename(path, aside) == 0 else { return false }
        unlink(aside)
        return true
    }

    /// Runs `body` holding the lock.
    func withLock<R>(_ body: () throws -> R) throws -> R {
        try acquire()
        defer { release() }
        return try body()
    }

    /// Whether the lock file names a holder of this machine whose process no longer exists.
    private func holderIsGone() -> Bool {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return false }
        let fields = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
        guard fields.count == 4, String(fields[3]) == localPidSpace, let pid = Int32(fields[2]) else { return false }
        return pid != getpid() && !Daemon.isAlive(pid)
    }

    /// Renames a stale lock aside (only one breaker's rename succeeds) and removes it. When the
    /// file renamed turns out to be a newer lock (another breaker was quicker and took the lock),
    /// it is linked back into place.
    private func breakStale(age: Double, inode: UInt64) {
        let holder = (try? String(contentsOfFile: path, encoding: .utf8))?
            .split(separator: " ").first.map(String.init) ?? "an unknown process"
        let aside = path + ".broken-" + owner
        guard rename(path, aside) == 0 else { return }
        var info = stat()
        if stat(aside, &info) == 0, UInt64(info.st_ino) != inode {
            _ = link(aside, path)   // fails only if yet another lock exists: then that one rules
            unlink(aside)
            return
        }
        unlink(aside)
        let why = age > grace ? "unchanged for \(String(format: "%.1f", age)) s (grace \(formatNumber(grace)) s)"
            : "whose process is no longer running"
        onBreak("broke the journal lock of \(holder), \(why)")
    }
}
