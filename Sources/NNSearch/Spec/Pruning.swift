import NNSearchKernel

/// How a search stops unpromising trials early: the spec's `pruning` object.
///
/// ```json
/// "pruning": {"kind": "halving", "eta": 3, "min_epochs": 3}
/// ```
///
/// Trials pause at rungs (`min_epochs × eta^k` epochs, and last their full epochs); at each rung the
/// best ⌊n/eta⌋ of its n trials go on and the others are recorded as `pruned`. `RungSchedule` says
/// where the rungs are and which trials are compared; `RungLedger` makes the decisions.
package struct Pruning: Sendable, Equatable {
    /// Which early-stopping scheme.
    package enum Kind: String, CaseIterable, Sendable {
        /// Successive halving: every trial starts at the first rung.
        case halving
        /// Hyperband: trials are spread over brackets of successive halving that start at later rungs.
        case hyperband
    }

    package var kind: Kind
    /// The reduction factor: a rung keeps one trial in `eta` and is `eta` times as long as the one before.
    package var eta: Int
    /// The epochs of the first rung.
    package var minEpochs: Int

    /// The spec's defaults when a key is left out.
    static let defaultEta = 3
    static let defaultMinEpochs = 1

    package init(kind: Kind, eta: Int = Pruning.defaultEta, minEpochs: Int = Pruning.defaultMinEpochs) {
        self.kind = kind
        self.eta = eta
        self.minEpochs = minEpochs
    }

    /// The object as a spec would hold it, for messages.
    var jsonText: String { "{\"kind\": \"\(kind.rawValue)\", \"eta\": \(eta), \"min_epochs\": \(minEpochs)}" }
}
