//! Turns a request file into what goes on the wire: the envelope bytes, the SOAPAction header and
//! the certificate to present. Shared by `osp send` and both replay targets so a step sends
//! exactly what `osp send` would.

use crate::canon;
use osp_model::{Operation, DUO_OIN};
use std::path::{Path, PathBuf};

/// Sender used when a step or `osp send` names none: 99AA's administratie (TESTDATA.md).
pub const DEFAULT_SENDER: &str = "0000000700099AA00000";

/// Why a request file cannot be sent.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RequestError {
    /// A bare body whose root element is no request of any contract: there is no action to put
    /// in the headers, so the file must be a whole envelope instead.
    #[error("root element is no known request ({0}); send a whole envelope to test this")]
    UnknownRoot(String),
}

/// A request ready for the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// Envelope bytes.
    pub envelope: Vec<u8>,
    /// SOAPAction header value, unquoted; `None` sends no header.
    pub soap_action: Option<String>,
}

/// The PEM and key of the identity presenting a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identity {
    /// Certificate chain (leaf + intermediate).
    pub cert: PathBuf,
    /// Private key.
    pub key: PathBuf,
}

impl Identity {
    /// `certs/clients/{oin}.pem`, or a stem like `negative/bad-oin` relative to `certs`.
    pub fn resolve(certs: &Path, as_oin: Option<&str>, cert_stem: Option<&str>) -> Identity {
        let stem = match cert_stem {
            Some(s) => certs.join(s),
            None => certs.join("clients").join(as_oin.unwrap_or(DEFAULT_SENDER)),
        };
        Identity {
            cert: stem.with_extension("pem"),
            key: stem.with_extension("key"),
        }
    }
}

/// The action named in an envelope's `wsa:Action`, if any.
fn envelope_action(raw: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(raw).ok()?;
    let node = canon::parse(text, None).ok()?;
    let header = node.children.iter().find(|c| c.local == "Header")?;
    header
        .children
        .iter()
        .find(|c| c.local == "Action")
        .map(|a| a.text.clone())
}

/// Builds the wire form of a request file. A whole envelope goes out unchanged with its own
/// `wsa:Action` as SOAPAction; a bare body is wrapped with To = DUO's OIN, From = `from_oin`, a
/// fresh MessageID and the action of its root element. `soap_action` overrides the header
/// (`Some("")` sends none).
pub fn prepare(
    raw: &[u8],
    from_oin: &str,
    soap_action: Option<&str>,
) -> Result<Prepared, RequestError> {
    let (is_envelope, operation) = crate::runner::classify(raw);
    let override_action = soap_action.map(|a| {
        if a.is_empty() {
            None
        } else {
            Some(a.to_string())
        }
    });
    if is_envelope {
        return Ok(Prepared {
            envelope: raw.to_vec(),
            soap_action: override_action.unwrap_or_else(|| envelope_action(raw)),
        });
    }
    let text = String::from_utf8_lossy(raw);
    let operation: Operation = match operation {
        Some(op) => op,
        None => {
            let root = canon::parse(&text, None)
                .map(|n| format!("{{{}}}{}", n.ns, n.local))
                .unwrap_or_default();
            return Err(RequestError::UnknownRoot(root));
        }
    };
    let message_id = format!("urn:uuid:{}", uuid::Uuid::new_v4());
    let envelope = osp_gateway::wrap_request(&text, operation, from_oin, DUO_OIN, &message_id);
    Ok(Prepared {
        envelope: envelope.into_bytes(),
        soap_action: override_action.unwrap_or_else(|| Some(operation.action())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "<?xml version=\"1.0\"?><i:ophalenBerichtenVO_Request xmlns:i=\"http://duo.nl/schema/DUO_VOInformatiediensten_OphalenBerichtenVO_V1\"/>";

    #[test]
    fn wraps_bodies_with_addressing() {
        let p = prepare(BODY.as_bytes(), "0000000700099BB00000", None).unwrap();
        let env = String::from_utf8(p.envelope).unwrap();
        let action = Operation::OphalenBerichtenVO.action();
        assert_eq!(p.soap_action.as_deref(), Some(action.as_str()));
        assert!(env.contains("?oin=0000000700099BB00000"));
        assert!(env.contains(&format!("?oin={DUO_OIN}")));
        assert_eq!(envelope_action(env.as_bytes()), Some(action));
    }

    #[test]
    fn envelopes_go_out_unchanged_and_overrides_apply() {
        let env = osp_gateway::wrap_request(
            BODY,
            Operation::OphalenBerichtenVO,
            "X",
            DUO_OIN,
            "urn:uuid:1",
        );
        let p = prepare(env.as_bytes(), "ignored", None).unwrap();
        assert_eq!(p.envelope, env.as_bytes());
        assert_eq!(p.soap_action, Some(Operation::OphalenBerichtenVO.action()));
        assert_eq!(
            prepare(env.as_bytes(), "x", Some("")).unwrap().soap_action,
            None
        );
        assert_eq!(
            prepare(env.as_bytes(), "x", Some("urn:a"))
                .unwrap()
                .soap_action
                .as_deref(),
            Some("urn:a")
        );
        assert!(matches!(
            prepare(b"<x xmlns=\"urn:y\"/>", "x", None),
            Err(RequestError::UnknownRoot(_))
        ));
    }

    #[test]
    fn identities() {
        let id = Identity::resolve(Path::new("c"), Some("0000000700099BB00000"), None);
        assert_eq!(id.cert, Path::new("c/clients/0000000700099BB00000.pem"));
        let id = Identity::resolve(Path::new("c"), Some("x"), Some("negative/bad-oin"));
        assert_eq!(id.key, Path::new("c/negative/bad-oin.key"));
    }
}
