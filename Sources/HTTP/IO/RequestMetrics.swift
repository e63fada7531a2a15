import Synchronization

/// Requests counted by method, route pattern (as registered, so `/v1/jobs/{project_id}/{job_id}` is one
/// series however many jobs there are) and status, with a latency histogram per method and route,
/// rendered in Prometheus's text format. Requests that matched no route count under the route `unmatched`.
public final class RequestMetrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    public static let buckets: [Double] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private struct Route: Hashable {
        let method: String
        let pattern: String
    }

    private struct Series {
        var statuses: [Int: Int] = [:]
        var buckets = [Int](repeating: 0, count: RequestMetrics.buckets.count)
        var count = 0
        var sum = 0.0

        mutating func record(status: Int, bucket: Int?, seconds: Double) {
            statuses[status, default: 0] += 1
            if let bucket { buckets[bucket] += 1 }
            count += 1
            sum += seconds
        }
    }

    private let series = Mutex<[Route: Series]>([:])

    public init() {}

    /// The methods that get a series of their own. A client may send any token as a method, and each
    /// would otherwise add series that are never removed.
    private static let namedMethods: Set<Method> = [.get, .head, .post, .put, .patch, .delete, .options]

    func record(method: Method, pattern: String?, status: Int, seconds: Double) {
        let route = Route(method: Self.namedMethods.contains(method) ? method.rawValue : "other", pattern: pattern ?? "unmatched")
        let bucket = Self.buckets.firstIndex { seconds <= $0 }
        series.withLock { all in
            all[route, default: Series()].record(status: status, bucket: bucket, seconds: seconds)
        }
    }

    /// `quarry_http_requests_total` and `quarry_http_request_duration_seconds`, sorted for stable output.
    public func render() -> String {
        let snapshot = series.withLock { $0 }.sorted { ($0.key.pattern, $0.key.method) < ($1.key.pattern, $1.key.method) }
        var text = "# HELP quarry_http_requests_total Requests answered, by method, route and status.\n"
        text += "# TYPE quarry_http_requests_total counter\n"
        for (route, series) in snapshot {
            for (status, count) in series.statuses.sorted(by: { $0.key < $1.key }) {
                text += "quarry_http_requests_total{\(Self.labels(route)),status=\"\(status)\"} \(count)\n"
            }
        }
        text += "# HELP quarry_http_request_duration_seconds Time from the request's head to its last byte queued.\n"
        text += "# TYPE quarry_http_request_duration_seconds histogram\n"
        for (route, series) in snapshot {
            var cumulative = 0
            for (bound, count) in zip(Self.buckets, series.buckets) {
                cumulative += count
                text += "quarry_http_request_duration_seconds_bucket{\(Self.labels(route)),le=\"\(bound)\"} \(cumulative)\n"
            }
            text += "quarry_http_request_duration_seconds_bucket{\(Self.labels(route)),le=\"+Inf\"} \(series.count)\n"
            text += "quarry_http_request_duration_seconds_sum{\(Self.labels(route))} \(series.sum)\n"
            text += "quarry_http_request_duration_seconds_count{\(Self.labels(route))} \(series.count)\n"
        }
        return text
    }

    /// Route patterns are ours (registered in code), methods one of `namedMethods` or "other"; escaped all the same.
    private static func labels(_ route: Route) -> String {
        "method=\"\(escape(route.method))\",route=\"\(escape(route.pattern))\""
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
