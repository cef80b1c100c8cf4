import Foundation
import NNSearchKernel
#if canImport(Glibc)
import Glibc
#endif

/// The lock that serializes appends to a search's journal, made to work on NFS.
///
/// `flock(2)` is unreliable on NFS, so the lock is a file that appears only whole, holding its
/// owner's host and pid: written under a name of its own, then hard-linked into place (`link(2)`
/// fails on an existing lock, atomically, on NFS too). It is held only for an append and the views'
/// update (milliseconds, never while training) and released by renaming it to a name of the
/// owner's own and unlinking that, so a release can never remove someone else's lock. A lock file
/// whose content (a token unique to each acquisition) a waiter has seen unchanged for `grace` on
/// its own monotonic clock belongs to a killed or frozen holder: the waiter breaks it by renaming
/// it aside (one breaker wins the rename) and takes the lock, so a dead holder never hangs anyone
/// for longer than the grace period (Optuna's #5921), and no host's clock, nor the file server's,
/// is trusted. A holder on this machine (same boot and pid namespace) whose pid is gone is broken
/// at once.
final class JournalLock: @unchecked Sendable {
    /// How long a lock file may stay unchanged before it counts as abandoned; 30 s by default.
    let grace: Double
    /// `DIR/journal.lock`.
    let path: String
    /// Host and pid, as written into the lock file and into the names of its temporary files.
    let owner: String
    /// Called with a sentence when a stale lock was broken.
    var onBreak: @Sendable (String) -> Void = { _ in }

    /// What this process wrote into the lock file it holds: owner, time, pid, pid space and a
    /// nonce. A file's inode is no identity (ext4 hands a new file the inode just freed), its
    /// content is: the lock is ours while the file says exactly this.
    private var held: String? = nil

    init(directory: String, grace: Double = 30) {
        path = directory + "/journal.lock"
        self.grace = grace
        owner = "\(localHostName)-\(getpid())"
        nonce = String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }

    /// Makes the names of this lock's aside files unique (two containers may share host and pid).
    private let nonce: String

    /// Takes the lock, waiting with a short backoff while someone else holds it, and breaking it
    /// once its content stayed the same for `grace`.
    func acquire() throws {
        precondition(held == nil, "the journal lock is not reentrant")
        var pause: useconds_t = 20
        var watched: (content: String, since: UInt64)? = nil
        while true {
            // The token is written aside, then linked into place: link is atomic and refuses an
            // existing lock, so a holder killed at any moment leaves no lock or a whole one — never
            // an empty file that only the grace period could clear.
            let token = "\(owner) \(Date().timeIntervalSince1970) \(getpid()) \(localPidSpace) \(UInt64.random(in: 0...UInt64.max))\n"
            let aside = path + ".taking-" + nonce + temporarySuffix
            let fd = open(aside, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw ioError("cannot create the journal lock \(path)") }
            let ok = Array(token.utf8).withUnsafeBytes { writeAll(fd, $0) }
            close(fd)
            guard ok else {
                unlink(aside)
                throw ioError("cannot write the journal lock \(path)")
            }
            let linked = link(aside, path) == 0
            let linkErrno = errno
            unlink(aside)
            if linked {
                held = token
                return
            }
            errno = linkErrno
            guard linkErrno == EEXIST else { throw ioError("cannot create the journal lock \(path)") }
            guard let content = Self.content(path) else { continue }   // released meanwhile
            if content == token {
                // The link was made but its reply lost (an NFS retransmit answered EEXIST): it is ours.
                held = token
                return
            }
            let now = DispatchTime.now().uptimeNanoseconds
            if watched?.content != content { watched = (content, now) }
            let age = Double(now - watched!.since) / 1e9
            if age > grace || (age > 0.02 && Self.holderIsGone(content)) {
                breakStale(content, age: age)
                watched = nil
                continue
            }
            usleep(pause)
            pause = min(pause * 2, 1_000)
        }
    }

    /// True while `path` is still the file this process created (nobody broke the lock).
    var isHeld: Bool {
        guard let held else { return false }
        return Self.content(path) == held
    }

    /// Releases the lock: renames it to a name of our own, then unlinks that. Returns false when
    /// the lock was no longer ours (broken by another process after `grace`).
    @discardableResult
    func release() -> Bool {
        guard let token = held else { return false }
        defer { held = nil }
        guard isHeld else { return false }
        let aside = path + ".released-" + owner + "-" + nonce
        guard rename(path, aside) == 0 else { return false }
        // Between the check and the rename the lock may have been broken and retaken: give a
        // file that is not ours back (link fails only if yet another lock exists).
        guard Self.content(aside) == token else {
            _ = link(aside, path)
            unlink(aside)
            return false
        }
        unlink(aside)
        return true
    }

    /// Runs `body` holding the lock.
    func withLock<R>(_ body: () throws -> R) throws -> R {
        try acquire()
        defer { release() }
        return try body()
    }

    /// Whether a lock file's content names a holder of this machine whose process no longer exists.
    private static func holderIsGone(_ text: String) -> Bool {
        let fields = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
        guard fields.count == 5, String(fields[3]) == localPidSpace, let pid = Int32(fields[2]) else { return false }
        return pid != getpid() && !Daemon.isAlive(pid)
    }

    /// A lock file's content (its first 1 KiB), nil when it cannot be opened.
    private static func content(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        return n >= 0 ? String(decoding: buffer[..<n], as: UTF8.self) : nil
    }

    /// Renames a stale lock aside (only one breaker's rename succeeds) and removes it. When the
    /// file renamed turns out to be a newer lock (another breaker was quicker and took the lock),
    /// it is linked back into place.
    private func breakStale(_ judged: String, age: Double) {
        let holder = judged.split(separator: " ").first.map(String.init) ?? "an unknown process"
        let aside = path + ".broken-" + owner + "-" + nonce
        guard rename(path, aside) == 0 else { return }
        if Self.content(aside) != judged {
            _ = link(aside, path)   // a newer lock than the one judged stale: put it back
            unlink(aside)
            return
        }
        unlink(aside)
        let why = age > grace ? "unchanged for \(String(format: "%.1f", age)) s (grace \(formatNumber(grace)) s)"
            : "whose process is no longer running"
        onBreak("broke the journal lock of \(holder), \(why)")
    }
}
