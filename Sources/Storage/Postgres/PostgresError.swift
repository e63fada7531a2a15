import CPostgres

/// A failed PostgreSQL call: the server's SQLSTATE, message and detail, and the SQL that was running
/// (nil for calls that run none, such as connecting).
///
/// A lost connection does not reach callers as this type: `PostgresConnection` turns it into
/// `StorageError.unavailable`, which the API answers with 503.
///
/// Related PostgreSQL documentation: <https://www.postgresql.org/docs/current/errcodes-appendix.html>
public struct PostgresError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Five characters; empty when libpq failed on its own, without an answer from the server
    /// (the connection broke, or could not be made).
    public let sqlState: String
    public let message: String
    public let detail: String?
    public let sql: String?
    /// libpq called the connection unusable after the failure, whatever the SQLSTATE said.
    let connectionBroken: Bool

    public init(sqlState: String, message: String, detail: String? = nil, sql: String?) {
        self.init(sqlState: sqlState, message: message, detail: detail, sql: sql, connectionBroken: false)
    }

    init(sqlState: String, message: String, detail: String?, sql: String?, connectionBroken: Bool) {
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.sql = sql
        self.connectionBroken = connectionBroken
    }

    /// The transaction lost a conflict with another one and was rolled back; running it again from
    /// the start is the prescribed answer (serialization_failure, deadlock_detected).
    public var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }

    /// The server is gone or going: connection exceptions (class 08), or an administrator's shutdown,
    /// a crash recovery, or a server not yet accepting connections (57P01, 57P02, 57P03).
    public var isConnectionLost: Bool {
        connectionBroken || sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(sqlState)
    }

    public var isUniqueConstraintViolation: Bool { sqlState == "23505" }

    public var isForeignKeyViolation: Bool { sqlState == "23503" }

    public var description: String {
        var text = sqlState.isEmpty ? "PostgreSQL error: \(message)" : "PostgreSQL error \(sqlState): \(message)"
        if let detail { text += " (\(detail))" }
        if let sql { text += ", in: \(sql)" }
        return text
    }

    /// The error a failed result reports, or libpq's message on `connection` where there is no result
    /// (libpq could not even send the statement).
    init(result: OpaquePointer?, connection: OpaquePointer, sql: String?) {
        let broken = PQstatus(connection) != CONNECTION_OK
        guard let result else {
            self.init(sqlState: "", message: Self.connectionMessage(connection), detail: nil, sql: sql, connectionBroken: broken)
            return
        }
        let state = Self.field(result, "C") ?? ""
        // Without a SQLSTATE the failure is libpq's own, and only its whole message says what it was.
        let message = state.isEmpty ? Self.trimmed(String(cString: PQresultErrorMessage(result)))
            : Self.field(result, "M") ?? "unknown error"
        self.init(sqlState: state, message: message.isEmpty ? Self.connectionMessage(connection) : message,
                  detail: Self.field(result, "D"), sql: sql, connectionBroken: broken)
    }

    static func connectionMessage(_ connection: OpaquePointer) -> String {
        let message = trimmed(String(cString: PQerrorMessage(connection)))
        return message.isEmpty ? "connection failed" : message
    }

    /// libpq's diagnostic field codes are single characters (PG_DIAG_SQLSTATE is 'C', and so on),
    /// macros Swift does not import.
    private static func field(_ result: OpaquePointer, _ code: Unicode.Scalar) -> String? {
        PQresultErrorField(result, Int32(code.value)).map { String(cString: $0) }
    }

    private static func trimmed(_ text: String) -> String {
        String(text.reversed().drop(while: \.isWhitespace).reversed())
    }
}
