//! Digitaal in- en uitschrijfbewijs (RULES.md § "Digitaal in- en uitschrijfbewijs", seed ch. 8):
//! when one school's datumInschrijving or datumUitschrijving is registered, changed or removed, the
//! other schools directly involved in the pupil's transfer are told, each with its own
//! `eigenInschrijvingvolgnummer`.
//!
//! [`bepaal`] is the rule as a pure function of the change and the pupil's other inschrijvingen;
//! [`Bewijzen`] is the producer that renders its outcome for every administratie of the receiver.

use chrono::{Months, NaiveDate};

use super::{aan_administraties, el, huidige_inschrijvingen, Berichtsoort};
use crate::domain::Inschrijving;
use crate::register::{Inschrijvingswijziging, NieuwBericht, RegisterLezer, Vervolgberichten};
use crate::rules::Context;
use crate::service::ServiceError;

/// `soortBewijs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoortBewijs {
    /// Tells an earlier school the later school's datumInschrijving.
    Inschrijfbewijs,
    /// Tells a later school the earlier school's datumUitschrijving.
    Uitschrijfbewijs,
}

impl SoortBewijs {
    /// Wire value.
    pub const fn code(self) -> &'static str {
        match self {
            SoortBewijs::Inschrijfbewijs => "INSCHRIJFBEWIJS",
            SoortBewijs::Uitschrijfbewijs => "UITSCHRIJFBEWIJS",
        }
    }
}

/// One bewijs to send: to the school of `ontvanger`, about `over`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bewijs<'a> {
    /// The receiving school's inschrijving (its brin and `eigenInschrijvingvolgnummer`).
    pub ontvanger: &'a Inschrijving,
    /// In- or uitschrijfbewijs.
    pub soort: SoortBewijs,
    /// The inschrijving described (brin, aanbieder and locatie of its latest period).
    pub over: &'a Inschrijving,
    /// The date told; `None` when it was removed.
    pub datum: Option<NaiveDate>,
}

/// How long after its datumUitschrijving an earlier school still gets inschrijfbewijzen (seed ch. 8).
const HALF_JAAR: Months = Months::new(6);

/// The bewijzen a change of one inschrijving causes. `huidige` are the pupil's inschrijvingen as
/// registered before the change (the changed key itself and every inschrijving of the same
/// instelling are ignored: bewijzen go only between different instellingen).
pub fn bepaal<'a>(
    oud: Option<&'a Inschrijving>,
    nieuw: Option<&'a Inschrijving>,
    huidige: &'a [Inschrijving],
    vandaag: NaiveDate,
) -> Vec<Bewijs<'a>> {
    let Some(deze) = nieuw.or(oud) else {
        return Vec::new();
    };
    let anderen: Vec<&Inschrijving> = huidige.iter().filter(|i| i.brin != deze.brin).collect();
    let mut uit = Vec::new();

    let oude_inschrijving = oud.map(|o| o.datum_inschrijving);
    let nieuwe_inschrijving = nieuw.map(|n| n.datum_inschrijving);
    if oude_inschrijving != nieuwe_inschrijving {
        let peil = deze.datum_inschrijving;
        let grens = vandaag
            .checked_sub_months(HALF_JAAR)
            .unwrap_or(NaiveDate::MIN);
        for a in &anderen {
            let eerder = a.datum_inschrijving < peil;
            let lang_uitgeschreven = a.datum_uitschrijving.is_some_and(|u| u < grens);
            if eerder && !lang_uitgeschreven {
                uit.push(Bewijs {
                    ontvanger: a,
                    soort: SoortBewijs::Inschrijfbewijs,
                    over: deze,
                    datum: nieuwe_inschrijving,
                });
            }
        }
    }

    let oude_uitschrijving = oud.and_then(|o| o.datum_uitschrijving);
    let nieuwe_uitschrijving = nieuw.and_then(|n| n.datum_uitschrijving);
    if oude_uitschrijving != nieuwe_uitschrijving {
        for b in &anderen {
            if b.datum_inschrijving >= deze.datum_inschrijving {
                uit.push(Bewijs {
                    ontvanger: b,
                    soort: SoortBewijs::Uitschrijfbewijs,
                    over: deze,
                    datum: nieuwe_uitschrijving,
                });
            }
        }
    }
    uit
}

