/// A person who labels or reviews: known by email within one account, signed in to the
/// workbench by a token of their own.
public struct Worker: Sendable, Equatable {
    public let id: String
    public let accountID: String
    public let email: String
    public let createdAt: String
}

public enum WorkerError: Error, Equatable, Sendable {
    case invalidEmail(String)
    case notFound(String)
    /// The email belongs to workers of several accounts; name the account.
    case ambiguous(String, accounts: Int)
}
