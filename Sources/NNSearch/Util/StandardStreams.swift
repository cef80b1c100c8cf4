import Foundation

/// Writes text to standard output unbuffered (lines appear as they are produced, even in a pipe).
package func standardOutput(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

/// Writes text to standard error.
package func standardError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}
