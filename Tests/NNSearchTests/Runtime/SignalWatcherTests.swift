import Dispatch
import Foundation
import XCTest
@testable import NNSearch

/// Uses SIGUSR1 and SIGUSR2 only: a watcher that failed to take over would leave their default
/// disposition, which ends the test process loudly rather than hanging it.
final class SignalWatcherTests: XCTestCase {
    private let queue = DispatchQueue(label: "nnsearch.tests.signals")

    func testHandlerIsCalledForEachWatchedSignal() {
        let received = Locked<[Int32]>([])
        let watcher = SignalWatcher(signals: [SIGUSR1, SIGUSR2], queue: queue) { signal in
            received.withLock { $0.append(signal) }
        }
        defer { watcher.cancel() }

        kill(getpid(), SIGUSR1)
        eventually("SIGUSR1 from kill") { received.current == [SIGUSR1] }
        raise(SIGUSR2)
        eventually("SIGUSR2 from raise") { received.current == [SIGUSR1, SIGUSR2] }
    }

    func testHandlerRunsOnTheGivenQueue() {
        let key = DispatchSpecificKey<String>()
        queue.setSpecific(key: key, value: "watched")
        let seen = Locked<String?>(nil)
        let watcher = SignalWatcher(signals: [SIGUSR1], queue: queue) { _ in
            seen.withLock { $0 = DispatchQueue.getSpecific(key: key) ?? "elsewhere" }
        }
        defer { watcher.cancel() }
        kill(getpid(), SIGUSR1)
        eventually("the handler") { seen.current != nil }
        XCTAssertEqual(seen.current, "watched")
    }

    /// libdispatch installs its signal handler only for a signal's first source in the process; a
    /// later watcher must still hear the signal after an earlier one restored the default.
    func testWatchersOneAfterAnotherAllHear() {
        for round in 0..<3 {
            let count = Locked(0)
            let watcher = SignalWatcher(signals: [SIGUSR2], queue: queue) { _ in count.withLock { $0 += 1 } }
            XCTAssertFalse(isDefault(SIGUSR2), "round \(round)")
            kill(getpid(), SIGUSR2)
            eventually("round \(round)") { count.current == 1 }
            watcher.cancel()
            XCTAssertTrue(isDefault(SIGUSR2), "round \(round): cancel restores SIG_DFL")
        }
    }

    func testOverlappingWatchersBothHearAndTheDefaultWaitsForTheLast() {
        let first = Locked(0), second = Locked(0)
        let a = SignalWatcher(signals: [SIGUSR1], queue: queue) { _ in first.withLock { $0 += 1 } }
        let b = SignalWatcher(signals: [SIGUSR1], queue: queue) { _ in second.withLock { $0 += 1 } }
        kill(getpid(), SIGUSR1)
        eventually("both watchers") { first.current == 1 && second.current == 1 }

        a.cancel()
        XCTAssertFalse(isDefault(SIGUSR1), "b still watches")
        kill(getpid(), SIGUSR1)
        eventually("the remaining watcher") { second.current == 2 }
        XCTAssertEqual(first.current, 1)

        b.cancel()
        b.cancel()
        XCTAssertTrue(isDefault(SIGUSR1))
    }

    private func isDefault(_ signal: Int32) -> Bool {
        var action = sigaction()
        sigaction(signal, nil, &action)
        return unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self) == 0
    }
}
