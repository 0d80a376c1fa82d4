//! WS-Addressing checks of SPEC §2 in DUO's order (To, Action, MessageID, From), turning the raw
//! header values into checked addressing or the matching Edukoppeling fault.

use osp_pki::Oin;

use crate::envelope::WsaHeaders;
use crate::fault::{quote, Fault, FaultCode};

/// Longest `wsa:From/Address` accepted. The address comes back as the answer's `wsa:To`, the one
/// piece of client input an answer repeats whole; an OIN address is under 100 characters.
pub const MAX_FROM_ADDRESS_CHARS: usize = 1024;

/// Checked request addressing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addressing {
    /// `wsa:To` as received.
    pub to: String,
    /// `wsa:Action`.
    pub action: String,
    /// `wsa:MessageID` as received (`urn:uuid:…` or bare UUID).
    pub message_id: String,
    /// `wsa:From/Address` as received (the response's `To`).
    pub from_address: String,
    /// OIN in the From address: the administratie acted for.
    pub from_oin: Oin,
}

/// Checks the headers; `duo_oin` is the OIN `To` must carry.
pub fn check(h: &WsaHeaders, duo_oin: &str) -> Result<Addressing, Fault> {
    if let Some(name) = &h.duplicate {
        return Err(Fault::new(
            FaultCode::DK0011,
            format!("wsa:{name} komt meer dan eens voor"),
        ));
    }
    if let Some(why) = &h.invalid {
        return Err(Fault::new(FaultCode::DK0011, why.clone()));
    }
    let to = present(&h.to).ok_or_else(|| Fault::new(FaultCode::DK0005, "wsa:To ontbreekt"))?;
    let to_oin = oin_in_address(to).ok_or_else(|| {
        Fault::new(
            FaultCode::EK0022,
            format!("wsa:To bevat geen geldig OIN: {}", quote(to)),
        )
    })?;
    if to_oin.as_str() != duo_oin {
        return Err(Fault::new(
            FaultCode::DK0011,
            format!("wsa:To moet het OIN van DUO ({duo_oin}) bevatten, niet {to_oin}"),
        ));
    }
    let action =
        present(&h.action).ok_or_else(|| Fault::new(FaultCode::DK0006, "wsa:Action ontbreekt"))?;
    let message_id = present(&h.message_id)
        .ok_or_else(|| Fault::new(FaultCode::DK0007, "wsa:MessageID ontbreekt"))?;
    if !is_message_uuid(message_id) {
        return Err(Fault::new(
            FaultCode::EK0023,
            format!(
                "wsa:MessageID is geen urn:uuid of UUID: {}",
                quote(message_id)
            ),
        ));
    }
    let from = match &h.from {
        None => return Err(Fault::new(FaultCode::EK0020, "wsa:From ontbreekt")),
        Some(addr) => present(addr).ok_or_else(|| {
            Fault::new(FaultCode::EK0021, "wsa:From bevat geen wsa:Address met OIN")
        })?,
    };
    if from.chars().count() > MAX_FROM_ADDRESS_CHARS {
        return Err(Fault::new(
            FaultCode::DK0011,
            format!(
                "wsa:From/Address is langer dan {MAX_FROM_ADDRESS_CHARS} tekens: {}",
                quote(from)
            ),
        ));
    }
    let from_oin = oin_in_address(from).ok_or_else(|| {
        Fault::new(
            FaultCode::EK0021,
            format!("wsa:From bevat geen geldig OIN: {}", quote(from)),
        )
    })?;
    Ok(Addressing {
        to: to.to_string(),
        action: action.to_string(),
        message_id: message_id.to_string(),
        from_address: from.to_string(),
        from_oin,
    })
}

fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The OIN of an address `…?oin=<OIN>` (the `oin` query parameter; other parameters allowed).
pub fn oin_in_address(address: &str) -> Option<Oin> {
    let (_, query) = address.split_once('?')?;
    let query = query.split('#').next().unwrap_or(query);
    let mut found = query.split('&').filter_map(|kv| kv.strip_prefix("oin="));
    let value = found.next()?;
    if found.next().is_some() {
        return None;
    }
    Oin::parse(value).ok()
}

