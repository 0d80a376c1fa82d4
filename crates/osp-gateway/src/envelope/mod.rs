//! The SOAP 1.1 envelope (SPEC §1–3): [`reader`] turns a request into WS-Addressing header
//! values and a standalone body document (quick-xml `NsReader`); [`writer`] builds request and
//! response envelopes — for the gateway's answers, `osp send`, replay and the push worker alike.

pub mod reader;
pub mod writer;

pub use reader::parse;
pub use writer::{request, strip_declaration, wrap_request, wrap_response, ResponseAddressing};

/// The raw WS-Addressing headers as found; checked by [`crate::wsa`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WsaHeaders {
    /// `wsa:To` text.
    pub to: Option<String>,
    /// `wsa:Action` text.
    pub action: Option<String>,
    /// `wsa:MessageID` text.
    pub message_id: Option<String>,
    /// `wsa:From` present; inner `wsa:Address` text if any.
    pub from: Option<Option<String>>,
    /// Name of a WS-A header (or `From/Address`) that occurred more than once.
    pub duplicate: Option<String>,
    /// Why a WS-A header has the wrong shape (an element inside a text-only header).
    pub invalid: Option<String>,
}

/// WS-Security 1.0 `wsse` namespace: its `Security` header is the one SPEC §11 verifies.
pub const WSSE_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";

/// SOAP 1.1 `actor` of the next SOAP node: osp, like an absent actor (SOAP 1.1 §4.2.2).
pub const SOAP11_ACTOR_NEXT: &str = "http://schemas.xmlsoap.org/soap/actor/next";

