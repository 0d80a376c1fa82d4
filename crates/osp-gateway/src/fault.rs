//! SOAP 1.1 faults of SPEC §3: the fault codes with their exact Dutch faultstrings, and the
//! osp `fout` detail (`urn:osp:schema:fout:v1`) that tells the LAS what and where.

use std::borrow::Cow;

use osp_model::contracts::{NS_FOUT, SOAP11_NS};

use crate::xml::escape;

/// Most XSD violations listed in one fault (SPEC §3).
pub const MAX_LOCATIES: usize = 50;

/// Most characters of one piece of client input (a SOAPAction, a header value, a name) that a
/// fault quotes back (SPEC §3): enough to recognise the value, never a copy of a huge header.
pub const MAX_QUOTED_CHARS: usize = 256;

/// Most characters of any one text field of a fault (faultstring, `omschrijving`, `pad`,
/// `melding`): a backstop for texts built from parser or validator messages that quote input.
pub const MAX_TEXT_CHARS: usize = 1024;

/// Client input as a fault quotes it: at most [`MAX_QUOTED_CHARS`] characters, then `…`.
pub fn quote(input: &str) -> Cow<'_, str> {
    cap(input, MAX_QUOTED_CHARS)
}

/// `text` cut to `max` characters with an ellipsis when longer.
fn cap(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((at, _)) => Cow::Owned(format!("{}…", text.get(..at).unwrap_or_default())),
    }
}

/// A fault code of SPEC §3; each knows its SOAP faultcode prefix and faultstring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultCode {
    /// Not a SOAP 1.1 envelope.
    DK0001,
    /// DK0001 in the SOAP 1.1 `MustUnderstand` class (SOAP 1.1 §4.2.3): a header entry for osp
    /// with `mustUnderstand="1"` that osp does not process.
    MustUnderstand,
    /// Not authorised (no mandate).
    DK0002,
    /// SOAPAction missing, unknown or not agreeing with wsa:Action / body.
    DK0003,
    /// Body violates the XSDs; also malformed XML, DTD, limits.
    DK0004,
    /// wsa:To missing.
    DK0005,
    /// wsa:Action missing.
    DK0006,
    /// wsa:MessageID missing.
    DK0007,
    /// Not UTF-8.
    DK0009,
    /// Wrong value in a WS-Addressing header.
    DK0011,
    /// wsa:From missing.
    EK0020,
    /// From carries no valid OIN.
    EK0021,
    /// To carries no valid OIN.
    EK0022,
    /// MessageID is not a UUID.
    EK0023,
    /// Client certificate carries no valid OIN.
    EK0030,
    /// Internal failure.
    DK0050,
    /// Service unavailable.
    DK0051,
}

impl FaultCode {
    /// The code as text, e.g. `DK0004`.
    pub const fn code(self) -> &'static str {
        match self {
            FaultCode::DK0001 | FaultCode::MustUnderstand => "DK0001",
            FaultCode::DK0002 => "DK0002",
            FaultCode::DK0003 => "DK0003",
            FaultCode::DK0004 => "DK0004",
            FaultCode::DK0005 => "DK0005",
            FaultCode::DK0006 => "DK0006",
            FaultCode::DK0007 => "DK0007",
            FaultCode::DK0009 => "DK0009",
            FaultCode::DK0011 => "DK0011",
            FaultCode::EK0020 => "EK0020",
            FaultCode::EK0021 => "EK0021",
            FaultCode::EK0022 => "EK0022",
            FaultCode::EK0023 => "EK0023",
            FaultCode::EK0030 => "EK0030",
            FaultCode::DK0050 => "DK0050",
            FaultCode::DK0051 => "DK0051",
        }
    }

    /// The exact Dutch faultstring of SPEC §3.
    pub const fn faultstring(self) -> &'static str {
        match self {
            FaultCode::DK0001 | FaultCode::MustUnderstand => "Invalide envelope",
            FaultCode::DK0002 => "Niet geautoriseerd",
            FaultCode::DK0003 => "Invalide soap-action",
            FaultCode::DK0004 => "Niet conform XSD",
            FaultCode::DK0005 => "Wsa:To ontbreekt",
            FaultCode::DK0006 => "Wsa:Action ontbreekt",
            FaultCode::DK0007 => "Wsa:MessageID ontbreekt",
            FaultCode::DK0009 => "Niet conform UTF-8",
            FaultCode::DK0011 => "Onjuiste waarde in wsa header",
            FaultCode::EK0020 => "Wsa:From ontbreekt",
            FaultCode::EK0021 => "From bevat geen geldig OIN",
            FaultCode::EK0022 => "To bevat geen geldig OIN",
            FaultCode::EK0023 => "MessageID is geen UUID",
            FaultCode::EK0030 => "OIN in TLS-certificaat ontbreekt of is ongeldig",
            FaultCode::DK0050 => "Service-afhandeling geeft fout",
            FaultCode::DK0051 => "Service niet beschikbaar",
        }
    }

    /// SOAP 1.1 fault class: `VersionMismatch`, `Client` or `Server`.
    pub const fn class(self) -> &'static str {
        match self {
            FaultCode::DK0001 => "VersionMismatch",
            FaultCode::MustUnderstand => "MustUnderstand",
            FaultCode::DK0050 | FaultCode::DK0051 => "Server",
            _ => "Client",
        }
    }

    /// `plek` of the `fout` detail: who must act.
    pub const fn plek(self) -> &'static str {
        match self {
            FaultCode::DK0050 | FaultCode::DK0051 => "server",
            _ => "client",
        }
    }
}

