//! Realistic `aanleverenInschrijvingVO` stands (2–4 KB, 2–4 contiguous periods) for school 99AA
//! of the dev reference data, distinct per person and volgnummer, that the register approves.

use osp_model::{Operation, DUO_OIN};

/// One generated stand's variable parts.
#[derive(Debug, Clone)]
pub struct StandSpec<'a> {
    /// BSN of a proef-BRP person.
    pub bsn: &'a str,
    /// The school's inschrijvingvolgnummer (unique per benchmark message).
    pub volgnummer: &'a str,
    /// `identificatiecodeBedrijfsdocument` (unique per message).
    pub identificatiecode: &'a str,
    /// `datumTijdBedrijfsdocument`; a later value makes a re-delivery a newer stand (rule 0002).
    pub datum_tijd: &'a str,
    /// Number of periods, 2 to 4.
    pub perioden: usize,
    /// Varies vestiging, opleiding and leerjaar so bodies are not all alike.
    pub variant: usize,
}

/// Begin dates of the periods: contiguous within the 2025/2026 inschrijving; the first is the
/// datumInschrijving (rule 0204).
const BEGIN: [&str; 4] = ["2025-08-01", "2025-11-01", "2026-02-01", "2026-05-01"];
/// (vestiging, onderwijslocatie) pairs of school 99AA.
const VESTIGINGEN: [(&str, &str); 2] = [("99AA00", "100X001"), ("99AA01", "100X002")];
/// VO opleidingcodes valid in the dev codetabel.
const OPLEIDINGEN: [&str; 4] = ["2901", "2902", "2903", "2904"];

/// The request body (standalone document with XML declaration), like a LAS sends it.
pub fn inschrijving(s: &StandSpec<'_>) -> String {
    let mut b = String::with_capacity(4096);
    b.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ins:aanleverenInschrijvingVO_Request xmlns:ins=\"http://duo.nl/schema/DUO_VOAanlevering_InschrijvingVO_V1\" xmlns:bas=\"http://duo.nl/schema/DUO_VOBasisschema_Inschrijving_V1\">\n");
    let kop = format!(
        "  <bas:identificatiecodeBedrijfsdocument>{}</bas:identificatiecodeBedrijfsdocument>\n  <bas:verzendendeInstantie>99AA</bas:verzendendeInstantie>\n  <bas:ontvangendeInstantie>DUO</bas:ontvangendeInstantie>\n  <bas:datumTijdBedrijfsdocument>{}</bas:datumTijdBedrijfsdocument>\n  <bas:burgerservicenummer>{}</bas:burgerservicenummer>\n  <bas:brin>99AA</bas:brin>\n  <bas:inschrijvingvolgnummer>{}</bas:inschrijvingvolgnummer>\n  <bas:datumInschrijving>2025-08-01</bas:datumInschrijving>\n  <bas:datumUitschrijving>2026-07-31</bas:datumUitschrijving>\n",
        s.identificatiecode, s.datum_tijd, s.bsn, s.volgnummer
    );
    b.push_str(&kop);
    let n = s.perioden.clamp(2, 4);
    for (i, begin) in BEGIN.iter().take(n).enumerate() {
        let (vestiging, locatie) = VESTIGINGEN[(s.variant + i) % VESTIGINGEN.len()];
        let opleiding = OPLEIDINGEN[(s.variant + i) % OPLEIDINGEN.len()];
        let leerjaar = 1 + (s.variant % 4) + usize::from(i >= 2);
        let experiment = if (s.variant + i) % 3 == 0 {
            "    <ins:experiment>\n      <ins:naam>VERRIJKT_PROGRAMMA_VWO</ins:naam>\n    </ins:experiment>\n"
        } else {
            ""
        };
        b.push_str(&format!(
            "  <ins:inschrijvingPeriodeVO>\n    <bas:datumBegin>{begin}</bas:datumBegin>\n    <bas:onderwijsaanbieder>100A001</bas:onderwijsaanbieder>\n    <bas:onderwijslocatie>{locatie}</bas:onderwijslocatie>\n    <bas:opleidingcode>{opleiding}</bas:opleidingcode>\n    <bas:aanvullendeOpleiding>\n      <bas:opleidingcode>1900</bas:opleidingcode>\n    </bas:aanvullendeOpleiding>\n    <ins:vestiging>{vestiging}</ins:vestiging>\n    <ins:leerjaar>{leerjaar}</ins:leerjaar>\n    <ins:indicatieBekostigbaar>true</ins:indicatieBekostigbaar>\n{experiment}    <ins:indicatieNieuwkomersbekostiging>false</ins:indicatieNieuwkomersbekostiging>\n  </ins:inschrijvingPeriodeVO>\n"
        ));
    }
    b.push_str("  <ins:ontwikkelingsperspectief>\n    <ins:datumBegin>2025-08-01</ins:datumBegin>\n    <ins:datumEind>2026-07-31</ins:datumEind>\n  </ins:ontwikkelingsperspectief>\n");
    if s.variant % 2 == 0 {
        b.push_str("  <ins:verblijfAndereInstelling>\n    <ins:datumBegin>2026-01-05</ins:datumBegin>\n    <ins:datumEind>2026-03-31</ins:datumEind>\n    <ins:brin>99VV</ins:brin>\n    <ins:vestiging>99VV00</ins:vestiging>\n    <ins:verblijfsoort>VAVO</ins:verblijfsoort>\n  </ins:verblijfAndereInstelling>\n");
    }
    b.push_str("</ins:aanleverenInschrijvingVO_Request>\n");
    b
}