/// A parsed request envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// WS-Addressing headers.
    pub wsa: WsaHeaders,
    /// Namespace of the body root element.
    pub body_ns: String,
    /// Local name of the body root element.
    pub body_local: String,
    /// The body root as a standalone document: every namespace binding in scope is declared on
    /// the root, preceded by whitespace so its line and column match the envelope.
    pub body_xml: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fault::FaultCode;
    use osp_model::contracts::{SOAP11_NS, SOAP12_NS, WSA_NS};
    use osp_model::Operation;
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;
    use quick_xml::NsReader;

    const EXAMPLE: &str = include_str!("../../tests/data/aanleverenInschrijvingVO.envelope.xml");

    #[test]
    fn parses_the_spec_example() {
        let env = parse(EXAMPLE, 64).unwrap();
        assert_eq!(
            env.wsa.to.as_deref(),
            Some("http://www.w3.org/2005/08/addressing/anonymous?oin=00000001800866472000")
        );
        assert_eq!(
            env.wsa.message_id.as_deref(),
            Some("urn:uuid:6f1c2a5e-0b7d-4e7a-9a51-3c2d8e4f1a01")
        );
        assert_eq!(
            env.wsa.from,
            Some(Some(
                "http://www.w3.org/2005/08/addressing/anonymous?oin=0000000700099AA00000".into()
            ))
        );
        assert_eq!(env.body_local, "aanleverenInschrijvingVO_Request");
        assert_eq!(
            env.body_ns,
            "http://duo.nl/schema/DUO_VOAanlevering_InschrijvingVO_V1"
        );
        // line numbers match: the root starts on the same line and column as in the envelope
        let root_line = EXAMPLE
            .lines()
            .position(|l| l.contains("<ins:aanleverenInschrijvingVO_Request"))
            .unwrap();
        let body_line = env
            .body_xml
            .lines()
            .position(|l| l.contains("<ins:aanleverenInschrijvingVO_Request"))
            .unwrap();
        assert_eq!(root_line, body_line);
        let brin_env = EXAMPLE
            .lines()
            .position(|l| l.contains("<bas:brin>"))
            .unwrap();
        let brin_body = env
            .body_xml
            .lines()
            .position(|l| l.contains("<bas:brin>"))
            .unwrap();
        assert_eq!(brin_env, brin_body);
        assert_eq!(
            EXAMPLE.lines().nth(root_line).unwrap().find('<'),
            env.body_xml.lines().nth(body_line).unwrap().find('<')
        );
        // every binding in scope is declared on the root, and the body is a well-formed document
        for ns in ["xmlns:ins=", "xmlns:bas=", "xmlns:soapenv=", "xmlns:wsa="] {
            assert!(env.body_xml.contains(ns), "{ns}");
        }
        let mut r = NsReader::from_str(&env.body_xml);
        loop {
            match r.read_resolved_event().unwrap() {
                (ResolveResult::Unknown(p), _) => panic!("unbound {p}"),
                (_, Event::Eof) => break,
                _ => {}
            }
        }
        assert!(env
            .body_xml
            .trim_end()
            .ends_with("</ins:aanleverenInschrijvingVO_Request>"));
    }

    fn env(header: &str, body: &str) -> String {
        format!(
            "<s:Envelope xmlns:s=\"{SOAP11_NS}\" xmlns:a=\"{WSA_NS}\"><s:Header>{header}</s:Header><s:Body>{body}</s:Body></s:Envelope>"
        )
    }

    #[test]
    fn envelope_errors() {
        let code = |t: &str| parse(t, 64).unwrap_err().code;
        assert_eq!(
            code(&format!(
                "<s:Envelope xmlns:s=\"{SOAP12_NS}\"><s:Body/></s:Envelope>"
            )),
            FaultCode::DK0001
        );
        assert_eq!(code("<Envelope><Body/></Envelope>"), FaultCode::DK0001);
        assert_eq!(
            code(&format!(
                "<s:Envelope xmlns:s=\"{SOAP11_NS}\"><s:Header/></s:Envelope>"
            )),
            FaultCode::DK0001
        );
        assert_eq!(
            code(&format!(
                "<s:Envelope xmlns:s=\"{SOAP11_NS}\"><s:Body><a/></s:Body>"
            )),
            FaultCode::DK0004
        );
        assert_eq!(
            code(&format!(
                "<s:Envelope xmlns:s=\"{SOAP11_NS}\"><s:Body><a></b></s:Body></s:Envelope>"
            )),
            FaultCode::DK0004
        );
        assert_eq!(code(&format!("<!DOCTYPE x [<!ENTITY e \"x\">]><s:Envelope xmlns:s=\"{SOAP11_NS}\"><s:Body><a/></s:Body></s:Envelope>")), FaultCode::DK0004);
        assert_eq!(code(&env("", "<a>&e;</a>")), FaultCode::DK0004);
        assert_eq!(code(&env("", "<a/><b/>")), FaultCode::DK0004);
        assert_eq!(code(&env("", "")), FaultCode::DK0004);
        assert_eq!(code(&env("", "<p:a/>")), FaultCode::DK0004);
        assert_eq!(
            code(&format!(
                "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>{}",
                env("", "<a/>")
            )),
            FaultCode::DK0009
        );
        let deep = format!("{}{}", "<x>".repeat(70), "</x>".repeat(70));
        let f = parse(&env("", &deep), 64).unwrap_err();
        assert_eq!(f.code, FaultCode::DK0004);
        assert_eq!(f.locaties[0].regel, 1);
    }

    #[test]
    fn headers_and_entities() {
        let e = parse(
            &env("<a:To>x?oin=1&amp;y</a:To><a:MessageID>m</a:MessageID><a:MessageID>n</a:MessageID><a:From/>", "<b xmlns=\"urn:b\"/>"),
            64,
        )
        .unwrap();
        assert_eq!(e.wsa.to.as_deref(), Some("x?oin=1&y"));
        assert_eq!(e.wsa.duplicate.as_deref(), Some("MessageID"));
        assert_eq!(e.wsa.from, Some(None));
        assert_eq!(e.wsa.action, None);
        assert_eq!(e.body_ns, "urn:b");
        assert!(e.body_xml.contains("xmlns:a="), "{}", e.body_xml);
        assert!(e.body_xml.ends_with("/>"));
    }

    #[test]
    fn must_understand_and_actor() {
        let code = |h: &str| parse(&env(h, "<b/>"), 64).map(|_| ()).map_err(|f| f.code);
        let x = |attrs: &str| format!("<x:t xmlns:x=\"urn:x\"{attrs}/>");
        assert_eq!(
            code(&x(" s:mustUnderstand=\"1\"")),
            Err(FaultCode::MustUnderstand)
        );
        assert_eq!(
            code(&x(" s:mustUnderstand=\"true\"")),
            Err(FaultCode::MustUnderstand)
        );
        assert_eq!(
            code(&x(&format!(
                " s:actor=\"{SOAP11_ACTOR_NEXT}\" s:mustUnderstand=\"1\""
            ))),
            Err(FaultCode::MustUnderstand)
        );
        assert_eq!(code(&x(" s:mustUnderstand=\"2\"")), Err(FaultCode::DK0001));
        assert_eq!(code("<t/>"), Err(FaultCode::DK0001));
        assert_eq!(code(&x(" s:mustUnderstand=\"0\"")), Ok(()));
        assert_eq!(code(&x(" s:mustUnderstand=\"false\"")), Ok(()));
        assert_eq!(code(&x(" mustUnderstand=\"1\"")), Ok(()));
        assert_eq!(
            code(&x(" s:actor=\"urn:proxy\" s:mustUnderstand=\"1\"")),
            Ok(())
        );
        assert_eq!(
            code(&format!(
                "<w:Security xmlns:w=\"{WSSE_NS}\" s:mustUnderstand=\"1\"/>"
            )),
            Ok(())
        );
        assert_eq!(
            code("<a:ReplyTo s:mustUnderstand=\"1\"/>"),
            Err(FaultCode::MustUnderstand)
        );
        assert_eq!(code("<a:To s:mustUnderstand=\"1\">x</a:To>"), Ok(()));
        // an entry for another actor is not read at all
        let e = parse(
            &env("<a:To s:actor=\"urn:proxy\">p</a:To><a:To>q</a:To>", "<b/>"),
            64,
        )
        .unwrap();
        assert_eq!(e.wsa.to.as_deref(), Some("q"));
        assert_eq!(e.wsa.duplicate, None);
        // mustUnderstand is judged after the whole document is known to be well-formed
        let f = parse(&env(&x(" s:mustUnderstand=\"1\""), "<b></c>"), 64).unwrap_err();
        assert_eq!(f.code, FaultCode::DK0004);
    }

    #[test]
    fn wsa_shape() {
        let e = parse(
            &env(
                "<a:From><a:Address>p</a:Address><a:Address>q</a:Address></a:From>",
                "<b/>",
            ),
            64,
        )
        .unwrap();
        assert_eq!(e.wsa.duplicate.as_deref(), Some("From/Address"));
        let e = parse(&env("<a:Action>x<y/></a:Action>", "<b/>"), 64).unwrap();
        assert!(e.wsa.invalid.as_deref().unwrap().starts_with("wsa:Action"));
        let e = parse(
            &env(
                "<a:From><a:Address>p</a:Address><a:Metadata><a:Address>m</a:Address></a:Metadata></a:From>",
                "<b/>",
            ),
            64,
        )
        .unwrap();
        assert_eq!(e.wsa.duplicate, None);
        assert_eq!(e.wsa.from, Some(Some("p".into())));
    }

    #[test]
    fn stray_content() {
        let code = |t: String| parse(&t, 64).map(|_| ()).map_err(|f| f.code);
        assert_eq!(code(env("", "<b/>x")), Err(FaultCode::DK0004));
        assert_eq!(code(env("", "&#65;<b/>")), Err(FaultCode::DK0004));
        assert_eq!(code(env("", "<![CDATA[x]]><b/>")), Err(FaultCode::DK0004));
        assert_eq!(code(env("x", "<b/>")), Err(FaultCode::DK0001));
        assert_eq!(code(env("", "<?pi?><b/>")), Err(FaultCode::DK0004));
        assert_eq!(
            code(format!("x{}", env("", "<b/>"))),
            Err(FaultCode::DK0004)
        );
        assert_eq!(
            code(format!("{}x", env("", "<b/>"))),
            Err(FaultCode::DK0004)
        );
        assert_eq!(
            code(format!("{}{}", env("", "<b/>"), env("", "<b/>"))),
            Err(FaultCode::DK0004)
        );
        assert_eq!(
            code(format!("<?xml version=\"1.1\"?>{}", env("", "<b/>"))),
            Err(FaultCode::DK0004)
        );
        // whitespace, also as character references, and comments are fine
        assert_eq!(
            code(format!(
                "<?xml version=\"1.0\"?>\n<!--c-->{}\n<!--d-->\n",
                env(" <!--h--> ", "&#32;<!--b-->\n<b/>&#10;")
            )),
            Ok(())
        );
    }

    #[test]
    fn wrap_request_round_trips() {
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<x:r xmlns:x=\"urn:x\"/>";
        let text = wrap_request(
            body,
            Operation::AanleverenInschrijvingVO,
            "0000000700099AA00000",
            osp_model::DUO_OIN,
            "6f1c2a5e-0b7d-4e7a-9a51-3c2d8e4f1a01",
        );
        let e = parse(&text, 64).unwrap();
        assert_eq!(
            e.wsa.action.as_deref(),
            Some(Operation::AanleverenInschrijvingVO.action().as_str())
        );
        assert_eq!(
            e.wsa.message_id.as_deref(),
            Some("urn:uuid:6f1c2a5e-0b7d-4e7a-9a51-3c2d8e4f1a01")
        );
        assert_eq!(e.body_local, "r");
        let resp = wrap_response("<?xml version=\"1.0\"?><r/>", None);
        assert!(resp.contains("<soap:Body><r/></soap:Body>"));
    }

    /// Declarations on the Envelope, within the guard's limit per element, are carried onto the
    /// body root: with the root's own attributes they may not exceed that limit there either.
    #[test]
    fn carried_namespace_declarations_count_against_the_body_roots_attribute_limit() {
        let env = |declarations: usize, attributes: usize| {
            let decls: String = (0..declarations)
                .map(|i| format!(" xmlns:e{i}=\"urn:e:{i}\""))
                .collect();
            let attrs: String = (0..attributes).map(|i| format!(" a{i}=\"v\"")).collect();
            EXAMPLE
                .replacen("<soapenv:Envelope", &format!("<soapenv:Envelope{decls}"), 1)
                .replacen(
                    "<ins:aanleverenInschrijvingVO_Request",
                    &format!("<ins:aanleverenInschrijvingVO_Request{attrs}"),
                    1,
                )
        };
        let refused = parse(&env(100, 200), 64).unwrap_err();
        assert_eq!(refused.code, FaultCode::DK0004);
        assert!(
            refused.omschrijving.contains("namespacedeclaraties"),
            "{}",
            refused.omschrijving
        );
        // near miss: fewer attributes on the root
        assert!(parse(&env(100, 100), 64).is_ok());
    }
}
