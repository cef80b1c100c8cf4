import Foundation
import XCTest

/// Polls `condition` every few milliseconds until it holds or `timeout` passes; fails the test (at the
/// caller) on timeout. Generous deadlines keep the tests robust on a loaded machine without slowing a fast one.
@discardableResult
func eventually(
    _ what: @autoclosure () -> String = "condition",
    timeout: TimeInterval = 5,
    file: StaticString = #filePath, line: UInt = #line,
    _ condition: () -> Bool
) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() {
        if Date() > deadline {
            XCTFail("timed out after \(timeout) s waiting for \(what())", file: file, line: line)
            return false
        }
        usleep(2_000)
    }
    return true
}