/// One place in the request where something is wrong (XSD violation, parse error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locatie {
    /// 1-based line in the request envelope.
    pub regel: u32,
    /// 1-based column.
    pub kolom: u32,
    /// XPath-like path of the element, e.g. `/ins:aanleverenInschrijvingVO_Request/bas:brin`.
    pub pad: String,
    /// What is wrong there.
    pub melding: String,
}

/// A fault to answer instead of processing the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// The code (selects faultcode and faultstring).
    pub code: FaultCode,
    /// `omschrijving`: the specific reason in Dutch.
    pub omschrijving: String,
    /// Where in the request (XSD and parse errors).
    pub locaties: Vec<Locatie>,
    /// Overrides the faultstring (register's `Ongeldige waarde voor …`, DK0050).
    pub faultstring: Option<String>,
}

impl Fault {
    /// A fault with a description and no locations.
    pub fn new(code: FaultCode, omschrijving: impl Into<String>) -> Fault {
        Fault {
            code,
            omschrijving: omschrijving.into(),
            locaties: Vec::new(),
            faultstring: None,
        }
    }

    /// Adds locations (capped at [`MAX_LOCATIES`]). Validator and parser messages quote the
    /// offending value between apostrophes; each such piece is cut like [`quote`] so the
    /// explanation after a huge value survives the cap on the whole text.
    pub fn with_locaties(mut self, mut locaties: Vec<Locatie>) -> Fault {
        locaties.truncate(MAX_LOCATIES);
        for l in &mut locaties {
            if l.melding.chars().count() > MAX_QUOTED_CHARS {
                l.melding = l
                    .melding
                    .split('\'')
                    .map(quote)
                    .collect::<Vec<_>>()
                    .join("'");
            }
        }
        self.locaties = locaties;
        self
    }

    /// The faultstring actually sent.
    pub fn faultstring(&self) -> &str {
        self.faultstring
            .as_deref()
            .unwrap_or(self.code.faultstring())
    }

    /// HTTP status: 413 for an oversized body, else 500 as SOAP 1.1 requires for faults.
    pub fn http_status(&self, oversized: bool) -> u16 {
        if oversized {
            413
        } else {
            500
        }
    }

    /// The SOAP `Fault` element (without envelope).
    pub fn to_xml(&self) -> String {
        let mut s = String::with_capacity(512);
        s.push_str("<soap:Fault><faultcode>soap:");
        s.push_str(self.code.class());
        s.push('.');
        s.push_str(self.code.code());
        s.push_str("</faultcode><faultstring>");
        s.push_str(&escape(&cap(self.faultstring(), MAX_TEXT_CHARS)));
        s.push_str("</faultstring><detail><fout:fout xmlns:fout=\"");
        s.push_str(NS_FOUT);
        s.push_str("\"><fout:code>");
        s.push_str(self.code.code());
        s.push_str("</fout:code><fout:plek>");
        s.push_str(self.code.plek());
        s.push_str("</fout:plek><fout:omschrijving>");
        s.push_str(&escape(&cap(&self.omschrijving, MAX_TEXT_CHARS)));
        s.push_str("</fout:omschrijving>");
        for l in &self.locaties {
            s.push_str(&format!(
                "<fout:locatie><fout:regel>{}</fout:regel><fout:kolom>{}</fout:kolom><fout:pad>{}</fout:pad><fout:melding>{}</fout:melding></fout:locatie>",
                l.regel,
                l.kolom,
                escape(&cap(&l.pad, MAX_TEXT_CHARS)),
                escape(&cap(&l.melding, MAX_TEXT_CHARS))
            ));
        }
        s.push_str("</fout:fout></detail></soap:Fault>");
        s
    }

