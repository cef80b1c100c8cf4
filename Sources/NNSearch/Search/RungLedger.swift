import NNSearchKernel

/// The rungs' reports and decisions, as the journal's records give them: part of `SearchState`
/// when the search prunes (a pure value; replaying the same records in any order that keeps each
/// trial's own records in order gives the same decisions).
///
/// The members of a bracket's first rung are its trials; the members of rung k + 1 are the trials
/// rung k promoted. A member reports at its current rung when it pauses there (a `reached` record)
/// or finishes (completed at its last rung, or diverged before the rung). Once every member has
/// reported — never before, so the arrival order of reports cannot matter — the rung is decided:
/// its members are ranked by their metric at the rung (`RungSchedule.score`: diverged worst), ties
/// by trial number, and the first max(1, ⌊n / eta⌋) are kept. Kept members that paused are
/// promoted to their next rung; the other members that paused are pruned. Members that finished
/// keep their result either way.
package struct RungLedger: Sendable {
    /// A rung of a bracket: the group of trials compared with each other.
    package struct Rung: Hashable, Sendable, CustomStringConvertible {
        package var bracket: Int
        package var index: Int

        package init(bracket: Int, index: Int) {
            self.bracket = bracket
            self.index = index
        }

        package var description: String { "rung \(index) of bracket \(bracket)" }
    }

    /// A rung decided: how many members it had, which were kept, promoted and pruned (ascending).
    package struct Decision: Equatable, Sendable {
        package var rung: Rung
        package var members: Int
        /// The kept members, best first.
        package var kept: [Int]
        package var promoted: [Int]
        package var pruned: [Int]
    }

    private struct Report {
        var score: Double
        var paused: Bool
    }

    private struct Tally {
        var members: Int
        var reports: [Int: Report] = [:]
    }

    package let schedule: RungSchedule
    /// Rungs of trials promoted past their first.
    private var current: [Int: Int] = [:]
    private var tallies: [Rung: Tally] = [:]
    private var decided: Set<Rung> = []
    /// Promoted trials not claimed since: they train on to their next rung.
    package private(set) var promoted: Set<Int> = []
    /// `promoted` in ascending order from `head` (claimed ones are skipped lazily).
    private var queue: [Int] = []
    private var head = 0
    /// Trials pruned by a decision whose `finish` is not recorded yet.
    package private(set) var pruned: Set<Int> = []
    /// Every decision so far, in the order they were made.
    package private(set) var decisions: [Decision] = []

    package init(schedule: RungSchedule) {
        self.schedule = schedule
    }

    // MARK: - Questions

    /// The rung trial n trains to or is waiting at now.
    package func rung(of trial: Int) -> Rung {
        let bracket = schedule.bracket(trial)
        return Rung(bracket: bracket, index: current[trial] ?? schedule.firstRung(trial))
    }

    /// The epochs trial n trains to when claimed now.
    package func upTo(_ trial: Int) -> Int {
        schedule.epoch(trial, rung: rung(of: trial).index)
    }

    /// The lowest promoted trial nobody claimed since.
    package var firstPromoted: Int? {
        var i = head
        while i < queue.count {
            if promoted.contains(queue[i]) { return queue[i] }
            i += 1
        }
        return nil
    }

    /// Why trial n cannot pause at `epoch` now (nil when it can: `epoch` is its current rung and not its last).
    package func problem(pausing trial: Int, at epoch: Int) -> String? {
        let rung = rung(of: trial)
        if decided.contains(rung) { return "trial \(trial) paused at epoch \(epoch), but its \(rung) was already decided" }
        if schedule.isLast(trial, rung: rung.index) {
            return "trial \(trial) paused at epoch \(epoch), but its \(rung) is its last (it finishes there)"
        }
        let expected = schedule.epoch(trial, rung: rung.index)
        if epoch != expected { return "trial \(trial) paused at epoch \(epoch), but its \(rung) is at epoch \(expected)" }
        return nil
    }

    // MARK: - Replay

    /// Trial n paused at its current rung with `metric` (checked with `problem` first).
    package mutating func paused(_ trial: Int, metric: Double) {
        report(trial, Report(score: schedule.score(metric), paused: true))
    }

    /// Trial n finished with `metric` (NaN when diverged or pruned).
    package mutating func finished(_ trial: Int, metric: Double) {
        promoted.remove(trial)
        if pruned.remove(trial) != nil { return }   // its rung was decided: nothing to report
        report(trial, Report(score: schedule.score(metric), paused: false))
    }

    /// Trial n was claimed: a promoted trial is no longer waiting.
    package mutating func claimed(_ trial: Int) {
        guard promoted.remove(trial) != nil else { return }
        while head < queue.count && !promoted.contains(queue[head]) { head += 1 }
    }

    private mutating func report(_ trial: Int, _ report: Report) {
        let rung = rung(of: trial)
        guard !decided.contains(rung) else { return }
        let firstRung = rung.index == schedule.firstRung(trial)
        var tally = tallies[rung] ?? Tally(members: firstRung ? schedule.bracketSizes[rung.bracket] : 0)
        guard tally.reports[trial] == nil else { return }   // a repeated report
        tally.reports[trial] = report
        if tally.members > 0 && tally.reports.count >= tally.members {
            tallies[rung] = nil
            decide(rung, tally)
        } else {
            tallies[rung] = tally
        }
    }

    private mutating func decide(_ rung: Rung, _ tally: Tally) {
        decided.insert(rung)
        let ranked = tally.reports.sorted { a, b in
            a.value.score != b.value.score ? a.value.score > b.value.score : a.key < b.key
        }
        let keep = schedule.kept(of: tally.members)
        var decision = Decision(rung: rung, members: tally.members, kept: ranked.prefix(keep).map(\.key), promoted: [], pruned: [])
        let next = Rung(bracket: rung.bracket, index: rung.index + 1)
        for (i, entry) in ranked.enumerated() where entry.value.paused {
            if i < keep {
                current[entry.key] = next.index
                tallies[next, default: Tally(members: 0)].members += 1
                promoted.insert(entry.key)
                decision.promoted.append(entry.key)
            } else {
                pruned.insert(entry.key)
                decision.pruned.append(entry.key)
            }
        }
        decision.promoted.sort()
        decision.pruned.sort()
        if !decision.promoted.isEmpty {
            queue = (queue[head...].filter { promoted.contains($0) } + decision.promoted).sorted()
            head = 0
        }
        decisions.append(decision)
    }
}
