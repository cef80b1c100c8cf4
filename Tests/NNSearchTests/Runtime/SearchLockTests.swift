import Foundation
import XCTest
@testable import NNSearch

final class SearchLockTests: XCTestCase {
    private var directory = ""
    private var lockPath: String { directory + "/lock" }

    override func setUpWithError() throws {
        directory = try BinaryHarness.temporaryDirectory(self).path
    }

    // MARK: - One process

    func testSecondAcquireIsBusyAndNamesTheOwner() throws {
        let (lock, tookOver) = try SearchLock.acquire(directory: directory)
        XCTAssertNil(tookOver)
        XCTAssertEqual(lock.identity.pid, getpid())
        XCTAssertEqual(SearchLock.owner(directory: directory), lock.identity)
        XCTAssertEqual(SearchLock.recorded(directory: directory), lock.identity)

        let error = assertBusy(directory)
        XCTAssertTrue(error.contains("pid \(getpid())"), error)
        XCTAssertTrue(error.contains("host \(SearchLock.localHost)"), error)
        XCTAssertTrue(error.contains("stop it with: nnsearch stop \(directory)"), error)

        XCTAssertTrue(lock.heartbeat())
        lock.release()
        lock.release()
        XCTAssertFalse(FileManager.default.fileExists(atPath: lockPath))
        XCTAssertFalse(lock.heartbeat())
        XCTAssertNil(SearchLock.owner(directory: directory))
        XCTAssertNil(SearchLock.recorded(directory: directory))

        let again = try SearchLock.acquire(directory: directory)
        XCTAssertNil(again.tookOver, "a released lock leaves nothing to take over")
        again.lock.release()
    }

    func testLockFileRecordsPidHostAndStart() throws {
        let (lock, _) = try SearchLock.acquire(directory: directory)
        defer { lock.release() }
        let text = try String(contentsOfFile: lockPath, encoding: .utf8)
        XCTAssertEqual(text, "pid=\(getpid())\nhost=\(SearchLock.localHost)\nstarted=\(lock.identity.started)\n")
        let started = try XCTUnwrap(ISO8601DateFormatter().date(from: lock.identity.started), lock.identity.started)
        XCTAssertLessThan(abs(started.timeIntervalSinceNow), 60)
        XCTAssertTrue(lock.identity.started.hasSuffix("Z"))
    }

