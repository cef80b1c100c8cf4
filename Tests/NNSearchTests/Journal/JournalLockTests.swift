import Dispatch
import Foundation
import XCTest
@testable import NNSearch
@testable import NNSearchKernel
#if canImport(Glibc)
import Glibc
#endif

/// The O_EXCL journal lock, in a temporary directory: exclusion, breaking a stale or dead holder's
/// lock, and never releasing a lock that is no longer ours.
final class JournalLockTests: XCTestCase {
    // MARK: - Exclusion

    /// A second lock waits while the first is held, and gets it only after the first is released.
    func testASecondLockWaitsUntilTheFirstIsReleased() throws {
        let dir = try temporaryDirectory()
        let first = JournalLock(directory: dir)
        try first.acquire()
        XCTAssertTrue(first.isHeld)

        let events = Locked<[String]>([])
        let second = JournalLock(directory: dir)
        DispatchQueue.global().async {
            do {
                try second.acquire()
                events.withLock { $0.append("second acquired") }
            } catch {
                events.withLock { $0.append("second failed: \(error)") }
            }
        }
        usleep(300_000)
        XCTAssertEqual(events.current, [], "the second lock was taken while the first was held")
        XCTAssertTrue(first.isHeld)

        events.withLock { $0.append("first releasing") }
        XCTAssertTrue(first.release())
        eventually("the second lock", timeout: 10) { events.current.count == 2 }
        XCTAssertEqual(events.current, ["first releasing", "second acquired"])
        XCTAssertTrue(second.isHeld)
        XCTAssertFalse(first.isHeld)
        XCTAssertTrue(second.release())
        XCTAssertEqual(try entries(of: dir), [], "a release leaves no file behind")
    }

