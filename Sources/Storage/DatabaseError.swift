/// The questions callers ask of a failed statement whichever backend ran it, so that code written
/// once for both (`catch let error as any DatabaseError where error.isUniqueConstraintViolation`)
/// need not name `SQLiteError` or `PostgresError`.
public protocol DatabaseError: Error {
    /// A unique or primary key constraint refused the row: to a caller, "already exists".
    var isUniqueConstraintViolation: Bool { get }
    var isForeignKeyViolation: Bool { get }
}

extension SQLiteError: DatabaseError {}

extension PostgresError: DatabaseError {}