    func testHeartbeatRefreshesModificationTime() throws {
        let (lock, _) = try SearchLock.acquire(directory: directory)
        defer { lock.release() }
        try setModificationDate(Date(timeIntervalSinceNow: -600))
        XCTAssertTrue(lock.heartbeat())
        let mtime = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: lockPath)[.modificationDate] as? Date)
        XCTAssertLessThan(abs(mtime.timeIntervalSinceNow), 30)
    }

    // MARK: - Other processes on this host

    func testTakesOverTheLockOfAKilledProcess() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/flock") else {
            throw XCTSkip("needs /usr/bin/flock")
        }
        // Holds DIR/lock like a scheduler would, then becomes `sleep` with the locked descriptor open.
        let script = """
            exec 9>>"$1" && flock -x 9 || exit 1
            printf 'pid=%s\\nhost=%s\\nstarted=2020-01-01T00:00:00Z\\n' "$$" "$2" >&9
            exec sleep 30
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script, "sh", lockPath, SearchLock.localHost]
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        defer { if process.isRunning { kill(pid, SIGKILL); process.waitUntilExit() } }

        eventually("the child to hold the lock") { SearchLock.owner(directory: directory)?.pid == pid }
        let error = assertBusy(directory)
        XCTAssertTrue(error.contains("pid \(pid) (host \(SearchLock.localHost), started 2020-01-01T00:00:00Z)"), error)

        kill(pid, SIGKILL)
        process.waitUntilExit()
        XCTAssertNil(SearchLock.owner(directory: directory))
        XCTAssertEqual(SearchLock.recorded(directory: directory)?.pid, pid)

        let (lock, tookOver) = try SearchLock.acquire(directory: directory)
        defer { lock.release() }
        let message = try XCTUnwrap(tookOver)
        XCTAssertEqual(message, "took over the lock of pid \(pid) (host \(SearchLock.localHost), started 2020-01-01T00:00:00Z), which is no longer running")
        XCTAssertEqual(SearchLock.recorded(directory: directory), lock.identity)
    }

    func testTakesOverAnUnheldRecordOfThisHost() throws {
        let dead = try exitedPid()
        try record(pid: dead, host: SearchLock.localHost)
        XCTAssertNil(SearchLock.owner(directory: directory))
        let (lock, tookOver) = try SearchLock.acquire(directory: directory)
        defer { lock.release() }
        XCTAssertEqual(tookOver, "took over the lock of pid \(dead) (host \(SearchLock.localHost), started 2020-01-01T00:00:00Z), which is no longer running")
    }

    // MARK: - Other hosts

    func testOtherHostIsLiveWhileItsHeartbeatIsFresh() throws {
        try record(pid: 4242, host: "elsewhere.invalid")
        let other = LockOwner(pid: 4242, host: "elsewhere.invalid", started: "2020-01-01T00:00:00Z")
        XCTAssertEqual(SearchLock.owner(directory: directory), other)
        let error = assertBusy(directory)
        XCTAssertTrue(error.contains("pid 4242 (host elsewhere.invalid, started 2020-01-01T00:00:00Z)"), error)

        try setModificationDate(Date(timeIntervalSinceNow: -(SearchLock.grace + 90)))
        XCTAssertNil(SearchLock.owner(directory: directory))
        XCTAssertEqual(SearchLock.recorded(directory: directory), other)

        let (lock, tookOver) = try SearchLock.acquire(directory: directory)
        defer { lock.release() }
        let message = try XCTUnwrap(tookOver)
        XCTAssertTrue(message.hasPrefix("took over the lock of pid 4242 (host elsewhere.invalid, started 2020-01-01T00:00:00Z), whose heartbeat stopped "), message)
        XCTAssertEqual(SearchLock.owner(directory: directory), lock.identity)
    }

    func testReleaseLeavesALockTakenOverByAnotherHost() throws {
        let (lock, _) = try SearchLock.acquire(directory: directory)
        // Another host rewrites the same file in place after our heartbeats stopped.
        let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: lockPath))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data("pid=7\nhost=elsewhere.invalid\nstarted=2030-01-01T00:00:00Z\n".utf8))
        try handle.close()

        XCTAssertFalse(lock.heartbeat())
        lock.release()
        XCTAssertEqual(SearchLock.recorded(directory: directory)?.host, "elsewhere.invalid")
    }

    // MARK: - Bad files

    func testGarbledLockFileIsTakenOver() throws {
        var bytes: [UInt8] = [0, 0xFF, 0xFE, 0x0A]
        bytes += Array("pid=abc\nhost=\nstarted\n=\n".utf8)
        bytes += [UInt8](repeating: 0x41, count: 10_000)
        try Data(bytes).write(to: URL(fileURLWithPath: lockPath))
        XCTAssertNil(SearchLock.owner(directory: directory))
        XCTAssertNil(SearchLock.recorded(directory: directory))

        let (lock, tookOver) = try SearchLock.acquire(directory: directory)
        defer { lock.release() }
        XCTAssertEqual(tookOver, "took over an unreadable lock file \(lockPath) (no one held it)")
        let expected = "pid=\(getpid())\nhost=\(SearchLock.localHost)\nstarted=\(lock.identity.started)\n"
        XCTAssertEqual(try String(contentsOfFile: lockPath, encoding: .utf8), expected, "truncated before writing")
        XCTAssertEqual(SearchLock.recorded(directory: directory), lock.identity)
    }

    func testEmptyLockFileIsTakenSilently() throws {
        XCTAssertTrue(FileManager.default.createFile(atPath: lockPath, contents: Data()))
        let (lock, tookOver) = try SearchLock.acquire(directory: directory)
        defer { lock.release() }
        XCTAssertNil(tookOver)
    }

    func testParseNeedsAllThreeFields() {
        func parse(_ text: String) -> LockOwner? { SearchLock.parse(ArraySlice(text.utf8)) }
        XCTAssertEqual(parse("pid=12\nhost=h\nstarted=s\n"), LockOwner(pid: 12, host: "h", started: "s"))
        XCTAssertEqual(parse("junk\nstarted=s\nhost= h \npid=12"), LockOwner(pid: 12, host: "h", started: "s"))
        XCTAssertNil(parse("pid=12\nhost=h\n"))
        XCTAssertNil(parse("pid=0\nhost=h\nstarted=s\n"))
        XCTAssertNil(parse("pid=-5\nhost=h\nstarted=s\n"))
        XCTAssertNil(parse("pid=99999999999\nhost=h\nstarted=s\n"))
        XCTAssertNil(parse("pid=12\nhost=\nstarted=s\n"))
        XCTAssertNil(parse(""))
    }

    func testMissingFolderOrUnopenableLockIsAnIOError() throws {
        let missing = directory + "/missing"
        XCTAssertNil(SearchLock.owner(directory: missing))
        XCTAssertNil(SearchLock.recorded(directory: missing))
        XCTAssertThrowsError(try SearchLock.acquire(directory: missing)) { error in
            XCTAssertEqual((error as? NNSearchError)?.kind, .io)
            XCTAssertTrue("\(error)".contains(missing + "/lock"), "\(error)")
        }
        try FileManager.default.createDirectory(atPath: lockPath, withIntermediateDirectories: false)
        XCTAssertNil(SearchLock.owner(directory: directory))
        XCTAssertThrowsError(try SearchLock.acquire(directory: directory)) { error in
            XCTAssertEqual((error as? NNSearchError)?.kind, .io)
        }
    }

    // MARK: - Helpers

    /// Expects `acquire` to refuse with `.busy` and returns its message.
    private func assertBusy(_ directory: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let (lock, _) = try SearchLock.acquire(directory: directory)
            lock.release()
            XCTFail("acquired a lock that should be busy", file: file, line: line)
            return ""
        } catch let error as NNSearchError {
            XCTAssertEqual(error.kind, .busy, file: file, line: line)
            XCTAssertEqual(error.exitCode, 75, file: file, line: line)
            return error.message
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
            return ""
        }
    }

    private func record(pid: Int32, host: String) throws {
        try "pid=\(pid)\nhost=\(host)\nstarted=2020-01-01T00:00:00Z\n".write(toFile: lockPath, atomically: false, encoding: .utf8)
    }

    private func setModificationDate(_ date: Date) throws {
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: lockPath)
    }

    /// A pid that was running a moment ago and is not any more.
    private func exitedPid() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }
}
