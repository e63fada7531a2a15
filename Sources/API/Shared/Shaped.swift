import HTTP
import Quarry

/// Wraps an adapter's throwing handler so every error leaves in that surface's shape:
/// `APIError` as itself, domain errors through `DomainErrors`, and anything else as a 500
/// whose details go only to the log.
func shaped(_ shape: @escaping @Sendable (APIError) -> Response,
            _ handler: @escaping @Sendable (Request) throws -> Response) -> Handler {
    { request in
        do {
            return try handler(request)
        } catch let error as APIError {
            return shape(error)
        } catch {
            if let mapped = DomainErrors.map(error) { return shape(mapped) }
            Diagnostics.log("error: request \(request.requestID) failed: \(error)")
            return shape(APIError(.internalServerError, "internal error (request id \(request.requestID))"))
        }
    }
}
