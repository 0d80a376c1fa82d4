//! RULES.md group 07 — bekostiging: DUO's funding decision for one inschrijving and the
//! bekostigingssignalen it carries (seed ch. 3). The decision is sent as a message
//! (`verstrekkenBekostigingVO`, see `berichten::bekostiging`); the rules are here, with the same
//! [`Regel`] type as the checks of a delivery, so one catalogue test holds every code to RULES.md.
//!
//! osp's decision model [osp, in DUO's terms]:
//! - the *teldatum* is 1 October of the school year of the register date (school year from 1 Aug);
//! - the *peilperiode* is the period in effect on the teldatum when the inschrijving is active
//!   then, else its latest period;
//! - 0701: active on the teldatum while the pupil is also actively enrolled at another VO
//!   instelling; the inschrijving with the earliest datumInschrijving (then the lowest BRIN) keeps
//!   the funding, the others lose it;
//! - 0702: the peilperiode says `indicatieBekostigbaar=false`; 0703: RIO says the instelling is not
//!   bekostigd — both mean not bekostigd;
//! - `datumEersteInschrijvingNederland`: the earliest datumInschrijving of the pupil at any PO or
//!   VO instelling in the register;
//! - 0704 nieuwkomersbekostiging: BSN — BRP nationality not Dutch, a Dutch address, and the register
//!   date within the 8 quarters following the quarter of the first inschrijving, unless the school
//!   opted out (`indicatieNieuwkomersbekostiging=false`); OWN — the school's own indicatie.

use chrono::{Datelike, Months, NaiveDate};

use super::Regel;
use crate::domain::{Adres, Inschrijving, Periode, Persoon, Pgn};
use crate::reference::Reference;

/// 0701: overlapping VO inschrijving at another BRIN on the teldatum.
pub const R0701: Regel = Regel::signaal(
    "0701",
    "Leerling staat op de teldatum ook ingeschreven bij een andere school",
);
/// 0702: the peilperiode says `indicatieBekostigbaar=false`.
pub const R0702: Regel = Regel::signaal(
    "0702",
    "School geeft aan dat de inschrijving niet bekostigbaar is",
);
/// 0703: RIO says the instelling is not bekostigd.
pub const R0703: Regel = Regel::signaal("0703", "Instelling is niet bekostigd");
/// 0704: nieuwkomersbekostiging granted.
pub const R0704: Regel = Regel::signaal("0704", "Nieuwkomersbekostiging toegekend");

/// The rules of this group.
pub const REGELS: &[Regel] = &[R0701, R0702, R0703, R0704];

/// DUO's funding decision for one inschrijving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Beoordeling {
    /// `indicatieBekostigd`.
    pub bekostigd: bool,
    /// `datumEersteInschrijvingNederland`.
    pub datum_eerste_inschrijving_nederland: Option<NaiveDate>,
    /// `indicatieNieuwkomersbekostiging`.
    pub nieuwkomersbekostiging: bool,
    /// `bekostigingssignaal`s in code order.
    pub signalen: Vec<Regel>,
}

/// Nieuwkomersbekostiging lasts 8 quarters (seed ch. 3).
const ACHT_KWARTALEN: Months = Months::new(24);

/// 1 October of the school year (from 1 August) the date falls in.
pub fn teldatum(vandaag: NaiveDate) -> NaiveDate {
    let jaar = if vandaag.month() >= 8 {
        vandaag.year()
    } else {
        vandaag.year() - 1
    };
    NaiveDate::from_ymd_opt(jaar, 10, 1).unwrap_or(vandaag)
}

/// Enrolled on this date (datumUitschrijving is the last day of the inschrijving).
pub fn actief_op(i: &Inschrijving, datum: NaiveDate) -> bool {
    i.datum_inschrijving <= datum && i.datum_uitschrijving.is_none_or(|u| u >= datum)
}

/// The period in effect on a date: the last one begun on or before it.
fn periode_op(i: &Inschrijving, datum: NaiveDate) -> Option<&Periode> {
    i.perioden_op_datum()
        .into_iter()
        .rfind(|p| p.datum_begin <= datum)
}

fn sector_is(reference: &Reference, brin: &str, sectoren: &[&str]) -> bool {
    reference
        .instellingen
        .get(brin)
        .is_some_and(|i| sectoren.contains(&i.sector.as_str()))
}

/// First day of the quarter after the one `d` falls in.
fn volgend_kwartaal(d: NaiveDate) -> NaiveDate {
    let kwartaal_start_maand = (d.month0() / 3) * 3 + 1;
    NaiveDate::from_ymd_opt(d.year(), kwartaal_start_maand, 1)
        .and_then(|k| k.checked_add_months(Months::new(3)))
        .unwrap_or(d)
}

