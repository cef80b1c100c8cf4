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

    static let help = """
        nnsearch: hyperparameter search for small neural networks

        usage:
          \(StartCommand.usage)
          \(InitCommand.usage)
          \(WorkerCommand.usage)
          \(StatusCommand.usage)
          \(StopCommand.usage)
          \(RunCommand.usage)
          \(ListCommand.usage)
          \(TrainCommand.usage)
          \(BenchCommand.usage)

        Exit status: 0 ok, 64 bad command line or spec, 65 bad data, 66 no such search,
        69 folder unavailable, 74 I/O error, 75 search busy.

        """

    static func dispatch(_ arguments: [String]) throws -> Int32 {
        guard let command = arguments.first else {
            standardError(help)
            return 64
        }
        let rest = Array(arguments.dropFirst())
        let output: (String) -> Void = { standardOutput($0) }
        switch command {
        case "start": return try StartCommand.run(rest)
        case "status": return try StatusCommand.run(rest)
        case "stop": return try StopCommand.run(rest)
        case "resume": return try RunCommand.resume(rest)
        case "list": return try ListCommand.run(rest)
        case "init": return try InitCommand.run(rest)
        case "worker": return try WorkerCommand.run(rest)
        case "train": return try TrainCommand.run(rest, output: output)
        case "bench": return try BenchCommand.run(rest, output: output)
        case "help", "--help", "-h":
            standardOutput(help)
            return 0
        default:
            let commands = ["start", "init", "worker", "status", "stop", "resume", "list", "train", "bench", "help"]
            throw NNSearchError.usage("unknown command \"\(command)\"" + didYouMean(command, commands)
                + "; commands: " + commands.joined(separator: ", "))
        }
    }
}
