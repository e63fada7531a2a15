import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The few XML documents S3 answers with (errors, listings, multipart results) read into a small tree.
/// Namespaces are ignored: S3 puts everything in one, and some compatible stores leave it out.
struct S3XML: Sendable {
    let name: String
    var text: String
    var children: [S3XML]

    /// The first child named `name`.
    func child(_ name: String) -> S3XML? { children.first { $0.name == name } }

    /// Every child named `name`, in document order (a listing's `Contents`).
    func children(_ name: String) -> [S3XML] { children.filter { $0.name == name } }

    /// The text of the first child named `name`.
    func text(_ name: String) -> String? { child(name)?.text }

    /// The document's root element, or nil for a body that is not well-formed XML.
    static func parse(_ bytes: [UInt8]) -> S3XML? {
        guard !bytes.isEmpty else { return nil }
        let parser = XMLParser(data: Data(bytes))
        // An S3 answer never needs entities from outside; reading them would let a store make us fetch.
        parser.shouldResolveExternalEntities = false
        let builder = Builder()
        parser.delegate = builder
        guard parser.parse() else { return nil }
        return builder.root
    }

    /// XMLParser's delegate: a stack of open elements, each closed into its parent.
    private final class Builder: NSObject, XMLParserDelegate {
        var stack: [S3XML] = []
        var root: S3XML?

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            // A prefixed name (`s3:Key`) is read as its local part.
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            stack.append(S3XML(name: local, text: "", children: []))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            guard let element = stack.popLast() else { return }
            if stack.isEmpty {
                root = element
            } else {
                stack[stack.count - 1].children.append(element)
            }
        }
    }
}
