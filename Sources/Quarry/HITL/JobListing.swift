import Storage

/// Where a job stands in a project's listing: oldest first, ties by id.
struct JobPosition: Sendable, Equatable {
    let createdAt: String
    let id: String
}

/// A read of every job of a project, oldest first, a batch at a time (`HITLService.next`). Each batch is
/// its own read transaction, so a listing that takes long (a slow client) holds no reader in between.
/// It lists the jobs there were when it began: those created later sort after its last one and are left
/// out, so the list agrees with `total`, unless jobs are deleted meanwhile (their project is).
public struct JobListing: Sendable {
    /// How many jobs the project had when the listing began.
    public let total: Int
    let projectID: String
    /// The last job to list; nil when there are none.
    let last: JobPosition?
    /// The last job listed so far.
    var listed: JobPosition?
    /// True once every job has been read.
    public private(set) var isFinished: Bool

    init(projectID: String, total: Int, last: JobPosition?) {
        self.projectID = projectID
        self.total = total
        self.last = last
        isFinished = last == nil
    }

    mutating func advance(past jobs: [HITLJob], limit: Int) {
        if let job = jobs.last { listed = JobPosition(createdAt: job.task.createdAt, id: job.task.id) }
        isFinished = jobs.count < limit || listed == last
    }
}

extension HITLService {
    /// Begins a listing of the account's project `projectID` (404 when it is not the account's).
    public func listing(accountID: String, projectID: String) throws -> JobListing {
        try database.read { db in
            guard try ProjectStore.find(accountID: accountID, id: projectID, on: db) != nil else { throw ProjectError.notFound(projectID) }
            let (total, last) = try HITLStore.extent(projectID: projectID, on: db)
            return JobListing(projectID: projectID, total: total, last: last)
        }
    }

    /// The listing's next jobs, at most `limit`; none once it is finished.
    public func next(_ listing: inout JobListing, limit: Int) throws -> [HITLJob] {
        guard !listing.isFinished, let last = listing.last else { return [] }
        let jobs = try database.read { db in
            try HITLStore.jobs(projectID: listing.projectID, after: listing.listed, through: last, limit: limit, on: db)
        }
        listing.advance(past: jobs, limit: limit)
        return jobs
    }
}
