import HTTP
import Quarry
import Storage

/// Wraps an adapter's throwing handler so every error leaves in that surface's shape:
/// `APIError` as itself, domain errors through `DomainErrors`, a database that does not answer as a
/// 503 that says when to try again, and anything else as a 500 whose details go only to the log.
func shaped(_ shape: @escaping @Sendable (APIError) -> Response,
            _ handler: @escaping @Sendable (Request) throws -> Response) -> Handler {
    { request in
        do {
            return try handler(request)
        } catch let error as APIError {
            return shape(error)
        } catch StorageError.unavailable(let reason) {
            Diagnostics.log("error: request \(request.requestID): \(reason)")
            var response = shape(APIError(.serviceUnavailable, "the database is not answering; try again shortly"))
            response.headers.append("Retry-After", "1")
            return response
        } catch {
            if let mapped = DomainErrors.map(error) { return shape(mapped) }
            Diagnostics.log("error: request \(request.requestID) failed: \(error)")
            return shape(APIError(.internalServerError, "internal error (request id \(request.requestID))"))
        }
    }
}
