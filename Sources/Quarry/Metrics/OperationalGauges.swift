import Storage

/// What `/metrics` reports besides the HTTP layer's counters, read from the database at scrape time:
/// runs by status, the depth of every queue, webhook deliveries by status and their failed attempts.
/// Prometheus's text format; every value is a count, so they render as gauges and one counter.
public enum OperationalGauges {
    public static func render(_ database: any Database) throws -> String {
        try database.read { db in
            var text = ""
            func counts(_ sql: String) throws -> [(String, Int)] {
                try db.query(sql).map { (try $0.string("status"), try $0.int("n")) }.sorted { $0.0 < $1.0 }
            }
            func scalar(_ sql: String) throws -> Int { try db.queryOne(sql)?.int("n") ?? 0 }

            text += "# HELP quarry_runs Training runs, by status.\n# TYPE quarry_runs gauge\n"
            for (status, n) in try counts("SELECT status, COUNT(*) AS n FROM runs GROUP BY status") {
                text += "quarry_runs{status=\"\(status)\"} \(n)\n"
            }
            text += "# HELP quarry_queue_depth Work waiting or under way, by queue.\n# TYPE quarry_queue_depth gauge\n"
            let jobs: [(String, JobKind)] = [("training", .run), ("evaluations", .evaluation), ("exports", .modelExport),
                                             ("imports", .importJob), ("prelabels", .prelabel)]
            let queues: [(String, String)] = jobs.map { ($0, "SELECT COUNT(*) AS n FROM \($1.table) WHERE status IN (\(JobRecords.active))") } + [
                ("webhooks", "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'pending'"),
                ("labeling", "SELECT COUNT(*) AS n FROM tasks WHERE status IN ('new', 'progress', 'review')"),
            ]
            for (queue, sql) in queues { text += "quarry_queue_depth{queue=\"\(queue)\"} \(try scalar(sql))\n" }
            text += "# HELP quarry_webhook_deliveries Webhook deliveries, by status.\n# TYPE quarry_webhook_deliveries gauge\n"
            for (status, n) in try counts("SELECT status, COUNT(*) AS n FROM webhook_deliveries GROUP BY status") {
                text += "quarry_webhook_deliveries{status=\"\(status)\"} \(n)\n"
            }
            text += "# HELP quarry_webhook_failed_attempts_total Delivery attempts answered other than 2xx, or not at all.\n"
            text += "# TYPE quarry_webhook_failed_attempts_total counter\n"
            text += "quarry_webhook_failed_attempts_total \(try scalar("SELECT COUNT(*) AS n FROM webhook_attempts WHERE status_code IS NULL OR status_code < 200 OR status_code >= 300"))\n"
            return text
        }
    }
}
