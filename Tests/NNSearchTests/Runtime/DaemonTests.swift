import Foundation
import XCTest
@testable import NNSearch

final class DaemonTests: XCTestCase {
    func testSpawnDetachedAppendsBothStreamsToTheLogInItsOwnSession() throws {
        let log = try BinaryHarness.temporaryDirectory(self).appendingPathComponent("search.log").path
        try "earlier\n".write(toFile: log, atomically: false, encoding: .utf8)

        let pid = try Daemon.spawnDetached(
            executable: "/bin/sh", arguments: ["-c", "echo hi; echo err >&2; exec sleep 5"], logPath: log)
        defer { kill(pid, SIGKILL) }
        XCTAssertTrue(Daemon.isAlive(pid))
        XCTAssertEqual(getsid(pid), pid, "the child leads a session of its own")
        XCTAssertNotEqual(getsid(pid), getsid(0))

        eventually("both lines appended to the log") {
            (try? String(contentsOfFile: log, encoding: .utf8)) == "earlier\nhi\nerr\n"
        }
        kill(pid, SIGTERM)
        eventually("the child to exit and be reaped") { !Daemon.isAlive(pid) }
    }

    func testChildStartsWithDefaultSignalsEmptyMaskAndOnlyStandardDescriptors() throws {
        let log = try BinaryHarness.temporaryDirectory(self).appendingPathComponent("search.log").path
        // What a parent could pass on by accident: an ignored SIGHUP, a blocked SIGUSR2, an open descriptor.
        let previous = signal(SIGHUP, SIG_IGN)
        var blocked = sigset_t(), saved = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGUSR2)
        pthread_sigmask(SIG_BLOCK, &blocked, &saved)
        let stray = open("/dev/null", O_RDONLY)  // no O_CLOEXEC
        let pid: Int32
        do {
            defer {
                signal(SIGHUP, previous)
                pthread_sigmask(SIG_SETMASK, &saved, nil)
                close(stray)
            }
            pid = try Daemon.spawnDetached(executable: "/bin/sleep", arguments: ["5"], logPath: log)
        }
        defer { kill(pid, SIGKILL) }

        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        func mask(_ name: String) -> UInt64? {
            status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                .flatMap { UInt64($0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces), radix: 16) }
        }
        XCTAssertEqual(mask("SigBlk"), 0, status)
        let ignored = try XCTUnwrap(mask("SigIgn"), status)
        for signal in [SIGHUP, SIGINT, SIGTERM] {
            XCTAssertEqual(ignored & (1 << UInt64(signal - 1)), 0, "signal \(signal) ignored in the child")
        }

        // Polled: `sleep` briefly opens locale files of its own while it starts.
        var descriptors: [String] = []
        eventually("only descriptors 0-2 in the child, not \(descriptors)") {
            descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").sorted()) ?? []
            return descriptors == ["0", "1", "2"]
        }
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/0"), "/dev/null")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/1"), log)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/2"), log)
    }

    func testErrorsNameTheExecutableOrTheLog() throws {
        let dir = try BinaryHarness.temporaryDirectory(self).path
        XCTAssertThrowsError(try Daemon.spawnDetached(executable: dir + "/no-such-binary", arguments: [], logPath: dir + "/log")) {
            XCTAssertEqual(($0 as? NNSearchError)?.kind, .io)
            XCTAssertTrue("\($0)".contains(dir + "/no-such-binary"), "\($0)")
        }
        XCTAssertThrowsError(try Daemon.spawnDetached(executable: "/bin/true", arguments: [], logPath: dir + "/missing/log")) {
            XCTAssertEqual(($0 as? NNSearchError)?.kind, .io)
            XCTAssertTrue("\($0)".contains(dir + "/missing/log"), "\($0)")
        }
    }

    func testIsAliveUntilTheChildExits() throws {
        XCTAssertTrue(Daemon.isAlive(getpid()))
        XCTAssertFalse(Daemon.isAlive(0))
        XCTAssertFalse(Daemon.isAlive(-1))
        let pid = try Daemon.spawnDetached(executable: "/bin/true", arguments: [], logPath: "/dev/null")
        eventually("the exited child to be reaped") { !Daemon.isAlive(pid) }
    }

    func testAZombieIsNotAlive() throws {
        let log = try BinaryHarness.temporaryDirectory(self).appendingPathComponent("search.log").path
        // `sleep 5` inherits the exited `true` as a child and never reaps it.
        let parent = try Daemon.spawnDetached(
            executable: "/bin/sh", arguments: ["-c", "/bin/true & echo $!; exec sleep 5"], logPath: log)
        defer { kill(parent, SIGKILL) }
        var zombie: Int32 = 0
        eventually("the pid of the child") {
            zombie = (try? String(contentsOfFile: log, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
            return zombie > 0
        }
        eventually("the child to exit") { !Daemon.isAlive(zombie) }
        XCTAssertEqual(kill(zombie, 0), 0, "still in the process table")
        XCTAssertTrue(Daemon.isAlive(parent))
    }

    func testExecutablePathIsThisRunningBinary() {
        let path = Daemon.executablePath
        XCTAssertTrue(path.hasPrefix("/"), path)
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: path), path)
    }
}
