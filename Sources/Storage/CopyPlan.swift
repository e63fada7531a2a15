/// How to copy one database's tables into another whose foreign keys are checked as rows arrive
/// (`SQLiteDatabase.copyPlan`).
public struct CopyPlan: Sendable {
    public struct Table: Sendable, Equatable {
        public let name: String
        /// The columns that identify a row, to set its deferred columns by.
        public let primaryKey: [String]
        /// Nullable foreign keys to a table copied later, or to this one: copied as NULL, set afterwards.
        public let deferred: [String]
    }

    /// Parents before children, but for the deferred columns.
    public let tables: [Table]
    /// The largest id each AUTOINCREMENT table ever gave, deleted rows' included: the copy must not give
    /// one of them again, as SQLite would not.
    public let counters: [String: Int64]
}