    /// A complete fault envelope without addressing headers.
    pub fn to_envelope(&self) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soap:Envelope xmlns:soap=\"{SOAP11_NS}\"><soap:Body>{}</soap:Body></soap:Envelope>",
            self.to_xml()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faultcode_and_detail() {
        let f = Fault::new(FaultCode::DK0004, "a < b").with_locaties(vec![Locatie {
            regel: 3,
            kolom: 7,
            pad: "/a:x/b:y".into(),
            melding: "fout & zo".into(),
        }]);
        let xml = f.to_envelope();
        assert!(xml.contains("<faultcode>soap:Client.DK0004</faultcode>"));
        assert!(xml.contains("<faultstring>Niet conform XSD</faultstring>"));
        assert!(xml.contains("<fout:omschrijving>a &lt; b</fout:omschrijving>"));
        assert!(xml.contains("<fout:regel>3</fout:regel><fout:kolom>7</fout:kolom><fout:pad>/a:x/b:y</fout:pad><fout:melding>fout &amp; zo</fout:melding>"));
        assert_eq!(FaultCode::DK0001.class(), "VersionMismatch");
        assert_eq!(FaultCode::DK0051.class(), "Server");
        assert_eq!(FaultCode::DK0051.plek(), "server");
        assert_eq!(f.http_status(true), 413);
    }

    #[test]
    fn quoted_input_and_texts_are_capped() {
        assert_eq!(quote("kort"), "kort");
        let exact = "é".repeat(MAX_QUOTED_CHARS);
        assert_eq!(quote(&exact), exact.as_str());
        let long = "é".repeat(MAX_QUOTED_CHARS + 1);
        let q = quote(&long);
        assert_eq!(q.chars().count(), MAX_QUOTED_CHARS + 1);
        assert!(q.ends_with("é…"));
        let huge = "x".repeat(100_000);
        let mut f = Fault::new(FaultCode::DK0003, huge.clone()).with_locaties(vec![Locatie {
            regel: 1,
            kolom: 1,
            pad: huge.clone(),
            melding: huge.clone(),
        }]);
        f.faultstring = Some(huge);
        let xml = f.to_xml();
        assert!(xml.len() < 4 * (MAX_TEXT_CHARS + 10) + 600, "{}", xml.len());
        assert_eq!(xml.matches('…').count(), 4);
    }

    #[test]
    fn values_quoted_in_a_melding_are_capped() {
        let value = "x".repeat(100_000);
        let melding = format!("Element 'brin': The value '{value}' is not accepted by the pattern '[0-9]{{2}}[A-Z]{{2}}'.");
        let l = Locatie {
            regel: 1,
            kolom: 1,
            pad: String::new(),
            melding,
        };
        let f = Fault::new(FaultCode::DK0004, "x").with_locaties(vec![l.clone()]);
        let shown = format!(
            "'{}…' is not accepted by the pattern '[0-9]{{2}}[A-Z]{{2}}'.",
            "x".repeat(MAX_QUOTED_CHARS)
        );
        assert!(
            f.locaties[0].melding.ends_with(&shown),
            "{}",
            f.locaties[0].melding
        );
        assert!(f.locaties[0]
            .melding
            .starts_with("Element 'brin': The value '"));
        // a short melding stays exactly as it was
        let short = Locatie {
            melding: "Element 'brin': The value '99aa' is not accepted".into(),
            ..l
        };
        let f = Fault::new(FaultCode::DK0004, "x").with_locaties(vec![short.clone()]);
        assert_eq!(f.locaties[0], short);
    }

    #[test]
    fn must_understand_is_dk0001_in_its_own_class() {
        let xml = Fault::new(FaultCode::MustUnderstand, "x").to_xml();
        assert!(xml.contains("<faultcode>soap:MustUnderstand.DK0001</faultcode>"));
        assert!(xml.contains("<faultstring>Invalide envelope</faultstring>"));
        assert!(xml.contains("<fout:code>DK0001</fout:code><fout:plek>client</fout:plek>"));
    }

    #[test]
    fn locaties_are_capped() {
        let l = Locatie {
            regel: 1,
            kolom: 1,
            pad: String::new(),
            melding: String::new(),
        };
        let f = Fault::new(FaultCode::DK0004, "x").with_locaties(vec![l; 80]);
        assert_eq!(f.locaties.len(), MAX_LOCATIES);
    }
}
