extension Scheduler.Reporter {
    /// A reporter that reports nothing (what the benchmarks run with). The synthesized
    /// `init()` is internal, and another target cannot call it.
    package static var silent: Scheduler.Reporter { Scheduler.Reporter() }
}