/// The body of a `verstrekkenDigitaalInUitschrijfbewijsVO_Request` after its header.
pub fn inhoud(b: &Bewijs<'_>) -> String {
    let mut out = String::with_capacity(512);
    let pgn = &b.ontvanger.pgn;
    el(&mut out, "obv", pgn.element(), pgn.nummer());
    el(
        &mut out,
        "obv",
        "eigenInschrijvingvolgnummer",
        &b.ontvanger.inschrijvingvolgnummer,
    );
    el(&mut out, "obv", "soortBewijs", b.soort.code());
    out.push_str("<obv:inschrijving>");
    el(&mut out, "obv", "brin", &b.over.brin);
    let laatste = b.over.perioden_op_datum().last().copied();
    if let Some(a) = laatste.and_then(|p| p.onderwijsaanbieder.as_deref()) {
        el(&mut out, "obv", "onderwijsaanbieder", a);
    }
    if let Some(l) = laatste.and_then(|p| p.onderwijslocatie.as_deref()) {
        el(&mut out, "obv", "onderwijslocatie", l);
    }
    if let Some(d) = b.datum {
        let naam = match b.soort {
            SoortBewijs::Inschrijfbewijs => "datumInschrijving",
            SoortBewijs::Uitschrijfbewijs => "datumUitschrijving",
        };
        el(&mut out, "obv", naam, &d.format("%Y-%m-%d").to_string());
    }
    out.push_str("</obv:inschrijving>");
    out
}

/// The producer of digitale in- en uitschrijfbewijzen, registered by default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bewijzen;

