import CPostgres
import Glibc
import Foundation

/// One libpq connection, reached only inside `PostgresDatabase.read` and `write`.
///
/// Not `Sendable`, and it must not escape those closures: the pool lends it to one thread at a time,
/// and libpq connections must not be used by two threads at once.
///
/// Statements are sent with PQexecParams, the extended protocol, so arguments never become SQL text.
/// Arguments go as text with no declared type (OID 0), for the server to infer from where each
/// placeholder stands, as SQLite's dynamic typing would accept; blobs go as binary bytea. Results come
/// as text and are decoded by column type (`PostgresValues`).
public final class PostgresConnection: Connection {
    public var dialect: SQLDialect { .postgres }
    private var handle: OpaquePointer?
    /// Placeholder translations by SQL text: Quarry's statements are a fixed set of literals, so
    /// this stays small; the bound only guards against a caller building SQL text per call.
    private var translations: [String: PostgresStatementText] = [:]
    private static let translationLimit = 512
    /// The first statement that failed in the current transaction. PostgreSQL aborts a transaction at
    /// its first error, so this is the cause of whatever follows (see `inTransaction`).
    var transactionFailure: PostgresError?

    /// Connects to `url`, a `postgres://user:password@host:port/database?param=value` URI or a
    /// libpq `key=value` string. `connectTimeout` (seconds) applies unless the URL sets its own, so an
    /// unreachable server fails in seconds instead of the minutes TCP would wait.
    /// Throws `StorageError.unavailable` when no connection can be made.
    public init(url: String, connectTimeout: Int = 5) throws {
        // Later keywords override earlier ones, the URL's own included: those before the URL are
        // defaults, the encoding after it is not negotiable (Swift strings are UTF-8). Keepalives and
        // the TCP user timeout notice, within a minute or so, a server that vanished without closing
        // the connection (a network cut), where TCP alone would wait for hours.
        let keywords = ["connect_timeout", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
                        "application_name", "dbname", "client_encoding"]
        let values = ["\(connectTimeout)", "30", "10", "3", "60000", "quarry", url, "UTF8"]
        let connection = Self.withCStrings(keywords) { keywords in
            Self.withCStrings(values) { values in PQconnectdbParams(keywords, values, 1) }
        }
        guard let connection else { throw StorageError.unavailable("cannot connect to PostgreSQL: out of memory") }
        handle = connection
        // libpq prints what the server says outside a query's answer (a shutdown's FATAL, a WARNING) as
        // it comes; this puts it on one line in the log's own words instead.
        PQsetNoticeProcessor(connection, { _, message in
            guard let message else { return }
            let text = String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\n", with: " ")
            FileHandle.standardError.write(Data("postgres: \(text)\n".utf8))
        }, nil)
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = PostgresError.connectionMessage(connection)
            close()
            throw StorageError.unavailable("cannot connect to PostgreSQL: \(message)")
        }
        try configureSession()
    }

    deinit { close() }

    /// Settings every session needs whatever the server's defaults: floats printed with every digit
    /// (3 asks for that on servers before 12, where the default rounded), times in UTC, and no
    /// NOTICEs (such as CREATE … IF NOT EXISTS skipping), which libpq would print on stderr.
    private func configureSession() throws {
        try execute("SET extra_float_digits = 3; SET TIME ZONE 'UTC'; SET client_min_messages = warning")
    }

    /// Reads whatever the server sent while the connection sat in the pool, which tells a connection
    /// the server has closed (restart, shutdown) from a live one: libpq's status alone still says
    /// good until something reads from the socket. Reconnects a broken connection
    /// with the parameters it was opened with. Throws `StorageError.unavailable` when that fails; the
    /// connection then stays broken and the next use tries again.
    func reconnectIfLost() throws {
        guard let handle else { throw StorageError.databaseClosed }
        if PQstatus(handle) == CONNECTION_OK && PQconsumeInput(handle) != 0 && PQstatus(handle) == CONNECTION_OK {
            return
        }
        try reconnect()
    }

    func reconnect() throws {
        guard let handle else { throw StorageError.databaseClosed }
        PQreset(handle)
        guard PQstatus(handle) == CONNECTION_OK else {
            throw StorageError.unavailable("cannot reconnect to PostgreSQL: \(PostgresError.connectionMessage(handle))")
        }
        try configureSession()
    }

    /// Runs a script of statements (the simple protocol, so no arguments); rows are discarded.
    public func execute(_ sql: String) throws {
        let handle = try open()
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        try check(result, sql)
    }

    /// Runs one statement and answers the rows it inserted, updated or deleted (or selected), as
    /// PostgreSQL's command tag counts them.
    @discardableResult
    public func run(_ sql: String, _ arguments: [any SQLConvertible]) throws -> Int {
        let result = try perform(sql, arguments)
        defer { PQclear(result) }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    public func query(_ sql: String, _ arguments: [any SQLConvertible]) throws -> [Row] {
        let result = try perform(sql, arguments)
        defer { PQclear(result) }
        return PostgresValues.rows(result, limit: nil)
    }

    /// The first row, or nil; the server still computes them all, so add `LIMIT 1` where that matters.
    public func queryOne(_ sql: String, _ arguments: [any SQLConvertible]) throws -> Row? {
        let result = try perform(sql, arguments)
        defer { PQclear(result) }
        return PostgresValues.rows(result, limit: 1).first
    }

    /// The statement's result, successful; the caller clears it.
    private func perform(_ sql: String, _ arguments: [any SQLConvertible]) throws -> OpaquePointer {
        let handle = try open()
        let statement = translation(of: sql)
        guard statement.parameterCount == arguments.count else {
            throw PostgresError(sqlState: "42P02", message: "expected \(statement.parameterCount) arguments, got \(arguments.count)",
                                sql: sql)
        }
        let parameters = try PostgresParameters(arguments.map(\.sqlValue), sql: sql)
        defer { parameters.release() }
        let result = parameters.withArrays { count, types, values, lengths, formats in
            PQexecParams(handle, statement.text, count, types, values, lengths, formats, 0)
        }
        do {
            try check(result, sql)
        } catch {
            PQclear(result)
            throw error
        }
        // check() refuses a nil result.
        return result!
    }

    private func translation(of sql: String) -> PostgresStatementText {
        if let cached = translations[sql] { return cached }
        if translations.count >= Self.translationLimit { translations.removeAll() }
        let translated = PostgresPlaceholders.translate(sql)
        translations[sql] = translated
        return translated
    }

    /// Throws unless `result` reports success. A lost connection becomes `StorageError.unavailable`;
    /// anything else stays a `PostgresError` with its SQLSTATE.
    private func check(_ result: OpaquePointer?, _ sql: String) throws {
        if let result {
            switch PQresultStatus(result) {
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY: return
            default: break
            }
        }
        let error = PostgresError(result: result, connection: handle!, sql: sql)
        if transactionFailure == nil { transactionFailure = error }
        if error.isConnectionLost { throw StorageError.unavailable("PostgreSQL connection lost: \(error.message)") }
        throw error
    }

    /// A connection kept past its closure would otherwise reach a freed handle.
    func open() throws -> OpaquePointer {
        guard let handle else { throw StorageError.databaseClosed }
        return handle
    }

    /// The PQcmdStatus tag of a statement run on its own, such as "COMMIT" or "ROLLBACK".
    func commandTag(_ sql: String) throws -> String {
        let handle = try open()
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        try check(result, sql)
        return String(cString: PQcmdStatus(result))
    }

    var transactionStatus: PGTransactionStatusType {
        handle.map { PQtransactionStatus($0) } ?? PQTRANS_UNKNOWN
    }

    func close() {
        guard let handle else { return }
        PQfinish(handle)
        self.handle = nil
    }

    /// C string arrays (NULL-terminated, as libpq's keyword lists are) valid for the duration of `body`.
    private static func withCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { UnsafePointer($0) } + [nil]
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

@available(*, unavailable, message: "a connection belongs to one PostgresDatabase.read or write closure")
extension PostgresConnection: Sendable {}
extension PostgresConnection: PooledConnection {}
