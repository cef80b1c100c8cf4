import XCTest
@testable import NNSearch

final class JSONParserTests: XCTestCase {
    // MARK: - Values

    func testParsesEveryKindOfValue() throws {
        let value = try parseJSON(#"{"a": [1, -2.5e3, 0], "b": {"c": null}, "d": true, "e": false, "f": "x"}"#, file: "t.json")
        XCTAssertEqual(value, .object([
            JSONMember(key: "a", value: .array([.number(1, text: "1"), .number(-2500, text: "-2.5e3"), .number(0, text: "0")]), line: 1),
            JSONMember(key: "b", value: .object([JSONMember(key: "c", value: .null, line: 1)]), line: 1),
            JSONMember(key: "d", value: .bool(true), line: 1),
            JSONMember(key: "e", value: .bool(false), line: 1),
            JSONMember(key: "f", value: .string("x"), line: 1),
        ]))
    }

    func testKeepsKeyOrderNumberTextAndMemberLines() throws {
        let text = "{\n  \"zeta\": 1.50,\n  \"alpha\": 2,\n\n  \"mid\": 1E2\n}"
        guard case .object(let members) = try parseJSON(text, file: "t.json") else { return XCTFail("not an object") }
        XCTAssertEqual(members.map(\.key), ["zeta", "alpha", "mid"])
        XCTAssertEqual(members.map(\.line), [2, 3, 5])
        XCTAssertEqual(members.map(\.value.jsonText), ["1.50", "2", "1E2"])
        XCTAssertEqual(members[2].value, .number(100, text: "1E2"))
    }

    func testDecodesEscapesAndSurrogatePairs() throws {
        let value = try parseJSON(#"["a\"b\\c\/d\b\f\n\r\t", "\u00e9\uD83D\uDE00", "\u0000", "é😀"]"#, file: "t.json")
        XCTAssertEqual(value, .array([.string("a\"b\\c/d\u{8}\u{C}\n\r\t"), .string("é😀"), .string("\u{0}"), .string("é😀")]))
    }

    func testAcceptsScalarsAtTopLevelAndSurroundingWhitespace() throws {
        XCTAssertEqual(try parseJSON(" \t\r\n 42 \n", file: "t.json"), .number(42, text: "42"))
        XCTAssertEqual(try parseJSON("\u{FEFF}[]", file: "t.json"), .array([]))
        XCTAssertEqual(try parseJSON("{}", file: "t.json"), .object([]))
    }

    // MARK: - Errors

    func testMissingCommaNamesLineColumnAndWhatWasFound() {
        let text = """
        {
          "version": 1,
          "space": {
            "depth": [1, 2] "width": [3]
          }
        }
        """
        assertJSONError(text, "searches/x.json:4:21: expected ',' or '}' after object member, found '\"'")
    }

    func testDuplicateKeyNamesBothLines() {
        assertJSONError("{\n\"lr\": 1,\n\n\"lr\": 2}", "searches/x.json:4:1: duplicate key \"lr\" (first on line 2, again on line 4)")
    }

    func testTrailingCommasAreRejectedAtTheComma() {
        assertJSONError("{\"a\": 1,\n}", "searches/x.json:1:8: trailing comma before '}' is not allowed in JSON; remove it")
        assertJSONError("[1, 2, ]", "searches/x.json:1:6: trailing comma before ']' is not allowed in JSON; remove it")
    }

    func testCommentsAreRejected() {
        assertJSONError("{\"a\": 1 // note\n}", "searches/x.json:1:9: comments are not allowed in JSON")
        assertJSONError("/* c */ {}", "searches/x.json:1:1: comments are not allowed in JSON")
    }

    func testEmptyInputAndTrailingGarbage() {
        assertJSONError("", "searches/x.json:1:1: expected a JSON value, found end of input (the input is empty)")
        assertJSONError("  \n ", "searches/x.json:2:2: expected a JSON value, found end of input (the input is empty)")
        assertJSONError("{} x", "searches/x.json:1:4: expected end of input after the JSON value, found 'x'")
        assertJSONError("{}}", "searches/x.json:1:3: expected end of input after the JSON value, found '}'")
    }

    func testBadNumbers() {
        assertJSONError("[01]", "searches/x.json:1:2: numbers cannot have leading zeros")
        assertJSONError("[1.]", "searches/x.json:1:4: expected a digit after '.', found ']'")
        assertJSONError("[-]", "searches/x.json:1:3: expected a digit after '-', found ']'")
        assertJSONError("[1e+]", "searches/x.json:1:5: expected a digit in the exponent, found ']'")
        assertJSONError("[.5]", "searches/x.json:1:2: expected a value or ']', found '.' (JSON numbers start with '-' or a digit, e.g. 0.5)")
        assertJSONError("[1e400]", "searches/x.json:1:2: number 1e400 is too large")
    }

    func testNonJSONWordsGetHints() {
        assertJSONError("{\"a\": True}", "searches/x.json:1:7: expected a value for key \"a\", found 'True' (JSON literals are lowercase: true)")
        assertJSONError("[NaN]", "searches/x.json:1:2: expected a value or ']', found 'NaN' (JSON has no NaN or Infinity)")
        assertJSONError("['a']", "searches/x.json:1:2: expected a value or ']', found ''' (JSON strings use double quotes)")
        assertJSONError("[nul]", "searches/x.json:1:2: expected a value or ']', found 'nul' (did you mean \"null\"?)")
        assertJSONError("{adam: 1}", "searches/x.json:1:2: expected a string key or '}', found 'adam'")
    }

    func testBadStrings() {
        assertJSONError("[\"abc", "searches/x.json:1:2: string is not closed (missing '\"' before end of input)")
        assertJSONError("[\"abc\n\"]", "searches/x.json:1:2: string is not closed before the end of the line (write \\n for a line break)")
        assertJSONError("[\"a\u{1}\"]", "searches/x.json:1:4: control character U+0001 must be escaped in a string")
        assertJSONError(#"["\x"]"#, #"searches/x.json:1:3: invalid escape \x in string; valid escapes are \" \\ \/ \b \f \n \r \t \uXXXX"#)
        assertJSONError(#"["\u12G4"]"#, "searches/x.json:1:7: expected 4 hex digits after \\u, found 'G4'")
        assertJSONError(#"["\uD83D"]"#, "searches/x.json:1:3: \\uD83D is half of a surrogate pair; the low half (\\uDC00-\\uDFFF) must follow")
        assertJSONError(#"["\uDE00"]"#, "searches/x.json:1:3: \\uDE00 is a low surrogate without a high surrogate before it")
    }

    func testUnclosedContainerSaysWhereItOpened() {
        assertJSONError("{\"a\": [1,\n 2", "searches/x.json:2:3: expected ',' or ']' after list item, found end of input (the '[' at 1:7 is not closed)")
        assertJSONError("{\"a\": 1", "searches/x.json:1:8: expected ',' or '}' after object member, found end of input (the '{' at 1:1 is not closed)")
        assertJSONError("{\"a\" 1}", "searches/x.json:1:6: expected ':' after key \"a\", found '1'")
        assertJSONError("{\"a\":", "searches/x.json:1:6: expected a value for key \"a\", found end of input")
    }

    func testColumnsCountUnicodeScalarsAndInvisibleCharactersAreNamed() {
        assertJSONError("{\"é😀\": 1 x}", "searches/x.json:1:10: expected ',' or '}' after object member, found 'x'")
        assertJSONError("[1,\u{A0}2]", "searches/x.json:1:4: expected a value after ',', found U+00A0")
    }

    func testDepthIsLimited() throws {
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        XCTAssertNoThrow(try parseJSON(ok, file: "t.json"))
        assertJSONError(String(repeating: "[", count: 513) + String(repeating: "]", count: 513),
                        "searches/x.json:1:513: nesting is deeper than 512 levels")
        assertJSONError(String(repeating: "{\"a\":", count: 100_000), "searches/x.json:1:2561: nesting is deeper than 512 levels")
    }

    /// Truncations and single-byte corruptions of a valid document either parse or throw `.usage`.
    func testNeverCrashesOnCorruptedInput() {
        let valid = Array(#"{"version": 1, "space": {"lr": {"log_uniform": [1e-4, 0.1]}, "s": ["\u00e9\n", -0.5, true, null]}}"#.utf8)
        let replacements: [UInt8] = [0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A, 0x2D, 0x30, 0x65, 0x20, 0x0A, 0x00, 0xC3, 0x2F]
        var inputs: [[UInt8]] = (0...valid.count).map { Array(valid[..<$0]) }
        for i in valid.indices {
            for r in replacements { var v = valid; v[i] = r; inputs.append(v) }
        }
        for bytes in inputs {
            do {
                _ = try parseJSON(String(decoding: bytes, as: UTF8.self), file: "f.json")
            } catch let error as NNSearchError {
                XCTAssertEqual(error.kind, .usage)
                XCTAssertTrue(error.message.hasPrefix("f.json:"), error.message)
            } catch {
                XCTFail("unexpected error \(error)")
            }
        }
    }

    // MARK: - Helpers

    private func assertJSONError(_ text: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let value = try parseJSON(text, file: "searches/x.json")
            XCTFail("expected an error, parsed \(value.jsonText)", file: file, line: line)
        } catch let error as NNSearchError {
            XCTAssertEqual(error.kind, .usage, file: file, line: line)
            XCTAssertEqual(error.message, expected, file: file, line: line)
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
    }
}
