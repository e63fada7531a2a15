import Foundation

/// A CSV file's rows (RFC 4180): fields split by commas, a field in double quotes may hold commas,
/// line breaks and doubled quotes, rows end in CRLF or LF. Blank lines are dropped.
enum CSVTable {
    static func rows(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = ""
        var quoted = false, wasQuoted = false
        var characters = text.makeIterator()
        func endField() { row.append(wasQuoted ? field : field.trimmingCharacters(in: .whitespaces)); field = ""; wasQuoted = false }
        func endRow() {
            endField()
            if row != [""] { rows.append(row) }
            row = []
        }
        while let character = characters.next() {
            if quoted {
                if character == "\"" {
                    // A doubled quote is a quote; a single one ends the quoted part.
                    var lookahead = characters
                    if lookahead.next() == "\"" { field.append("\""); characters = lookahead } else { quoted = false }
                } else {
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty: (quoted, wasQuoted) = (true, true)
            case ",": endField()
            case "\n", "\r\n", "\r": endRow()
            default: field.append(character)
            }
        }
        if !field.isEmpty || !row.isEmpty || wasQuoted { endRow() }
        return rows
    }
}