/// DUO's decision for `ins`, given every current inschrijving of the pupil (`alle`, which may
/// include `ins` itself), the BRP person (BSN only) and the register date.
pub fn beoordeel(
    ins: &Inschrijving,
    alle: &[&Inschrijving],
    persoon: Option<&Persoon>,
    reference: &Reference,
    vandaag: NaiveDate,
) -> Beoordeling {
    let t = teldatum(vandaag);
    let actief = actief_op(ins, t);
    let peilperiode = if actief { periode_op(ins, t) } else { None }
        .or_else(|| ins.perioden_op_datum().last().copied());
    let mut signalen = Vec::new();

    let mut verliest_dubbel = false;
    if actief {
        let anderen: Vec<&&Inschrijving> = alle
            .iter()
            .filter(|o| {
                o.brin != ins.brin && actief_op(o, t) && sector_is(reference, &o.brin, &["VO"])
            })
            .collect();
        if !anderen.is_empty() {
            signalen.push(R0701);
            let eigen = (ins.datum_inschrijving, ins.brin.as_str());
            verliest_dubbel = anderen
                .iter()
                .any(|o| (o.datum_inschrijving, o.brin.as_str()) < eigen);
        }
    }
    let bekostigbaar = peilperiode.is_none_or(|p| p.indicatie_bekostigbaar);
    if !bekostigbaar {
        signalen.push(R0702);
    }
    let instelling_bekostigd = reference
        .instellingen
        .get(&ins.brin)
        .is_some_and(|i| i.bekostigd);
    if !instelling_bekostigd {
        signalen.push(R0703);
    }

    let eerste = alle
        .iter()
        .copied()
        .chain(std::iter::once(ins))
        .filter(|i| sector_is(reference, &i.brin, &["PO", "VO"]))
        .map(|i| i.datum_inschrijving)
        .min();
    let indicatie_school = peilperiode.and_then(|p| p.indicatie_nieuwkomersbekostiging);
    let nieuwkomer = match &ins.pgn {
        Pgn::Onderwijsnummer(_) => indicatie_school == Some(true),
        Pgn::Burgerservicenummer(_) => {
            let niet_nederlands = persoon
                .and_then(|p| p.nationaliteit.as_deref())
                .is_some_and(|n| !n.trim().eq_ignore_ascii_case("Nederlandse"));
            let woont_in_nl =
                persoon.is_some_and(|p| matches!(p.adres, Some(Adres::Binnenlands { .. })));
            let binnen_termijn = eerste
                .and_then(|e| volgend_kwartaal(e).checked_add_months(ACHT_KWARTALEN))
                .is_some_and(|einde| vandaag < einde);
            niet_nederlands && woont_in_nl && binnen_termijn && indicatie_school != Some(false)
        }
    };
    if nieuwkomer {
        signalen.push(R0704);
    }
    Beoordeling {
        bekostigd: bekostigbaar && instelling_bekostigd && !verliest_dubbel,
        datum_eerste_inschrijving_nederland: eerste,
        nieuwkomersbekostiging: nieuwkomer,
        signalen,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{date, reference};

    fn ins(pgn: Pgn, brin: &str, volg: &str, van: &str, tot: Option<&str>) -> Inschrijving {
        let vestiging = format!("{brin}00");
        Inschrijving {
            pgn,
            brin: brin.into(),
            inschrijvingvolgnummer: volg.into(),
            datum_inschrijving: date(van),
            datum_uitschrijving: tot.map(date),
            perioden: vec![Periode {
                datum_begin: date(van),
                onderwijsaanbieder: None,
                onderwijslocatie: None,
                opleidingcode: "3001".into(),
                aanvullende_opleidingen: vec![],
                vestiging,
                leerjaar: Some(2),
                indicatie_bekostigbaar: true,
                experimenten: vec![],
                indicatie_nieuwkomersbekostiging: None,
            }],
            ontwikkelingsperspectieven: vec![],
            verblijven_andere_instelling: vec![],
        }
    }

    fn bsn(n: &str) -> Pgn {
        Pgn::Burgerservicenummer(n.into())
    }

    fn codes(b: &Beoordeling) -> Vec<&str> {
        b.signalen.iter().map(|s| s.code).collect()
    }

    fn besluit(i: &Inschrijving, alle: &[&Inschrijving], vandaag: &str) -> Beoordeling {
        let persoon = reference().brp_persoon(i.pgn.nummer());
        beoordeel(i, alle, persoon, reference(), date(vandaag))
    }

    #[test]
    fn teldatum_follows_the_school_year() {
        assert_eq!(teldatum(date("2025-09-15")), date("2025-10-01"));
        assert_eq!(teldatum(date("2025-08-01")), date("2025-10-01"));
        assert_eq!(teldatum(date("2026-07-31")), date("2025-10-01"));
        assert_eq!(volgend_kwartaal(date("2025-02-01")), date("2025-04-01"));
        assert_eq!(volgend_kwartaal(date("2025-12-31")), date("2026-01-01"));
    }

    #[test]
    fn regular_pupil_is_bekostigd_without_signals() {
        let a = ins(bsn("999990007"), "99AA", "A1", "2025-08-20", None);
        let b = besluit(&a, &[&a], "2025-09-15");
        assert!(b.bekostigd && !b.nieuwkomersbekostiging);
        assert_eq!(
            b.datum_eerste_inschrijving_nederland,
            Some(date("2025-08-20"))
        );
        assert!(codes(&b).is_empty());
    }

    #[test]
    fn niet_bekostigbaar_and_niet_bekostigde_instelling() {
        let mut a = ins(bsn("999990007"), "99AA", "A1", "2025-08-20", None);
        a.perioden[0].indicatie_bekostigbaar = false;
        let b = besluit(&a, &[&a], "2025-09-15");
        assert_eq!((b.bekostigd, codes(&b)), (false, vec!["0702"]));
        let c = ins(bsn("999990007"), "99CC", "C1", "2025-08-20", None);
        let b = besluit(&c, &[&c], "2025-09-15");
        assert_eq!((b.bekostigd, codes(&b)), (false, vec!["0703"]));
    }

    #[test]
    fn double_inschrijving_on_the_teldatum_both_get_0701_the_earliest_keeps_funding() {
        let a = ins(bsn("999990007"), "99AA", "A1", "2023-08-01", None);
        let b = ins(bsn("999990007"), "99BB", "B1", "2025-09-01", None);
        let alle = [&a, &b];
        let ba = besluit(&a, &alle, "2025-09-15");
        let bb = besluit(&b, &alle, "2025-09-15");
        assert_eq!((ba.bekostigd, codes(&ba)), (true, vec!["0701"]));
        assert_eq!((bb.bekostigd, codes(&bb)), (false, vec!["0701"]));
        // 99AA uitgeschreven before the teldatum: no double inschrijving.
        let a2 = ins(
            bsn("999990007"),
            "99AA",
            "A1",
            "2023-08-01",
            Some("2025-08-31"),
        );
        let bb = besluit(&b, &[&a2, &b], "2025-09-15");
        assert_eq!((bb.bekostigd, codes(&bb)), (true, vec![]));
        // Uitgeschreven on the teldatum itself: still enrolled that day.
        let a3 = ins(
            bsn("999990007"),
            "99AA",
            "A1",
            "2023-08-01",
            Some("2025-10-01"),
        );
        assert_eq!(codes(&besluit(&b, &[&a3, &b], "2025-09-15")), ["0701"]);
        // A VAVO instelling is not a second VO school.
        let v = ins(bsn("999990007"), "99VV", "V1", "2025-08-01", None);
        assert!(codes(&besluit(&b, &[&v, &b], "2025-09-15")).is_empty());
    }

    #[test]
    fn nieuwkomer_with_bsn_is_decided_by_duo_unless_the_school_opts_out() {
        let y = ins(bsn("999990020"), "99BB", "B1", "2025-08-20", None);
        let b = besluit(&y, &[&y], "2025-09-15");
        assert!(b.nieuwkomersbekostiging && b.bekostigd);
        assert_eq!(codes(&b), ["0704"]);
        let mut uit = y.clone();
        uit.perioden[0].indicatie_nieuwkomersbekostiging = Some(false);
        assert!(!besluit(&uit, &[&uit], "2025-09-15").nieuwkomersbekostiging);
        // 8 quarters after the quarter of the first inschrijving (Q3 2025): until 2027-10-01.
        assert!(besluit(&y, &[&y], "2027-09-30").nieuwkomersbekostiging);
        assert!(!besluit(&y, &[&y], "2027-10-01").nieuwkomersbekostiging);
        // A Dutch pupil never, even when the school sets the indicatie.
        let mut s = ins(bsn("999990007"), "99AA", "A1", "2025-08-20", None);
        s.perioden[0].indicatie_nieuwkomersbekostiging = Some(true);
        assert!(!besluit(&s, &[&s], "2025-09-15").nieuwkomersbekostiging);
    }

    #[test]
    fn nieuwkomer_with_own_follows_the_school_and_first_inschrijving_counts_po() {
        let own = Pgn::Onderwijsnummer("100000041".into());
        let mut o = ins(own.clone(), "99AA", "A1", "2025-08-20", None);
        o.perioden[0].indicatie_nieuwkomersbekostiging = Some(true);
        let po = ins(own.clone(), "99PO", "P1", "2024-01-08", Some("2025-07-15"));
        let b = beoordeel(&o, &[&o, &po], None, reference(), date("2025-09-15"));
        assert!(b.nieuwkomersbekostiging);
        assert_eq!(
            b.datum_eerste_inschrijving_nederland,
            Some(date("2024-01-08"))
        );
        o.perioden[0].indicatie_nieuwkomersbekostiging = Some(false);
        assert!(
            !beoordeel(&o, &[&o], None, reference(), date("2025-09-15")).nieuwkomersbekostiging
        );
    }
}
