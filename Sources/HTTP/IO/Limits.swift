/// Every bound the HTTP layer enforces, in one place so they are explicit and documented
/// (docs/limits.md lists them with their environment variables).
public struct Limits: Sendable {
    /// Request line plus header fields; larger heads get 431.
    public var maxHeadBytes = 16 * 1024
    /// Header fields per request; more get 431.
    public var maxHeaderCount = 100
    /// Body size for routes that do not set their own; larger bodies get 413.
    public var defaultMaxBodyBytes = 8 * 1024 * 1024
    /// Bodies up to this size stay in memory; larger ones are spooled to a temporary file.
    public var bodyMemoryThreshold = 1024 * 1024
    /// Open client connections; past it new connections get 503 and are closed.
    public var maxConnections = 10_000
    /// Time from the first byte of a request to the end of its header; slow clients are cut off (408).
    public var headerReadTimeout: Duration = .seconds(10)
    /// Longest silence while a body is arriving.
    public var bodyReadTimeout: Duration = .seconds(30)
    /// Time a keep-alive connection may sit idle between requests.
    public var idleTimeout: Duration = .seconds(60)
    /// Threads that run handlers, so blocking work never runs on an event loop.
    public var handlerThreads = 16
    /// How long shutdown waits for in-flight requests before closing their connections.
    public var shutdownGrace: Duration = .seconds(10)
    /// Parts per multipart/form-data body.
    public var maxMultipartParts = 100
    /// Multipart parts up to this size stay in memory; larger ones are spooled.
    public var multipartMemoryThreshold = 256 * 1024

    public init() {}
}
