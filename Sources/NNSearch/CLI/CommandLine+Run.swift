import Foundation

extension CommandLine {
    /// Runs the `nnsearch` command line and returns the process exit status.
    public static func runMain() -> Int32 {
        FileHandle.standardError.write("nnsearch: not implemented yet\n".data(using: .utf8)!)
        return 70
    }
}
