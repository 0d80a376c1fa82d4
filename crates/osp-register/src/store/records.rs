//! The register's key layout and stored records. One tree; every key starts with the sandbox name
//! so sandboxes are isolated key spaces and a reset is one prefix delete. Parts are separated by
//! NUL so a prefix never matches a longer sibling (`2025-1` vs `2025-10`).
//!
//! | kind | key parts | value |
//! |---|---|---|
//! | `i`  | pgn, brin, inschrijvingvolgnummer | current [`StandRecord<Inschrijving>`] |
//! | `ih` | pgn, brin, inschrijvingvolgnummer, stand nr (10 digits) | superseded stands and removals |
//! | `e`  | pgn, brin, examenresultaatvolgnummer | current [`StandRecord<Examenresultaat>`] |
//! | `eh` | pgn, brin, examenresultaatvolgnummer, stand nr | superseded stands and removals |
//! | `own`| onderwijsnummer | [`Persoon`] registered by identificatie |
//! | `pn` | normalised achternaam, onderwijsnummer | empty: identificatie search index |
//! | `id` | From OIN, identificatiecodeBedrijfsdocument | [`Antwoord`] (idempotency) |
//! | `ob` | recipient OIN, outbox id (20 digits) | [`OutboxBericht`] |
//!
//! A key's history is its `ih`/`eh` rows plus the current stand: the current stand is stored once
//! and moves to history when a newer stand or a removal supersedes it (data dirs of osp before
//! this layout also hold the current stand in history; readers take each stand number once).
//! Values are [`encode`]d binary records, LZ4-compressed against a fixed dictionary.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::StoreError;
#[cfg(doc)]
use crate::domain::Antwoord;
use crate::domain::{Persoon, Pgn};

/// The two key kinds of a stand-based record: its current stand and its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standsoort {
    /// Kind of the current stand (`i`, `e`).
    pub huidig: &'static str,
    /// Kind of the superseded stands and removals (`ih`, `eh`).
    pub historie: &'static str,
}

/// Inschrijvingen: `i` + `ih`.
pub const INSCHRIJVING: Standsoort = Standsoort {
    huidig: "i",
    historie: "ih",
};

/// Examenresultaten: `e` + `eh`.
pub const EXAMENRESULTAAT: Standsoort = Standsoort {
    huidig: "e",
    historie: "eh",
};

/// Separator between key parts.
const SEP: u8 = 0;

/// Builds `sandbox NUL kind NUL part NUL part …`.
pub fn key(sandbox: &str, kind: &str, parts: &[&str]) -> Vec<u8> {
    let mut k = Vec::with_capacity(64);
    k.extend_from_slice(sandbox.as_bytes());
    k.push(SEP);
    k.extend_from_slice(kind.as_bytes());
    for p in parts {
        k.push(SEP);
        k.extend_from_slice(p.as_bytes());
    }
    k
}

/// A prefix that matches exactly the keys that extend `key(sandbox, kind, parts)` by more parts.
pub fn prefix(sandbox: &str, kind: &str, parts: &[&str]) -> Vec<u8> {
    let mut k = key(sandbox, kind, parts);
    k.push(SEP);
    k
}

/// Prefix of a whole sandbox.
pub fn sandbox_prefix(sandbox: &str) -> Vec<u8> {
    let mut k = sandbox.as_bytes().to_vec();
    k.push(SEP);
    k
}

/// Stand numbers as fixed-width decimals so key order is numeric order.
pub fn stand_part(volgnummer: u32) -> String {
    format!("{volgnummer:010}")
}

/// Outbox ids as fixed-width decimals.
pub fn outbox_part(id: u64) -> String {
    format!("{id:020}")
}

/// First byte of a binary record (postcard). JSON (the format before it) never starts with it,
/// so data dirs written by an older osp stay readable.
const BINAIR: u8 = 0x01;