    /// Threads that read, pause and rewrite a counter file under the lock lose no update.
    func testCriticalSectionsUnderTheLockDoNotInterleave() throws {
        let dir = try temporaryDirectory()
        let counter = dir + "/counter"
        try "0".write(toFile: counter, atomically: false, encoding: .utf8)
        let threads = 4, rounds = 25
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            let lock = JournalLock(directory: dir)
            for _ in 0..<rounds {
                do {
                    try lock.withLock {
                        let n = Int(try String(contentsOfFile: counter, encoding: .utf8)) ?? -1_000_000
                        usleep(200)
                        try String(n + 1).write(toFile: counter, atomically: false, encoding: .utf8)
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        XCTAssertEqual(failures.current, [])
        XCTAssertEqual(try String(contentsOfFile: counter, encoding: .utf8), String(threads * rounds))
        XCTAssertEqual(try entries(of: dir), ["counter"])
    }

    func testWithLockReleasesWhenTheBodyThrows() throws {
        let dir = try temporaryDirectory()
        let lock = JournalLock(directory: dir)
        struct Oops: Error {}
        XCTAssertThrowsError(try lock.withLock { throw Oops() })
        XCTAssertFalse(lock.isHeld)
        XCTAssertFalse(FileManager.default.fileExists(atPath: lock.path))
        XCTAssertEqual(try lock.withLock { 42 }, 42, "the lock can be taken again")
    }

    func testTheLockFileNamesItsHolder() throws {
        let dir = try temporaryDirectory()
        let lock = JournalLock(directory: dir)
        try lock.acquire()
        defer { lock.release() }
        XCTAssertEqual(lock.path, dir + "/journal.lock")
        let fields = try String(contentsOfFile: lock.path, encoding: .utf8).split(separator: " ").map(String.init)
        XCTAssertEqual(fields.count, 5, "owner, time, pid, pid space, nonce: \(fields)")
        XCTAssertEqual(fields.first, lock.owner)
        XCTAssertEqual(fields[2], String(getpid()))
        XCTAssertEqual(fields[3], localPidSpace)
        XCTAssertNotNil(UInt64(fields[4].dropLast()), "a nonce: \(fields)")
    }

    // MARK: - Breaking

    /// Staleness is judged on the waiter's own clock, never by the file's timestamp (another host's
    /// or the file server's clock): a lock whose mtime says 10 s ago, or 10 s in the future, is
    /// broken once the waiter has seen it unchanged for the grace period.
    func testAStaleLockIsBrokenAfterTheGraceWhateverItsTimestampSays() throws {
        for skew in [10.0, -10.0] {
            try assertBrokenAfterGrace(mtimeSecondsAgo: skew)
        }
    }

    private func assertBrokenAfterGrace(mtimeSecondsAgo skew: Double, file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = try temporaryDirectory()
        let path = dir + "/journal.lock"
        try "otherhost-1 0 1 other-space".write(toFile: path, atomically: false, encoding: .utf8)
        try setModificationTime(of: path, secondsAgo: skew)

        let lock = JournalLock(directory: dir, grace: 1)
        let messages = Locked<[String]>([])
        lock.onBreak = { message in messages.withLock { $0.append(message) } }
        let start = Date()
        try lock.acquire()
        let waited = Date().timeIntervalSince(start)
        XCTAssertGreaterThanOrEqual(waited, 0.9, "mtime \(skew) s ago: the grace is waited out", file: file, line: line)
        XCTAssertLessThan(waited, 2.0, "mtime \(skew) s ago: and no more", file: file, line: line)
        XCTAssertTrue(lock.isHeld)
        XCTAssertEqual(messages.current.count, 1, "\(messages.current)")
        XCTAssertTrue(messages.current.first?.contains("otherhost-1") ?? false, "\(messages.current)")
        XCTAssertTrue(try String(contentsOfFile: path, encoding: .utf8).hasPrefix(lock.owner + " "))
        XCTAssertTrue(lock.release())
        XCTAssertEqual(try entries(of: dir), [], "the broken lock was removed, not left aside")
    }

    /// A foreign lock just written, grace 1 s: broken after about a second, not before 0.9 s. This is
    /// the contract "no worker waits longer than grace + 1 s for a dead holder".
    func testAFreshForeignLockIsBrokenAfterTheGrace() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/journal.lock"
        try "otherhost-1 \(Date().timeIntervalSince1970) 1 other-space\n".write(toFile: path, atomically: false, encoding: .utf8)
        let start = Date()
        let lock = JournalLock(directory: dir, grace: 1)
        let messages = Locked<[String]>([])
        lock.onBreak = { message in messages.withLock { $0.append(message) } }
        try lock.acquire()
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertGreaterThanOrEqual(elapsed, 0.9)
        XCTAssertLessThanOrEqual(elapsed, 2.0)
        XCTAssertTrue(lock.isHeld)
        XCTAssertEqual(messages.current.count, 1, "\(messages.current)")
        XCTAssertTrue(messages.current.first?.contains("otherhost-1") ?? false, "\(messages.current)")
        lock.release()
    }

    /// A lock whose holder is a pid of this machine (same pid space) that no longer runs is broken at once.
    func testALockOfADeadLocalProcessIsBrokenAtOnce() throws {
        let dir = try temporaryDirectory()
        let pid = try deadPid()
        let path = dir + "/journal.lock"
        let holder = "\(localHostName)-\(pid)"
        try "\(holder) \(Date().timeIntervalSince1970) \(pid) \(localPidSpace) 1\n".write(toFile: path, atomically: false, encoding: .utf8)

        let lock = JournalLock(directory: dir, grace: 30)
        let messages = Locked<[String]>([])
        lock.onBreak = { message in messages.withLock { $0.append(message) } }
        let start = Date()
        try lock.acquire()
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.0, "waited for a dead holder (grace 30 s)")
        XCTAssertTrue(lock.isHeld)
        XCTAssertEqual(messages.current.count, 1, "\(messages.current)")
        XCTAssertTrue(messages.current.first?.contains(holder) ?? false, "\(messages.current)")
        XCTAssertTrue(messages.current.first?.contains("no longer running") ?? false, "\(messages.current)")
        lock.release()
    }

    /// The same dead pid in another pid space (another machine, another container) says nothing:
    /// that lock waits for its grace.
    func testADeadPidOfAnotherPidSpaceWaitsForTheGrace() throws {
        let dir = try temporaryDirectory()
        let pid = try deadPid()
        let path = dir + "/journal.lock"
        try "\(localHostName)-\(pid) \(Date().timeIntervalSince1970) \(pid) \(localPidSpace)-elsewhere 1\n"
            .write(toFile: path, atomically: false, encoding: .utf8)
        let start = Date()
        let lock = JournalLock(directory: dir, grace: 1)
        try lock.acquire()
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.9)
        lock.release()
    }

