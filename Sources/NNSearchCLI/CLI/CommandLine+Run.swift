import Foundation
import NNSearch

extension CommandLine {
    /// Runs the `nnsearch` command line and returns the process exit status.
    public static func runMain() -> Int32 {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            return try dispatch(arguments)
        } catch let error as NNSearchError {
            standardError("nnsearch: \(error.message)\n")
            return error.exitCode
        } catch {
            standardError("nnsearch: \(error)\n")
            return 70
        }
    }

    /// This build's version.
    static let version = "0.5.0"

    /// Every command: its name, its usage line and what it does (for `help` and `COMMAND --help`).
    static let commands: [(name: String, usage: String, what: String)] = [
        ("start", StartCommand.usage, "create the search folder for SPEC.json and run one worker process on it (detached unless --foreground)"),
        ("init", InitCommand.usage, "create the search folder without running anything; workers join it later"),
        ("worker", WorkerCommand.usage, "join a search and train trials until none is left (any number, on any hosts sharing the folder)"),
        ("status", StatusCommand.usage, "live workers, trials done, the best trial, lapsed leases, damaged journal records"),
        ("stop", StopCommand.usage, "record a stop: workers on every host checkpoint and exit; waits for them"),
        ("resume", RunCommand.usage, "lift a stop and run a worker process on a stopped or interrupted search"),
        ("list", ListCommand.usage, "every search folder under DIR with its state and best result"),
        ("watch", WatchCommand.usage, "a live view while the search runs: progress, the top 10, running trials, the best so far"),
        ("explain", ExplainCommand.usage, "why the trials did what they did: diagnoses, importance, plain sentences, a narrowed next spec"),
        ("report", ReportCommand.usage, "write DIR/report.html: one self-contained page with the top trials, curves, importance and the explanation"),
        ("export", ExportCommand.usage, "write one trial's model (default: the best) as nnsearch's JSON format or ONNX; --refit trains it on every row first"),
        ("predict", PredictCommand.usage, "a model's predictions for each row of a CSV file: the label and class probabilities, or the value"),
        ("train", TrainCommand.usage, "train one configuration and print its learning curve (over every fold when the spec cross-validates)"),
        ("bench", BenchCommand.usage, "the kernel's and the search's speed on this machine (with ANCHORS_PY set, PyTorch's and Optuna's from ../shared/anchors or ANCHORS_DIR, in the same run); --samplers: TPE's quality over search seeds S ..< S + N (default 0 ..< 5), with ANCHORS_PY against Optuna's TPE training with this nnsearch and with PyTorch (Tests/anchors)"),
    ]

    /// The exit statuses every command uses (sysexits).
    static let exitStatuses = """
        Exit status: 0 ok; 64 bad command line or spec; 65 bad data; 66 no such spec, folder or
        journal; 69 folder unavailable (holds a search already); 70 internal error; 74 I/O error;
        75 search busy (running); 130 interrupted by Ctrl-C.
        """

    static let help = """
        nnsearch \(version): hyperparameter search for small neural networks

        usage:
        \(commands.map { "  " + $0.usage }.joined(separator: "\n"))
          nnsearch COMMAND --help
          nnsearch --version

        \(exitStatuses)

        """

    static func dispatch(_ arguments: [String]) throws -> Int32 {
        guard let command = arguments.first else {
            standardError(help)
            return 64
        }
        let rest = Array(arguments.dropFirst())
        if let entry = commands.first(where: { $0.name == command }), rest.contains("--help") || rest.contains("-h") {
            standardOutput("usage: \(entry.usage)\n\n\(entry.what).\n\n\(exitStatuses)\n")
            return 0
        }
        let output: (String) -> Void = { standardOutput($0) }
        switch command {
        case "start": return try StartCommand.run(rest)
        case "status": return try StatusCommand.run(rest)
        case "stop": return try StopCommand.run(rest)
        case "resume": return try RunCommand.resume(rest)
        case "list": return try ListCommand.run(rest)
        case "init": return try InitCommand.run(rest)
        case "worker": return try WorkerCommand.run(rest)
        case "explain": return try ExplainCommand.run(rest)
        case "watch": return try WatchCommand.run(rest)
        case "report": return try ReportCommand.run(rest)
        case "export": return try ExportCommand.run(rest)
        case "predict": return try PredictCommand.run(rest)
        case "train": return try TrainCommand.run(rest, output: output)
        case "bench": return try BenchCommand.run(rest, output: output)
        case "help", "--help", "-h":
            standardOutput(help)
            return 0
        case "--version", "version":
            standardOutput("nnsearch \(version) (\(BenchCommand.kernelBuild))\n")
            return 0
        default:
            let names = commands.map(\.name) + ["help"]
            throw NNSearchError.usage("unknown command \"\(abbreviated(command))\"" + didYouMean(command, names)
                + "; commands: " + names.joined(separator: ", "))
        }
    }
}
