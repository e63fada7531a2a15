/// SQLite's triggers for PostgreSQL. A SQLite trigger is always a row trigger with its statements
/// inline; PostgreSQL's calls a function. So
///
///     CREATE TRIGGER t AFTER INSERT ON images [FOR EACH ROW] [WHEN cond] BEGIN stmt; … END
///
/// becomes
///
///     CREATE FUNCTION t_function() RETURNS trigger LANGUAGE plpgsql AS $quarry$ BEGIN stmt; …
///     RETURN NULL; END $quarry$;
///     CREATE TRIGGER t AFTER INSERT ON images FOR EACH ROW [WHEN (cond)] EXECUTE FUNCTION t_function()
///
/// NEW and OLD mean the same in PL/pgSQL. A BEFORE or INSTEAD OF trigger returns the row so the
/// operation goes ahead, as SQLite's does unless its body raises; `RAISE(…)` itself is not translated.
/// `DROP TRIGGER t` becomes `DROP FUNCTION t_function() CASCADE`, which drops the trigger with it,
/// since PostgreSQL's DROP TRIGGER would need the table's name, which SQLite's does not give.
extension SchemaRewriter {
    /// `start` is CREATE; answers the position of the END that closes the body, plus one.
    mutating func rewriteTrigger(at start: Int) -> Int? {
        var position = start + 2
        let ifNotExists = skipIfExists(position, not: true) != position
        position = skipIfExists(position, not: true)
        let name = position
        guard name < code.count else { return nil }
        position += 1
        let headerStart = position
        while position < code.count && !["FOR", "WHEN", "BEGIN"].contains(keyword(position) ?? "") { position += 1 }
        let header = source(from: headerStart, through: position - 1)
        let timing = keyword(headerStart)
        let deletes = (headerStart..<position).contains { keyword($0) == "DELETE" }
        if keyword(position) == "FOR" { position += 3 }
        var condition: String?
        if keyword(position) == "WHEN" {
            let conditionStart = position + 1
            while position < code.count && keyword(position) != "BEGIN" { position += 1 }
            condition = source(from: conditionStart, through: position - 1)
        }
        guard keyword(position) == "BEGIN", let end = matchingEnd(afterBegin: position) else { return nil }
        let body = PostgresSchema.translate(source(from: position + 1, through: end - 1))
        let result = timing == "AFTER" ? "NULL" : deletes ? "OLD" : "NEW"
        let function = functionName(tokens[code[name]].text)
        let orReplace = ifNotExists ? " OR REPLACE" : ""
        let quote = dollarQuote(avoiding: body)
        let text = """
            CREATE\(orReplace) FUNCTION \(function)() RETURNS trigger LANGUAGE plpgsql AS \(quote)
            BEGIN
            \(body)
            RETURN \(result);
            END
            \(quote);
            CREATE\(orReplace) TRIGGER \(tokens[code[name]].text) \(header) FOR EACH ROW\
            \(condition.map { " WHEN (\($0))" } ?? "") EXECUTE FUNCTION \(function)()
            """
        replace(from: start, through: end, with: text)
        return end + 1
    }

    /// `start` is DROP.
    mutating func rewriteDropTrigger(at start: Int) -> Int? {
        let name = skipIfExists(start + 2, not: false)
        guard name < code.count else { return nil }
        let ifExists = name != start + 2 ? " IF EXISTS" : ""
        replace(from: start, through: name, with: "DROP FUNCTION\(ifExists) \(functionName(tokens[code[name]].text))() CASCADE")
        return name + 1
    }

    /// The END closing a trigger body. CASE expressions in the body end with END too, so those are
    /// counted off first.
    private func matchingEnd(afterBegin begin: Int) -> Int? {
        var cases = 0
        for position in (begin + 1)..<code.count {
            switch keyword(position) {
            case "CASE": cases += 1
            case "END" where cases > 0: cases -= 1
            case "END": return position
            default: continue
            }
        }
        return nil
    }

    /// `t` → `t_function`, `"t"` → `"t_function"`.
    private func functionName(_ trigger: String) -> String {
        trigger.hasSuffix("\"") ? "\(trigger.dropLast())_function\"" : "\(trigger)_function"
    }

    private func dollarQuote(avoiding body: String) -> String {
        var tag = "quarry"
        while body.contains("$\(tag)$") { tag += "_" }
        return "$\(tag)$"
    }
}
