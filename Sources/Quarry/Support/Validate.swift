import Foundation

/// Checks for user-supplied text, with errors that name the field.
enum Validate {
    /// A display name: trimmed, 1 to 200 characters, no control characters.
    static func name(_ text: String, field: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw ProjectError.invalid(field: field, reason: "must not be empty") }
        return try self.text(trimmed, field: field, limit: 200)
    }

    /// Free text up to `limit` characters without control characters (tabs and newlines allowed).
    static func text(_ text: String, field: String, limit: Int) throws -> String {
        guard text.count <= limit else { throw ProjectError.invalid(field: field, reason: "is longer than \(limit) characters") }
        let allowed: Set<Unicode.Scalar> = ["\t", "\n", "\r"]
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !allowed.contains($0) }) else {
            throw ProjectError.invalid(field: field, reason: "contains control characters")
        }
        return text
    }
}