/// First byte of a compressed binary record: u32 LE length of the postcard bytes, then an LZ4
/// block compressed against [`WOORDENBOEK`].
const GECOMPRIMEERD: u8 = 0x02;

/// The LZ4 dictionary of [`GECOMPRIMEERD`] records: one stand, one idempotency answer and one
/// outbox bekostigingsbericht as osp stores them. Records of a kind repeat most of their bytes
/// (namespaces, element names, OINs, codes), so against this dictionary a stand shrinks ≈3×, an
/// outbox message ≈7× (≈1,000 → ≈140 bytes), and sled copies that much less on every node
/// rewrite. **Never change these bytes**: stored records decode only with them (a better
/// dictionary needs a new first byte).
const WOORDENBOEK: &[u8] = include_bytes!("records.dict");

/// Largest decompressed record accepted (a stored value is far smaller; guards a corrupt length).
const MAX_RECORD: usize = 64 * 1024 * 1024;

/// Encodes a record: [`GECOMPRIMEERD`] + LZ4 against [`WOORDENBOEK`] of the postcard bytes.
/// Binary, not JSON: the profile of the full pipeline showed JSON encoding, its escaped XML and
/// the larger values sled copies on every node rewrite among the largest costs (bench/profile.md). The
/// admin API renders records as JSON for reading.
pub fn encode<T: Serialize>(t: &T) -> Result<Vec<u8>, StoreError> {
    let ruw = postcard::to_stdvec(t).map_err(|e| StoreError::Engine(format!("encode: {e}")))?;
    let lengte = u32::try_from(ruw.len())
        .map_err(|_| StoreError::Engine(format!("encode: record van {} bytes", ruw.len())))?;
    let mut out = Vec::with_capacity(5 + ruw.len() / 2);
    out.push(GECOMPRIMEERD);
    out.extend_from_slice(&lengte.to_le_bytes());
    out.extend_from_slice(&lz4_flex::block::compress_with_dict(&ruw, WOORDENBOEK));
    Ok(out)
}

/// Decodes a record (compressed or plain binary, or JSON from an older osp), naming the key on
/// failure.
pub fn decode<T: DeserializeOwned>(key: &[u8], bytes: &[u8]) -> Result<T, StoreError> {
    let fout = |melding: String| StoreError::Decodeer {
        sleutel: String::from_utf8_lossy(key).replace('\0', "/"),
        melding,
    };
    match bytes.split_first() {
        Some((&GECOMPRIMEERD, rest)) => {
            let (lengte, blok) = rest
                .split_first_chunk::<4>()
                .ok_or_else(|| fout("afgebroken record".into()))?;
            let lengte = u32::from_le_bytes(*lengte) as usize;
            if lengte > MAX_RECORD {
                return Err(fout(format!("recordlengte {lengte} onmogelijk")));
            }
            let ruw = lz4_flex::block::decompress_with_dict(blok, lengte, WOORDENBOEK)
                .map_err(|e| fout(e.to_string()))?;
            postcard::from_bytes(&ruw).map_err(|e| fout(e.to_string()))
        }
        Some((&BINAIR, rest)) => postcard::from_bytes(rest).map_err(|e| fout(e.to_string())),
        _ => serde_json::from_slice(bytes).map_err(|e| fout(e.to_string())),
    }
}

/// Who delivered a stand and when: kept with every stand in history (SPEC §6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Herkomst {
    /// `identificatiecodeBedrijfsdocument`.
    pub identificatiecode: String,
    /// `datumTijdBedrijfsdocument` (rule 0002 compares it).
    pub datum_tijd_bedrijfsdocument: DateTime<Utc>,
    /// Certificate OIN.
    pub certificaat_oin: String,
    /// `wsa:From` OIN.
    pub from_oin: String,
    /// `wsa:MessageID`.
    pub message_id: String,
}

