import NNSearch

import NNSearchKernel

/// A command's arguments split into positionals, repeatable `--name value` options and `--flag`s.
struct Arguments {
    var positionals: [String] = []
    var options: [String: [String]] = [:]
    var flags: Set<String> = []

    /// Parses `arguments` for `command`, which knows the given option and flag names (without `--`).
    init(_ arguments: [String], command: String, options known: Set<String>, flags knownFlags: Set<String>) throws {
        var i = 0
        while i < arguments.count {
            let arg = arguments[i]
            i += 1
            guard arg.hasPrefix("--"), arg.count > 2 else {
                positionals.append(arg)
                continue
            }
            var name = String(arg.dropFirst(2))
            var inlineValue: String? = nil
            if let eq = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            if knownFlags.contains(name), inlineValue == nil {
                flags.insert(name)
            } else if known.contains(name) {
                if let inlineValue {
                    options[name, default: []].append(inlineValue)
                } else {
                    guard i < arguments.count else {
                        throw NNSearchError.usage("\(command): --\(name) needs a value")
                    }
                    options[name, default: []].append(arguments[i])
                    i += 1
                }
            } else {
                let all = (known.union(knownFlags)).sorted()
                throw NNSearchError.usage("\(command): unknown option --\(abbreviated(name))"
                    + didYouMean(name, all).replacingOccurrences(of: "\"", with: "").replacingOccurrences(of: "mean ", with: "mean --")
                    + (all.isEmpty ? "" : "; options: " + all.map { "--" + $0 }.joined(separator: ", ")))
            }
        }
    }

    /// The last value of an option, if given.
    func value(_ name: String) -> String? { options[name]?.last }

    /// An option parsed as an integer within `range`.
    func integer(_ name: String, in range: ClosedRange<Int>, command: String) throws -> Int? {
        guard let text = value(name) else { return nil }
        guard let n = Int(text), range.contains(n) else {
            throw NNSearchError.usage("\(command): --\(name) expects an integer from \(range.lowerBound) to \(range.upperBound), got \"\(abbreviated(text))\"")
        }
        return n
    }

    /// An option parsed as a number of seconds within `range`.
    func seconds(_ name: String, in range: ClosedRange<Double>, command: String) throws -> Double? {
        guard let text = value(name) else { return nil }
        guard let x = Double(text), x.isFinite, range.contains(x) else {
            throw NNSearchError.usage("\(command): --\(name) expects seconds from \(formatNumber(range.lowerBound)) to \(formatNumber(range.upperBound)), got \"\(abbreviated(text))\"")
        }
        return x
    }

    /// Fails unless there are between `min` and `max` positional arguments, naming them in `usage`.
    func expectPositionals(_ min: Int, _ max: Int, usage: String) throws {
        guard (min...max).contains(positionals.count) else {
            throw NNSearchError.usage("usage: \(usage)")
        }
    }
}