/// `urn:uuid:` + UUID or a bare UUID in the 8-4-4-4-12 hexadecimal form.
pub fn is_message_uuid(id: &str) -> bool {
    let uuid = id.strip_prefix("urn:uuid:").unwrap_or(id);
    let groups: Vec<&str> = uuid.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The address that carries an OIN, as DUO writes it.
pub fn address_for(oin: &str) -> String {
    format!("{}?oin={oin}", osp_model::contracts::WSA_ANONYMOUS)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUO: &str = "00000001800866472000";

    fn headers() -> WsaHeaders {
        WsaHeaders {
            to: Some(address_for(DUO)),
            action: Some("http://duo.nl/contract/X/y".into()),
            message_id: Some("urn:uuid:6f1c2a5e-0b7d-4e7a-9a51-3c2d8e4f1a01".into()),
            from: Some(Some(address_for("0000000700099AA00000"))),
            duplicate: None,
            invalid: None,
        }
    }

    fn code(h: WsaHeaders) -> FaultCode {
        check(&h, DUO).unwrap_err().code
    }

    #[test]
    fn accepts_valid_and_bare_uuid() {
        let a = check(&headers(), DUO).unwrap();
        assert_eq!(a.from_oin.as_str(), "0000000700099AA00000");
        let mut h = headers();
        h.message_id = Some("6F1C2A5E-0B7D-4E7A-9A51-3C2D8E4F1A01".into());
        assert!(check(&h, DUO).is_ok());
    }

    #[test]
    fn each_fault_in_order() {
        let mut h = headers();
        h.to = None;
        assert_eq!(code(h), FaultCode::DK0005);
        let mut h = headers();
        h.to = Some("  ".into());
        assert_eq!(code(h), FaultCode::DK0005);
        let mut h = headers();
        h.to = Some("http://www.w3.org/2005/08/addressing/anonymous".into());
        assert_eq!(code(h), FaultCode::EK0022);
        let mut h = headers();
        h.to = Some(address_for("0000000700099AA00000"));
        assert_eq!(code(h), FaultCode::DK0011);
        let mut h = headers();
        h.action = None;
        assert_eq!(code(h), FaultCode::DK0006);
        let mut h = headers();
        h.message_id = None;
        assert_eq!(code(h), FaultCode::DK0007);
        let mut h = headers();
        h.message_id = Some("urn:uuid:not-a-uuid".into());
        assert_eq!(code(h), FaultCode::EK0023);
        let mut h = headers();
        h.from = None;
        assert_eq!(code(h), FaultCode::EK0020);
        let mut h = headers();
        h.from = Some(None);
        assert_eq!(code(h), FaultCode::EK0021);
        let mut h = headers();
        h.from = Some(Some(address_for("12345")));
        assert_eq!(code(h), FaultCode::EK0021);
        let mut h = headers();
        h.duplicate = Some("To".into());
        assert_eq!(code(h), FaultCode::DK0011);
        let mut h = headers();
        h.invalid = Some("wsa:To mag alleen tekst bevatten".into());
        assert_eq!(code(h), FaultCode::DK0011);
        // a duplicate is reported before a missing header
        let mut h = headers();
        h.duplicate = Some("From/Address".into());
        h.to = None;
        assert_eq!(code(h), FaultCode::DK0011);
        let long = |n: usize| {
            format!(
                "{}?pad={}&oin=0000000700099AA00000",
                osp_model::contracts::WSA_ANONYMOUS,
                "p".repeat(n)
            )
        };
        let mut h = headers();
        let edge = long(0).len();
        h.from = Some(Some(long(MAX_FROM_ADDRESS_CHARS + 1 - edge)));
        assert_eq!(code(h), FaultCode::DK0011);
        let mut h = headers();
        h.from = Some(Some(long(MAX_FROM_ADDRESS_CHARS - edge)));
        assert!(check(&h, DUO).is_ok());
        // To is checked before From
        let mut h = headers();
        h.to = None;
        h.from = None;
        assert_eq!(code(h), FaultCode::DK0005);
    }

    #[test]
    fn addresses_and_uuids() {
        assert_eq!(
            oin_in_address("https://x/?a=1&oin=00000001800866472000")
                .unwrap()
                .as_str(),
            DUO
        );
        assert!(oin_in_address("https://x/?oin=1&oin=2").is_none());
        assert!(oin_in_address("https://x/oin=00000001800866472000").is_none());
        assert!(is_message_uuid(
            "urn:uuid:00000000-0000-0000-0000-000000000000"
        ));
        assert!(!is_message_uuid("urn:uuid:0000000000000000000000000000000"));
        assert!(!is_message_uuid(
            "uuid:6f1c2a5e-0b7d-4e7a-9a51-3c2d8e4f1a01"
        ));
        assert!(!is_message_uuid("6f1c2a5e-0b7d-4e7a-9a51-3c2d8e4f1a0g"));
    }
}
