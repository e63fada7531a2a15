import Storage

extension Migrations {
    static let jobLinkBases = Migration(version: 19, name: "HITL job link bases", sql: """
        -- The base URL (scheme, host, port) of the request that created a HITL job, so the job's links
        -- read the same in its polls and in its webhook, which has no request (JobLinks). Jobs made
        -- before have none and use the listen address, as their webhooks did.
        ALTER TABLE tasks ADD COLUMN link_base TEXT;
        """)
}
