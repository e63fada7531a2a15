@testable import Quarry
import Storage
import Testing

/// A job's links have one base, whoever asks: its polls (`jobLinks.base`) and its webhook (rendered as
/// `JOB STATUS BASEURL` by the fixture) agree, with or without a public URL, also for jobs made before
/// bases were kept.
@Suite struct JobLinksTests {
    @Test(arguments: [
        // (QUARRY_PUBLIC_URL, the base the job was created at, what its links use)
        ("https://quarry.example", "http://10.0.0.5:8080", "https://quarry.example"),
        (nil, "http://10.0.0.5:8080", "http://10.0.0.5:8080"),
        (nil, nil, "http://quarry-host:9000"),
        ("https://quarry.example", nil, "https://quarry.example"),
    ] as [(String?, String?, String)])
    func pollsAndWebhooksShareTheBase(publicURL: String?, linkBase: String?, expected: String) throws {
        let fixture = try HITLFixture {
            $0.publicURL = publicURL
            $0.listenURL = "http://quarry-host:9000"
        }
        let project = try fixture.activeProject()
        let id = try fixture.job(in: project.id, webhook: true, linkBase: linkBase)
        if linkBase == nil {
            // As a job made before migration 19 reads.
            try fixture.services.database.write { db in _ = try db.run("UPDATE tasks SET link_base = NULL WHERE id = ?", [id]) }
        }
        #expect(try fixture.read(id, in: project.id).linkBase == linkBase)
        #expect(fixture.services.jobLinks.base(for: try fixture.read(id, in: project.id)) == expected)
        try fixture.finish(id)
        #expect(try fixture.deliverDue() == 1)
        #expect(try fixture.server.hook(0).body == Array("\(id) done \(expected)".utf8))
    }
}
