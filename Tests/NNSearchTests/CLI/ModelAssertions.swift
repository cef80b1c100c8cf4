import Foundation
import XCTest
@testable import NNSearch

extension XCTestCase {
    /// The trials `leaderboard.csv` ranks first among the completed ones, at most `count`.
    func bestCompleted(_ folder: String, count: Int) -> [Int] {
        let lines = readFile(folder + "/leaderboard.csv").split(separator: "\n").dropFirst()
        return Array(lines.compactMap { line -> Int? in
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            return f.count > 2 && f[2] == "completed" ? Int(f[1]) : nil
        }.prefix(count))
    }

    /// `models/` holds exactly the models of the best `keep` completed trials (no temporary file), and,
    /// given a reference folder, the same bytes as its `models/`.
    func assertKeptModels(_ folder: String, as reference: String? = nil, keep: Int = 5,
                          file: StaticString = #filePath, line: UInt = #line) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/models")) ?? []).sorted()
        let expected = bestCompleted(folder, count: keep).sorted().map { "trial-" + SearchFolder.paddedNumber($0) + ".json" }
        XCTAssertEqual(names, expected, "models/ holds the best \(keep) completed trials", file: file, line: line)
        guard let reference else { return }
        let referenceNames = ((try? FileManager.default.contentsOfDirectory(atPath: reference + "/models")) ?? []).sorted()
        XCTAssertEqual(names, referenceNames, "the same models as the reference", file: file, line: line)
        for name in names where referenceNames.contains(name) {
            XCTAssertEqual(FileManager.default.contents(atPath: folder + "/models/" + name),
                           FileManager.default.contents(atPath: reference + "/models/" + name),
                           "models/\(name) byte-identical to the reference's", file: file, line: line)
        }
    }
}
