/// Where a worker signs in to the workbench. The token rides in the fragment, which browsers never
/// send to servers or put in Referer headers, and the page trades it for a session.
public enum WorkbenchLink {
    public static func path(token: String) -> String { "/workbench/#token=\(token)" }
}
