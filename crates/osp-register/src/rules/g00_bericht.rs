//! RULES.md group 00 — message level (AFKEURING): identificatiecode reuse and stale stands.

use chrono::{DateTime, SecondsFormat, Utc};

use super::Regel;
use crate::domain::{Bedrijfsdocument, Foutmelding};

/// 0001: same identificatiecode, different body (identical body ⇒ stored answer, no foutmelding).
pub const R0001: Regel = Regel::afkeuring(
    "0001",
    "Identificatiecode bedrijfsdocument is al gebruikt voor een ander bericht",
);
/// 0002: datumTijdBedrijfsdocument older than that of the stored stand of this key.
pub const R0002: Regel = Regel::afkeuring(
    "0002",
    "Bericht bevat een oudere stand dan de geregistreerde stand",
);

/// The rules of this group.
pub const REGELS: &[Regel] = &[R0001, R0002];

/// 0001 for a delivery whose identificatiecode was used before with a body of another hash.
pub fn hergebruikte_identificatiecode(
    kop: &Bedrijfsdocument,
    opgeslagen_hash: &str,
    body_hash: &str,
) -> Option<Foutmelding> {
    (opgeslagen_hash != body_hash)
        .then(|| R0001.fout(&[("identificatiecode", &kop.identificatiecode)]))
}

/// 0002 when the delivery is older than the stored stand of its key.
pub fn oudere_stand(
    kop: &Bedrijfsdocument,
    opgeslagen: Option<DateTime<Utc>>,
) -> Option<Foutmelding> {
    let opgeslagen = opgeslagen?;
    (kop.datum_tijd < opgeslagen).then(|| {
        R0002.fout(&[(
            "datumTijdBedrijfsdocument",
            &kop.datum_tijd.to_rfc3339_opts(SecondsFormat::Secs, true),
        )])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::bericht::parse_datum_tijd;

    fn kop(t: &str) -> Bedrijfsdocument {
        Bedrijfsdocument {
            identificatiecode: "0d9b7c3e-51a2-4c4f-8e0b-2f6a9d1c7b10".into(),
            verzendende_instantie: "99AA".into(),
            ontvangende_instantie: "DUO".into(),
            datum_tijd: parse_datum_tijd(t).unwrap(),
        }
    }

    #[test]
    fn r0001_other_body_same_id() {
        let f = hergebruikte_identificatiecode(&kop("2025-09-01T08:00:00Z"), "aa", "bb").unwrap();
        assert_eq!(f.foutcode, "0001");
        // `identificatiecodeBedrijfsdocument` is 33 characters; osp names the key by its short form.
        assert_eq!(f.sleutelgegevens[0].sleutelnaam, "identificatiecode");
        // A UUID is 36 characters: DUO's shortening keeps 11 + "..." + 11.
        assert_eq!(
            f.sleutelgegevens[0].sleutelwaarde,
            "0d9b7c3e-51...f6a9d1c7b10"
        );
        // near miss: identical body
        assert!(hergebruikte_identificatiecode(&kop("2025-09-01T08:00:00Z"), "aa", "aa").is_none());
    }

    #[test]
    fn r0002_older_than_stored() {
        let stored = parse_datum_tijd("2025-09-01T08:00:00Z");
        let f = oudere_stand(&kop("2025-09-01T07:59:59Z"), stored).unwrap();
        assert_eq!(f.foutcode, "0002");
        assert_eq!(f.sleutelgegevens[0].sleutelwaarde, "2025-09-01T07:59:59Z");
        // near misses: same moment, newer, nothing stored
        assert!(oudere_stand(&kop("2025-09-01T08:00:00Z"), stored).is_none());
        assert!(oudere_stand(&kop("2025-09-01T10:00:00+02:00"), stored).is_none());
        assert!(oudere_stand(&kop("2025-09-01T09:00:00Z"), stored).is_none());
        assert!(oudere_stand(&kop("2000-01-01T00:00:00Z"), None).is_none());
    }
}
