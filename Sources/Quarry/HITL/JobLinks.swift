/// Where a HITL job's links (its `image`) point, decided one way for its polls and its webhook:
/// `QUARRY_PUBLIC_URL` when set; else the base of the request that created the job, kept with it,
/// since a webhook has no request of its own (and the request that finishes a job is a worker's, on
/// whatever host the workbench used); else, for jobs made before bases were kept, the listen address,
/// which their webhooks always carried.
public struct JobLinks: Sendable {
    let publicURL: String?
    let listenURL: String

    public func base(for job: HITLJob) -> String {
        publicURL ?? job.linkBase ?? listenURL
    }
}
