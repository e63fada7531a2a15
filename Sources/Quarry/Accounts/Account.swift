/// A customer of the server: owns API keys, workers and projects. Every query for user data is
/// scoped by an account id, so one account never sees another's objects.
public struct Account: Sendable, Equatable {
    public let id: String
    public let name: String
    public let createdAt: String

    public init(id: String, name: String, createdAt: String) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// An account as the administrator lists it.
public struct AccountSummary: Sendable, Equatable {
    public let account: Account
    public let activeKeys: Int
}

public enum AccountError: Error, Equatable, Sendable {
    case invalidName(String)
    case nameTaken(String)
    case notFound(String)
}