/// The body wrapped in a SOAP 1.1 envelope with WS-Addressing, as the gateway expects it.
pub fn envelope(body: &str, message_id: &str) -> String {
    osp_gateway::wrap_request(
        body,
        Operation::AanleverenInschrijvingVO,
        crate::AFZENDER_OIN,
        DUO_OIN,
        message_id,
    )
}

/// A message id / identificatiecode that is unique per (run, index) without a random source.
pub fn uuid(run: u32, index: u64) -> String {
    format!(
        "{run:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        (index >> 48) & 0xffff,
        (index >> 36) & 0xfff,
        (index >> 24) & 0xfff,
        index & 0xffff_ffff_ffff
    )
}

/// Whether a response envelope reports an approved delivery.
pub fn goedgekeurd(response: &[u8]) -> bool {
    const NEEDLE: &[u8] = b"leveringGoedgekeurd>true<";
    response.windows(NEEDLE.len()).any(|w| w == NEEDLE)
}

/// SOAPAction of the operation every generated message uses.
pub fn soap_action() -> String {
    Operation::AanleverenInschrijvingVO.action()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(i: usize, bsn: &str) -> (String, String, String) {
        (bsn.to_string(), format!("B-{i}"), uuid(7, i as u64))
    }

    #[test]
    fn bodies_are_2_to_4_kb_with_2_to_4_periods_and_valid() {
        let v = osp_model::Validator::new().unwrap();
        for i in 0..12 {
            let (bsn, vn, id) = spec(i, "999991015");
            let body = inschrijving(&StandSpec {
                bsn: &bsn,
                volgnummer: &vn,
                identificatiecode: &id,
                datum_tijd: "2025-09-15T09:30:00+02:00",
                perioden: 2 + i % 3,
                variant: i,
            });
            assert!((2000..=4200).contains(&body.len()), "{} bytes", body.len());
            assert_eq!(
                body.matches("<ins:inschrijvingPeriodeVO>").count(),
                2 + i % 3
            );
            v.validate(osp_model::Contract::InschrijvingVO, &body)
                .unwrap();
        }
    }

    #[test]
    fn uuids_are_distinct_and_well_formed() {
        let a = uuid(1, 0);
        let b = uuid(1, 1);
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_ne!(uuid(2, 0), a);
    }

    #[test]
    fn goedgekeurd_detects_the_element() {
        assert!(goedgekeurd(
            b"<tk:leveringGoedgekeurd>true</tk:leveringGoedgekeurd>"
        ));
        assert!(!goedgekeurd(
            b"<tk:leveringGoedgekeurd>false</tk:leveringGoedgekeurd>"
        ));
    }
}
