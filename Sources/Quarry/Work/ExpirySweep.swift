import Foundation
import Storage

/// Turns jobs past their expiry `expired`, each in the same transaction as its webhook row. The
/// expiry time is stored with the job, so a sweep after a restart catches what passed meanwhile.
enum ExpirySweep {
    @discardableResult
    static func run(database: any Database, outbox: WebhookOutbox, now: Date = Date()) throws -> Int {
        try database.write { db in
            let due = try TaskStore.expiring(by: now, on: db)
            for id in due {
                guard var task = try TaskStore.find(id: id, on: db), let next = task.status.applying(.expire) else { continue }
                task.status = next
                task.updatedAt = Timestamp.format(now)
                try TaskStore.update(task, on: db)
                try outbox.enqueue(taskID: id, on: db)
            }
            return due.count
        }
    }
}
