/// An error the user sees: one message and the sysexits status it maps to.
public struct NNSearchError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, which decides the exit status.
    public enum Kind: Equatable, Sendable {
        /// Bad command line or bad spec (EX_USAGE, 64).
        case usage
        /// Bad input data (EX_DATAERR, 65).
        case data
        /// A file that should exist does not (EX_NOINPUT, 66).
        case noInput
        /// A precondition about the environment failed: search busy, not found (EX_UNAVAILABLE, 69).
        case unavailable
        /// An internal error (EX_SOFTWARE, 70).
        case software
        /// Reading or writing failed (EX_IOERR, 74).
        case io
        /// The search is locked by another live process (EX_TEMPFAIL, 75).
        case busy
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// The process exit status for this error, from sysexits.h.
    public var exitCode: Int32 {
        switch kind {
        case .usage: 64
        case .data: 65
        case .noInput: 66
        case .unavailable: 69
        case .software: 70
        case .io: 74
        case .busy: 75
        }
    }

    /// The error whose exit status is `code` (another nnsearch process's), `.software` for any other.
    package init(exitCode code: Int32, _ message: String) {
        let kinds: [Kind] = [.usage, .data, .noInput, .unavailable, .software, .io, .busy]
        self.init(kinds.first { NNSearchError($0, "").exitCode == code } ?? .software, message)
    }

    package static func usage(_ message: String) -> NNSearchError { NNSearchError(.usage, message) }
    static func data(_ message: String) -> NNSearchError { NNSearchError(.data, message) }
    static func io(_ message: String) -> NNSearchError { NNSearchError(.io, message) }
}
