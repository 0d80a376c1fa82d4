//! The deterministic delivery stream of the crash probe, shared with the crash test so the test
//! can recompute exactly what every stand must contain.

use chrono::{Days, NaiveDate, TimeZone, Utc};
use osp_register::domain::{Aanlevering, Bedrijfsdocument, Bericht, Inschrijving, Periode, Pgn};

/// Keys (inschrijvingvolgnummers) per person in the stream.
pub const SLEUTELS_PER_PERSOON: u32 = 2;

/// The `n`-th stand (1-based) of key `k` of person `bsn`: 1..=4 periods, so a half-written
/// stand would show as a wrong period count.
pub fn stand(bsn: &str, k: u32, n: u32) -> Aanlevering {
    let begin = NaiveDate::from_ymd_opt(2024, 8, 1).unwrap_or_default();
    let perioden = (0..(n % 4) + 1)
        .map(|p| Periode {
            datum_begin: begin
                .checked_add_days(Days::new(u64::from(p) * 30))
                .unwrap_or(begin),
            onderwijsaanbieder: Some("100A001".into()),
            onderwijslocatie: Some("100X001".into()),
            opleidingcode: "3001".into(),
            aanvullende_opleidingen: vec![],
            vestiging: "99AA00".into(),
            leerjaar: Some((p % 6) as u8 + 1),
            indicatie_bekostigbaar: true,
            experimenten: vec![],
            indicatie_nieuwkomersbekostiging: None,
        })
        .collect();
    let seconden = i64::from(n);
    Aanlevering {
        kop: Bedrijfsdocument {
            identificatiecode: identificatiecode(bsn, k, n),
            verzendende_instantie: "99AA".into(),
            ontvangende_instantie: "DUO".into(),
            datum_tijd: Utc
                .with_ymd_and_hms(2025, 9, 1, 8, 0, 0)
                .single()
                .unwrap_or_default()
                + chrono::Duration::seconds(seconden),
        },
        bericht: Bericht::Inschrijving(Inschrijving {
            pgn: Pgn::Burgerservicenummer(bsn.to_string()),
            brin: "99AA".into(),
            inschrijvingvolgnummer: volgnummer(k),
            datum_inschrijving: begin,
            datum_uitschrijving: None,
            perioden,
            ontwikkelingsperspectieven: vec![],
            verblijven_andere_instelling: vec![],
        }),
    }
}

/// The inschrijvingvolgnummer of key `k`.
pub fn volgnummer(k: u32) -> String {
    format!("K{k}")
}

/// A UUID-shaped identificatiecode unique per (person, key, stand).
pub fn identificatiecode(bsn: &str, k: u32, n: u32) -> String {
    format!(
        "{:08}-{:04}-4000-8000-{:012}",
        bsn.parse::<u64>().unwrap_or(0) % 100_000_000,
        k,
        n
    )
}

/// The outbox text the probe's producer writes for a stand with `perioden` periods.
pub fn outbox_tekst(bsn: &str, volg: &str, perioden: usize) -> String {
    format!("{bsn} {volg} {perioden}")
}