    /// A live local holder is not broken before its grace.
    func testALockOfALiveLocalProcessWaitsForTheGrace() throws {
        let dir = try temporaryDirectory()
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["30"]
        try sleeper.run()
        defer { sleeper.terminate(); sleeper.waitUntilExit() }
        let pid = sleeper.processIdentifier
        let path = dir + "/journal.lock"
        try "\(localHostName)-\(pid) \(Date().timeIntervalSince1970) \(pid) \(localPidSpace) 1\n".write(toFile: path, atomically: false, encoding: .utf8)
        let start = Date()
        let lock = JournalLock(directory: dir, grace: 1)
        try lock.acquire()
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.9)
        lock.release()
    }

    // MARK: - Releasing what is no longer ours

    /// A holder whose lock was broken (it looked stale) and taken by another must not release the
    /// other's lock. Repeated, because a freed inode number may be handed to the next file created;
    /// stops at the first round that goes wrong.
    func testReleaseOfABrokenAndRetakenLockReturnsFalseAndLeavesTheNewLock() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/journal.lock"
        // Each round the same inode may come back (ext4 reuses it): the lock's identity is its token.
        for round in 0..<10 {
            let slow = JournalLock(directory: dir, grace: 30)
            try slow.acquire()
            let quick = JournalLock(directory: dir, grace: 0.1)    // as if the holder froze past the grace
            try quick.acquire()
            let taken = try String(contentsOfFile: path, encoding: .utf8)

            let slowStillHolds = slow.isHeld
            let slowReleased = slow.release()
            let left = try? String(contentsOfFile: path, encoding: .utf8)
            let quickHolds = quick.isHeld
            let quickReleased = quick.release()
            XCTAssertFalse(slowStillHolds, "round \(round): the frozen holder still thinks it holds the lock")
            XCTAssertFalse(slowReleased, "round \(round): the frozen holder released a lock that was not its own")
            XCTAssertEqual(left, taken, "round \(round): the new holder's lock file after the frozen holder's release")
            XCTAssertTrue(quickHolds, "round \(round): the new holder lost its lock")
            XCTAssertTrue(quickReleased, "round \(round)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: path), "round \(round)")
            if slowStillHolds || slowReleased || left != taken || !quickHolds || !quickReleased { break }
        }
        XCTAssertEqual(try entries(of: dir), [])
    }

    func testIsHeldTurnsFalseWhenTheFileIsReplaced() throws {
        let dir = try temporaryDirectory()
        let lock = JournalLock(directory: dir)
        try lock.acquire()
        XCTAssertTrue(lock.isHeld)
        try "otherhost-9 0 9 other-space\n".write(toFile: dir + "/other", atomically: false, encoding: .utf8)
        XCTAssertEqual(rename(dir + "/other", lock.path), 0)
        XCTAssertFalse(lock.isHeld)
        XCTAssertFalse(lock.release())
        XCTAssertEqual(try String(contentsOfFile: lock.path, encoding: .utf8), "otherhost-9 0 9 other-space\n")
    }

    func testIsHeldTurnsFalseWhenTheFileIsRemoved() throws {
        let dir = try temporaryDirectory()
        let lock = JournalLock(directory: dir)
        XCTAssertFalse(lock.isHeld, "not acquired yet")
        try lock.acquire()
        XCTAssertEqual(unlink(lock.path), 0)
        XCTAssertFalse(lock.isHeld)
        XCTAssertFalse(lock.release())
        XCTAssertFalse(lock.release(), "a second release is a no-op")
    }

    // MARK: - Helpers

    private func temporaryDirectory() throws -> String {
        try BinaryHarness.temporaryDirectory(self).path
    }

    private func entries(of dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    }

    /// Sets `path`'s access and modification times to `secondsAgo` before now.
    private func setModificationTime(of path: String, secondsAgo: Double, file: StaticString = #filePath, line: UInt = #line) throws {
        let t = Date().timeIntervalSince1970 - secondsAgo
        let whole = t.rounded(.down)
        let time = timespec(tv_sec: Int(whole), tv_nsec: Int((t - whole) * 1e9))
        let times = [time, time]
        guard utimensat(AT_FDCWD, path, times, 0) == 0 else {
            throw NNSearchError(.io, "utimensat \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// The pid of a process of this machine that ran and exited (and was reaped).
    private func deadPid(file: StaticString = #filePath, line: UInt = #line) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        let pid = process.processIdentifier
        XCTAssertFalse(Daemon.isAlive(pid), "pid \(pid) of /bin/true is still alive", file: file, line: line)
        return pid
    }
}
