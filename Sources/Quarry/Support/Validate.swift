import Foundation

/// Checks for user-supplied text, with errors that name the field.
enum Validate {
    /// A display name: trimmed, 1 to 200 characters, no control characters (not even the tabs and line
    /// breaks free text may hold: a name is shown on one line).
    static func name(_ text: String, field: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw ProjectError.invalid(field: field, reason: "must not be empty") }
        return try self.text(trimmed, field: field, limit: 200, allowing: [])
    }

    /// Free text up to `limit` characters without control characters other than `allowed` (tabs and newlines).
    static func text(_ text: String, field: String, limit: Int, allowing allowed: Set<Unicode.Scalar> = ["\t", "\n", "\r"]) throws -> String {
        guard text.count <= limit else { throw ProjectError.invalid(field: field, reason: "is longer than \(limit) characters") }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !allowed.contains($0) }) else {
            throw ProjectError.invalid(field: field, reason: "contains control characters")
        }
        return text
    }
}