/// One stand of a key: number, moment, origin and content (`None` = removed by Verwijdering).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandRecord<T> {
    /// 1, 2, … per key, continuing after a removal.
    pub volgnummer: u32,
    /// When osp registered it.
    pub aanlevermoment: DateTime<Utc>,
    /// Origin.
    pub herkomst: Herkomst,
    /// The delivered content; `None` for a verwijdering.
    pub inhoud: Option<T>,
}

/// A DUO→school message waiting in the outbox (SPEC §7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxBericht {
    /// Increasing id, unique per data dir; the pull cursor.
    pub id: u64,
    /// Recipient administratie OIN.
    pub ontvanger_oin: String,
    /// Message kind, e.g. `verstrekkenBekostigingVO`.
    pub soort: String,
    /// Message body (XML).
    pub inhoud: String,
    /// When it was produced.
    pub aangemaakt: DateTime<Utc>,
    /// Acknowledged by `bevestigenBerichtenVO`.
    pub bevestigd: bool,
}

/// A person registered by identificatie, as stored under `own`.
pub type OwnPersoon = Persoon;

/// Key parts of an inschrijving or examenresultaat key.
pub fn sleutel_delen<'a>(pgn: &'a str, brin: &'a str, volgnummer: &'a str) -> [&'a str; 3] {
    [pgn, brin, volgnummer]
}

/// Storage form of a PGN for keys.
pub fn pgn_part(pgn: &Pgn) -> String {
    pgn.opslagsleutel()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_do_not_match_longer_siblings() {
        let a = key("sb", "i", &["B1", "99AA", "2025-10"]);
        let p = prefix("sb", "i", &["B1", "99AA", "2025-1"]);
        assert!(!a.starts_with(&p));
        assert!(a.starts_with(&prefix("sb", "i", &["B1"])));
        assert!(!key("sb2", "i", &[]).starts_with(&sandbox_prefix("sb")));
        assert!(stand_part(2) < stand_part(10));
    }

    #[test]
    fn records_round_trip_binary_and_legacy_json_stays_readable() {
        let herkomst = Herkomst {
            identificatiecode: "id-1".into(),
            datum_tijd_bedrijfsdocument: "2025-09-15T07:30:00Z".parse().unwrap(),
            certificaat_oin: "0000000700099AA00000".into(),
            from_oin: "0000000700099AA00000".into(),
            message_id: "urn:uuid:1".into(),
        };
        let record = StandRecord {
            volgnummer: 3,
            aanlevermoment: "2025-09-15T07:30:01.123456Z".parse().unwrap(),
            herkomst,
            inhoud: Some("inhoud met <xml> & \"tekst\"".to_string()),
        };
        let bin = encode(&record).unwrap();
        assert_eq!(bin[0], GECOMPRIMEERD);
        let mut plat = vec![BINAIR];
        plat.extend(postcard::to_stdvec(&record).unwrap());
        let json = serde_json::to_vec(&record).unwrap();
        assert!(bin.len() < plat.len() && plat.len() < json.len());
        let k = key("sb", "i", &["x"]);
        for vorm in [&bin, &plat, &json] {
            assert_eq!(decode::<StandRecord<String>>(&k, vorm).unwrap(), record);
        }
        for kapot in [
            &bin[..bin.len() / 2],
            &bin[..3],
            &[GECOMPRIMEERD, 0xff, 0xff, 0xff, 0xff, 0][..],
        ] {
            let err = decode::<StandRecord<String>>(&k, kapot).unwrap_err();
            assert!(err.to_string().contains("sb/i/x"), "{err}");
        }
    }

    #[test]
    fn the_dictionary_never_changes() {
        use sha2::{Digest, Sha256};
        let h: String = Sha256::digest(WOORDENBOEK)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            h, "ea856759ab9e057939c3b47c99f488750524e7f1c6d4ab7369eed91b05c52bdb",
            "stored records decode only with the dictionary they were written with"
        );
    }
}