impl Vervolgberichten for Bewijzen {
    fn na_inschrijving(
        &self,
        lezer: &dyn RegisterLezer,
        w: Inschrijvingswijziging<'_>,
        ctx: &Context<'_>,
    ) -> Result<Vec<NieuwBericht>, ServiceError> {
        let Some((_, huidige)) = huidige_inschrijvingen(lezer, &w)? else {
            return Ok(Vec::new());
        };
        let soort = Berichtsoort::DigitaalInUitschrijfbewijs;
        let mut uit = Vec::new();
        for b in bepaal(w.oud, w.nieuw, &huidige, ctx.vandaag) {
            let inhoud = inhoud(&b);
            aan_administraties(
                &mut uit,
                soort,
                &b.ontvanger.brin,
                &inhoud,
                &w,
                ctx.reference,
            );
        }
        if !uit.is_empty() {
            tracing::debug!(berichten = uit.len(), "digitale in-/uitschrijfbewijzen");
        }
        Ok(uit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Periode, Pgn};
    use crate::rules::testkit::date;

    fn ins(brin: &str, volg: &str, van: &str, tot: Option<&str>) -> Inschrijving {
        let (aanbieder, locatie, vestiging) = match brin {
            "99AA" => ("100A001", "100X001", "99AA00"),
            "99BB" => ("100A002", "100X003", "99BB00"),
            _ => ("100A003", "100X004", "99CC00"),
        };
        Inschrijving {
            pgn: Pgn::Burgerservicenummer("999990019".into()),
            brin: brin.into(),
            inschrijvingvolgnummer: volg.into(),
            datum_inschrijving: date(van),
            datum_uitschrijving: tot.map(date),
            perioden: vec![Periode {
                datum_begin: date(van),
                onderwijsaanbieder: Some(aanbieder.into()),
                onderwijslocatie: Some(locatie.into()),
                opleidingcode: "3001".into(),
                aanvullende_opleidingen: vec![],
                vestiging: vestiging.into(),
                leerjaar: Some(2),
                indicatie_bekostigbaar: true,
                experimenten: vec![],
                indicatie_nieuwkomersbekostiging: None,
            }],
            ontwikkelingsperspectieven: vec![],
            verblijven_andere_instelling: vec![],
        }
    }

    fn samenvatting(
        v: &[Bewijs<'_>],
    ) -> Vec<(String, String, &'static str, String, Option<NaiveDate>)> {
        v.iter()
            .map(|b| {
                (
                    b.ontvanger.brin.clone(),
                    b.ontvanger.inschrijvingvolgnummer.clone(),
                    b.soort.code(),
                    b.over.brin.clone(),
                    b.datum,
                )
            })
            .collect()
    }

    const VANDAAG: &str = "2025-09-15";

    #[test]
    fn new_school_tells_the_old_school_its_datum_inschrijving() {
        let aa = ins("99AA", "A1", "2023-08-01", None);
        let bb = ins("99BB", "B1", "2025-09-01", None);
        let huidige = [aa.clone()];
        let v = bepaal(None, Some(&bb), &huidige, date(VANDAAG));
        assert_eq!(
            samenvatting(&v),
            [(
                "99AA".into(),
                "A1".into(),
                "INSCHRIJFBEWIJS",
                "99BB".into(),
                Some(date("2025-09-01"))
            )]
        );
        let tekst = inhoud(&v[0]);
        assert!(
            tekst.contains("<obv:eigenInschrijvingvolgnummer>A1<"),
            "{tekst}"
        );
        assert!(
            tekst.contains("<obv:onderwijsaanbieder>100A002<")
                && tekst.contains("<obv:onderwijslocatie>100X003<")
        );
        assert!(tekst.contains("<obv:datumInschrijving>2025-09-01<"));
        assert!(!tekst.contains("datumUitschrijving"));
    }

    #[test]
    fn old_school_tells_the_new_school_its_datum_uitschrijving() {
        let aa_oud = ins("99AA", "A1", "2023-08-01", None);
        let aa = ins("99AA", "A1", "2023-08-01", Some("2025-08-31"));
        let bb = ins("99BB", "B1", "2025-09-01", None);
        let huidige = [aa_oud.clone(), bb.clone()];
        let v = bepaal(Some(&aa_oud), Some(&aa), &huidige, date(VANDAAG));
        assert_eq!(
            samenvatting(&v),
            [(
                "99BB".into(),
                "B1".into(),
                "UITSCHRIJFBEWIJS",
                "99AA".into(),
                Some(date("2025-08-31"))
            )]
        );
        let tekst = inhoud(&v[0]);
        assert!(
            tekst.contains("<obv:eigenInschrijvingvolgnummer>B1<")
                && tekst.contains("<obv:datumUitschrijving>2025-08-31<")
        );
        assert!(tekst.contains("<obv:onderwijsaanbieder>100A001<"));
    }

    #[test]
    fn a_school_never_gets_the_inschrijving_of_a_preceding_nor_the_uitschrijving_of_a_following_one(
    ) {
        // 99BB (later) registers its uitschrijving: the earlier 99AA gets nothing.
        let aa = ins("99AA", "A1", "2023-08-01", Some("2025-08-31"));
        let bb_oud = ins("99BB", "B1", "2025-09-01", None);
        let bb = ins("99BB", "B1", "2025-09-01", Some("2026-01-31"));
        let huidige = [aa.clone(), bb_oud.clone()];
        assert!(bepaal(Some(&bb_oud), Some(&bb), &huidige, date(VANDAAG)).is_empty());
        // 99AA (earlier) changes its datumInschrijving: the later 99BB gets nothing.
        let aa2 = ins("99AA", "A1", "2023-08-15", Some("2025-08-31"));
        let huidige = [aa.clone(), bb.clone()];
        assert!(bepaal(Some(&aa), Some(&aa2), &huidige, date(VANDAAG)).is_empty());
    }

    #[test]
    fn half_year_window_against_the_register_date() {
        let bb = ins("99BB", "B1", "2025-09-01", None);
        // Uitgeschreven exactly half a year before the register date: still told.
        let aa = ins("99AA", "A1", "2023-08-01", Some("2025-03-15"));
        let huidige = [aa.clone()];
        assert_eq!(bepaal(None, Some(&bb), &huidige, date(VANDAAG)).len(), 1);
        // One day longer ago: not told.
        let aa = ins("99AA", "A1", "2023-08-01", Some("2025-03-14"));
        let huidige = [aa.clone()];
        assert!(bepaal(None, Some(&bb), &huidige, date(VANDAAG)).is_empty());
        // The same data with a register date a day earlier: told again.
        assert_eq!(
            bepaal(None, Some(&bb), &huidige, date("2025-09-14")).len(),
            1
        );
    }

    #[test]
    fn several_schools_each_get_their_message() {
        let aa = ins("99AA", "A1", "2022-08-01", Some("2024-07-31"));
        let cc = ins("99CC", "C1", "2024-08-01", Some("2025-08-31"));
        let bb = ins("99BB", "B1", "2025-09-01", None);
        let huidige = [aa.clone(), cc.clone()];
        // 99AA's uitschrijving lies more than half a year back: only 99CC is told.
        let v = bepaal(None, Some(&bb), &huidige, date(VANDAAG));
        assert_eq!(
            samenvatting(&v),
            [(
                "99CC".into(),
                "C1".into(),
                "INSCHRIJFBEWIJS",
                "99BB".into(),
                Some(date("2025-09-01"))
            )]
        );
        // Both still within the window on an earlier register date: both are told.
        let v = bepaal(None, Some(&bb), &huidige, date("2024-12-01"));
        assert_eq!(v.len(), 2);
        // 99AA's uitschrijving changes: both later schools get an uitschrijfbewijs.
        let aa2 = ins("99AA", "A1", "2022-08-01", Some("2024-07-15"));
        let huidige = [aa.clone(), cc.clone(), bb.clone()];
        let v = bepaal(Some(&aa), Some(&aa2), &huidige, date(VANDAAG));
        let ontvangers: Vec<_> = v
            .iter()
            .map(|b| (b.ontvanger.brin.as_str(), b.soort))
            .collect();
        assert_eq!(
            ontvangers,
            [
                ("99CC", SoortBewijs::Uitschrijfbewijs),
                ("99BB", SoortBewijs::Uitschrijfbewijs)
            ]
        );
    }

    #[test]
    fn removal_of_a_date_sends_the_bewijs_without_it() {
        let aa_oud = ins("99AA", "A1", "2023-08-01", Some("2025-08-31"));
        let aa = ins("99AA", "A1", "2023-08-01", None);
        let bb = ins("99BB", "B1", "2025-09-01", None);
        let huidige = [aa_oud.clone(), bb.clone()];
        let v = bepaal(Some(&aa_oud), Some(&aa), &huidige, date(VANDAAG));
        assert_eq!(
            samenvatting(&v),
            [(
                "99BB".into(),
                "B1".into(),
                "UITSCHRIJFBEWIJS",
                "99AA".into(),
                None
            )]
        );
        let tekst = inhoud(&v[0]);
        assert!(
            tekst.contains("<obv:brin>99AA<") && !tekst.contains("datumUitschrijving"),
            "{tekst}"
        );
    }

    #[test]
    fn verwijdering_of_the_whole_inschrijving_removes_both_dates() {
        let aa = ins("99AA", "A1", "2023-08-01", None);
        let bb = ins("99BB", "B1", "2025-09-01", None);
        let huidige = [aa.clone(), bb.clone()];
        let v = bepaal(Some(&bb), None, &huidige, date(VANDAAG));
        assert_eq!(
            samenvatting(&v),
            [(
                "99AA".into(),
                "A1".into(),
                "INSCHRIJFBEWIJS",
                "99BB".into(),
                None
            )]
        );
        assert!(!inhoud(&v[0]).contains("datumInschrijving"));
        // An earlier school with an uitschrijving that is removed: both kinds of bewijs.
        let aa = ins("99AA", "A1", "2023-08-01", Some("2025-08-31"));
        let cc = ins("99CC", "C1", "2020-08-01", Some("2025-07-31"));
        let huidige = [aa.clone(), bb.clone(), cc.clone()];
        let v = bepaal(Some(&aa), None, &huidige, date(VANDAAG));
        assert_eq!(
            samenvatting(&v),
            [
                (
                    "99CC".into(),
                    "C1".into(),
                    "INSCHRIJFBEWIJS",
                    "99AA".into(),
                    None
                ),
                (
                    "99BB".into(),
                    "B1".into(),
                    "UITSCHRIJFBEWIJS",
                    "99AA".into(),
                    None
                ),
            ]
        );
    }

    #[test]
    fn nothing_between_inschrijvingen_of_the_same_school() {
        let a1 = ins("99AA", "A1", "2023-08-01", Some("2024-07-31"));
        let a2 = ins("99AA", "A2", "2024-08-01", None);
        let huidige = [a1.clone()];
        assert!(bepaal(None, Some(&a2), &huidige, date(VANDAAG)).is_empty());
        let a1b = ins("99AA", "A1", "2023-08-01", Some("2024-06-30"));
        let huidige = [a1.clone(), a2.clone()];
        assert!(bepaal(Some(&a1), Some(&a1b), &huidige, date(VANDAAG)).is_empty());
    }

    #[test]
    fn nothing_when_dates_did_not_change() {
        let aa = ins("99AA", "A1", "2023-08-01", Some("2025-08-31"));
        let bb = ins("99BB", "B1", "2025-09-01", None);
        let mut bb2 = bb.clone();
        bb2.perioden[0].leerjaar = Some(3);
        let huidige = [aa.clone(), bb.clone()];
        assert!(bepaal(Some(&bb), Some(&bb2), &huidige, date(VANDAAG)).is_empty());
        let mut aa2 = aa.clone();
        aa2.perioden[0].opleidingcode = "3101".into();
        assert!(bepaal(Some(&aa), Some(&aa2), &huidige, date(VANDAAG)).is_empty());
    }

    #[test]
    fn same_day_transfer_counts_as_later_for_uitschrijving_only() {
        // B starts the day A starts (parallel): no inschrijfbewijs (A is not earlier) but B is
        // "later" for the uitschrijfbewijs (B's datumInschrijving ≥ A's).
        let aa = ins("99AA", "A1", "2025-09-01", None);
        let bb = ins("99BB", "B1", "2025-09-01", None);
        let huidige = [aa.clone()];
        assert!(bepaal(None, Some(&bb), &huidige, date(VANDAAG)).is_empty());
        let aa2 = ins("99AA", "A1", "2025-09-01", Some("2025-09-10"));
        let huidige = [aa.clone(), bb.clone()];
        assert_eq!(
            bepaal(Some(&aa), Some(&aa2), &huidige, date(VANDAAG)).len(),
            1
        );
    }
}
