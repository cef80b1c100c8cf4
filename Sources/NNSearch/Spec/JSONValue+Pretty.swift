extension JSONValue {
    /// The value as indented JSON (two spaces; short lists of scalars stay on one line).
    package func prettyText(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .array(let items):
            if items.allSatisfy({ if case .array = $0 { return false }; if case .object = $0 { return false }; return true }) {
                return jsonText
            }
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { inner + $0.prettyText(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let members):
            if members.isEmpty { return "{}" }
            if indent.count >= 4 { return jsonText }  // small objects deep inside (ranges, schedules) stay compact
            return "{\n" + members.map { inner + JSONValue.quote($0.key) + ": " + $0.value.prettyText(indent: inner) }
                .joined(separator: ",\n") + "\n" + indent + "}"
        default:
            return jsonText
        }
    }

    /// A copy with `key` of an object set to `value` (added at the end if missing).
    package func setting(_ key: String, to value: JSONValue) -> JSONValue {
        guard case .object(var members) = self else { return self }
        if let i = members.firstIndex(where: { $0.key == key }) {
            members[i].value = value
        } else {
            members.append(JSONMember(key: key, value: value))
        }
        return .object(members)
    }

    /// The object without `key` (unchanged for other values or a missing key).
    package func removing(_ key: String) -> JSONValue {
        guard case .object(let members) = self else { return self }
        return .object(members.filter { $0.key != key })
    }
}
