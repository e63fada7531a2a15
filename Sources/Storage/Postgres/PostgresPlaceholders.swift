/// Quarry's statements use SQLite's placeholders, `?` and `?NNN`; PostgreSQL's are `$NNN`.
struct PostgresStatementText: Sendable {
    let text: String
    /// The highest placeholder number: how many arguments the statement takes.
    let parameterCount: Int
}

enum PostgresPlaceholders {
    /// Numbers placeholders as SQLite does: `?NNN` is argument NNN, and a bare `?` is one more than
    /// the highest number so far, so `?1 … ? … ?1` takes two arguments and uses the first twice.
    /// Placeholders inside literals, quoted identifiers and comments are left alone.
    static func translate(_ sql: String) -> PostgresStatementText {
        var highest = 0
        var text = ""
        text.reserveCapacity(sql.utf8.count + 8)
        for token in SQLLexer.tokens(sql) {
            guard case .placeholder(let number) = token.kind else {
                text += token.text
                continue
            }
            let position = number ?? highest + 1
            highest = max(highest, position)
            text += "$\(position)"
        }
        return PostgresStatementText(text: text, parameterCount: highest)
    }
}
