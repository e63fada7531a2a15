/// The record, kept in the deployment's shared database, that lets several processes put and
/// collect blobs in one bucket without losing one: a put holds its blob before storing it, and the
/// collection deletes only blobs it has marked while no hold protected them.
///
/// Why that is enough: a row that refers to a blob commits within the grace period of its put, so
/// within the hold. A collection marks a blob only while no hold is live, and reads the references
/// only after marking. So a put that held before the mark is seen by the mark (its hold is live) or
/// by the references (its hold ended after its row committed); a put that comes after the mark
/// waits in `hold` until the deletion is over, and then stores its blob again.
public protocol BlobHolds: Sendable {
    /// Keeps `ids` from collection for `duration` from now; waits while a collection deletes one of
    /// them, as the put must then store it anew.
    func hold(_ ids: [BlobID], for duration: Duration) throws

    /// Marks for deletion those of `ids` that no live hold protects, and answers them.
    func markForDeletion(_ ids: [BlobID]) throws -> [BlobID]

    /// Ends the marks of `ids` once their deletion is done (or given up), and forgets holds long over.
    func unmark(_ ids: [BlobID]) throws
}
