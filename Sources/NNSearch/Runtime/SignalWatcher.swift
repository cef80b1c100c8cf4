import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Delivers Unix signals as calls on a queue, through `DispatchSource.makeSignalSource`.
///
/// On Linux, libdispatch receives signals through a `signalfd`, and the first time a signal gets a
/// source in a process it installs its own `sigaction` handler, which re-raises the signal at its
/// manager thread (where it is blocked, so the `signalfd` sees it). It never installs that handler
/// again. So after a watcher restores `SIG_DFL`, a later watcher setting `SIG_IGN` would never hear
/// the signal: the kernel discards an ignored signal before the `signalfd` can read it. This watcher
/// remembers libdispatch's handler once the source is registered and reinstalls it for later watchers.
final class SignalWatcher: @unchecked Sendable {
    private let sources: [DispatchSourceSignal]
    private let signals: [Int32]
    private let active = Locked(true)

    /// Calls `handler(signal)` on `queue` for each delivery of the listed signals (default dispositions are replaced: the signals no longer kill the process while the watcher lives).
    ///
    /// Returns once every source is registered, so a signal raised right after is not missed.
    init(signals: [Int32], queue: DispatchQueue, handler: @escaping @Sendable (Int32) -> Void) {
        self.signals = Array(Set(signals)).sorted()
        let active = self.active
        // Sources fire on a private queue and forward, so waiting for registration below cannot
        // deadlock when the caller is already on `queue`.
        let relay = DispatchQueue(label: "nnsearch.signals")
        let registered = DispatchGroup()
        var sources: [DispatchSourceSignal] = []
        for signal in self.signals {
            Self.claim(signal)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: relay)
            // The handler holds its source (for `data`); cancelling the source frees the handler.
            source.setEventHandler {
                let count = max(1, Int(source.data))
                queue.async {
                    for _ in 0..<count where active.current { handler(signal) }
                }
            }
            registered.enter()
            source.setRegistrationHandler { registered.leave() }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
        if registered.wait(timeout: .now() + 5) == .success {
            for signal in self.signals { Self.rememberDispatchHandler(signal) }
        }
    }

    deinit { cancel() }

    /// Stops the watcher and restores default dispositions (once no other watcher wants the signal).
    ///
    /// Afterwards no further `handler` calls start; one already running finishes.
    func cancel() {
        let wasActive = active.withLock { active in
            defer { active = false }
            return active
        }
        guard wasActive else { return }
        for source in sources { source.cancel() }
        for signal in signals { Self.unclaim(signal) }
    }

    // MARK: - Dispositions, shared by all watchers in the process

    private struct Claims {
        /// How many live watchers listen to each signal.
        var counts: [Int32: Int] = [:]
        /// libdispatch's handler for each signal, once it has installed one.
        var dispatchHandlers: [Int32: sigaction] = [:]
    }

    private static let claims = Locked(Claims())

    /// Stops `signal` from killing the process: libdispatch's handler if known, else `SIG_IGN`.
    private static func claim(_ signal: Int32) {
        claims.withLock { claims in
            claims.counts[signal, default: 0] += 1
            if var action = claims.dispatchHandlers[signal] {
                sigaction(signal, &action, nil)
            } else if !hasHandler(signal) {
                _ = Glibc.signal(signal, SIG_IGN)
            }
        }
    }

    /// Restores `SIG_DFL` when the last watcher of `signal` lets go.
    private static func unclaim(_ signal: Int32) {
        claims.withLock { claims in
            claims.counts[signal, default: 1] -= 1
            guard claims.counts[signal] == 0 else { return }
            claims.counts[signal] = nil
            if claims.dispatchHandlers[signal] == nil, let action = handler(signal) {
                claims.dispatchHandlers[signal] = action
            }
            _ = Glibc.signal(signal, SIG_DFL)
        }
    }

    private static func rememberDispatchHandler(_ signal: Int32) {
        claims.withLock { claims in
            if claims.dispatchHandlers[signal] == nil, let action = handler(signal) {
                claims.dispatchHandlers[signal] = action
            }
        }
    }

    /// The current disposition of `signal` when it is a function (not `SIG_DFL` or `SIG_IGN`).
    private static func handler(_ signal: Int32) -> sigaction? {
        var action = sigaction()
        guard sigaction(signal, nil, &action) == 0 else { return nil }
        let raw = unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self)
        let ignore = unsafeBitCast(SIG_IGN, to: Int.self)
        return raw == 0 || raw == ignore ? nil : action
    }

    private static func hasHandler(_ signal: Int32) -> Bool { handler(signal) != nil }
}
