import API
import Dispatch
import Glibc
@testable import HTTP

/// Requests through `App`'s router and handlers, no sockets. What the connection does before a
/// handler runs (404, 405 with `Allow`, 413 for a body over the route's limit, 500 for an error that
/// escapes) is done here the same way, shaped by the app's error responder.
struct InProcessTransport: Transport {
    let app: App
    let limits: Limits

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func send(_ request: TransportRequest) throws -> TransportResponse {
        var fields = request.headers
        fields.insert(("Host", "localhost"), at: 0)
        let head = RequestHead(method: request.method, target: request.target, version: .http1_1,
                               headers: HTTPFields(fields.map { ($0.name, $0.value) }), keepAlive: true, expectsContinue: false)
        let response: Response
        switch app.router.match(request.method, path: head.path) {
        case .badPath:
            response = app.errorResponder(.badRequest, "malformed request path", head)
        case .notFound:
            response = app.errorResponder(.notFound, "no route for \(request.method.rawValue) \(head.path)", head)
        case .methodNotAllowed(let allowed):
            var refused = app.errorResponder(.methodNotAllowed, "method \(request.method.rawValue) not allowed here", head)
            refused.headers.set("Allow", allowed.map(\.rawValue).joined(separator: ", "))
            response = refused
        case .found(let route, let parameters):
            let maxBytes = route.options.maxBodyBytes ?? limits.defaultMaxBodyBytes
            if request.body.count > maxBytes {
                response = app.errorResponder(.contentTooLarge, "request body is larger than \(maxBytes) bytes", head)
            } else {
                let body: RequestBody = request.body.isEmpty ? .empty : .bytes(request.body)
                let incoming = Request(head: head, body: body, pathParameters: parameters, requestID: "scenario", remoteAddress: "127.0.0.1")
                do {
                    response = try route.handler(incoming)
                } catch {
                    response = app.errorResponder(.internalServerError, "internal error (request id scenario)", head)
                }
            }
        }
        return TransportResponse(status: response.status.code, headers: response.headers.map { ($0.name, $0.value) },
                                 body: try Self.bytes(of: response.body))
    }

    private static func bytes(of body: ResponseBody) throws -> [UInt8] {
        switch body {
        case .empty: return []
        case .bytes(let bytes): return bytes
        case .file(let file):
            var bytes = [UInt8](repeating: 0, count: file.length)
            let read = bytes.withUnsafeMutableBytes { pread(file.descriptor, $0.baseAddress, file.length, off_t(file.offset)) }
            guard read == file.length else { throw Failure(description: "short read of a file body: \(read) of \(file.length)") }
            return bytes
        case .stream(let stream): return try drain(stream)
        }
    }

    /// Reads a streamed body (a run's events, a job listing) to its end, as the connection would: woken by
    /// each write, and asking a pulled stream for more by taking what it has.
    private static func drain(_ stream: BodyStream) throws -> [UInt8] {
        let woken = DispatchSemaphore(value: 0)
        stream.attach { woken.signal() }
        let deadline = DispatchTime.now() + Step.pollDeadline
        var bytes: [UInt8] = []
        while true {
            let (chunk, finished) = stream.take()
            bytes += chunk
            if finished { return bytes }
            guard !stream.isTerminated else { throw Failure(description: "the stream was aborted after \(bytes.count) bytes") }
            // Having taken bytes, take again at once, as the connection does once it has sent them.
            guard chunk.isEmpty else { continue }
            guard woken.wait(timeout: deadline) == .success else {
                stream.terminate()
                throw Failure(description: "the stream did not end within \(Step.pollDeadline) s")
            }
        }
    }
}
