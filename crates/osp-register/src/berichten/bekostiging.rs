//! Bekostigingsbericht (`verstrekkenBekostigingVO`, SPEC §7, seed ch. 3): DUO's funding decision
//! for one inschrijving (RULES group 07, decided in `rules::g07_bekostiging`), sent to the school
//! after each registered stand and, spontaneously, to another school whose decision a delivery
//! changed (e.g. a double inschrijving on the teldatum appears or disappears).

use super::{aan_administraties, el, huidige_inschrijvingen, Berichtsoort};
use crate::domain::{Inschrijving, Pgn};
use crate::register::{Inschrijvingswijziging, NieuwBericht, RegisterLezer, Vervolgberichten};
use crate::rules::g07_bekostiging::{beoordeel, Beoordeling};
use crate::rules::Context;
use crate::service::ServiceError;

/// The body of a `verstrekkenBekostigingVO_Request` after its header.
pub fn inhoud(ins: &Inschrijving, b: &Beoordeling) -> String {
    let mut out = String::with_capacity(512);
    el(&mut out, "obv", ins.pgn.element(), ins.pgn.nummer());
    el(&mut out, "obv", "brin", &ins.brin);
    el(
        &mut out,
        "obv",
        "inschrijvingvolgnummer",
        &ins.inschrijvingvolgnummer,
    );
    el(
        &mut out,
        "obv",
        "indicatieBekostigd",
        if b.bekostigd { "true" } else { "false" },
    );
    if let Some(d) = b.datum_eerste_inschrijving_nederland {
        el(
            &mut out,
            "obv",
            "datumEersteInschrijvingNederland",
            &d.format("%Y-%m-%d").to_string(),
        );
    }
    el(
        &mut out,
        "obv",
        "indicatieNieuwkomersbekostiging",
        if b.nieuwkomersbekostiging {
            "true"
        } else {
            "false"
        },
    );
    for s in &b.signalen {
        out.push_str("<obv:bekostigingssignaal>");
        el(&mut out, "obv", "code", s.code);
        el(&mut out, "obv", "tekst", s.fouttekst);
        out.push_str("</obv:bekostigingssignaal>");
    }
    out
}

/// The producer of bekostigingsberichten, registered by default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bekostiging;

fn zelfde_sleutel(a: &Inschrijving, b: &Inschrijving) -> bool {
    a.pgn == b.pgn && a.brin == b.brin && a.inschrijvingvolgnummer == b.inschrijvingvolgnummer
}

impl Vervolgberichten for Bekostiging {
    fn na_inschrijving(
        &self,
        lezer: &dyn RegisterLezer,
        w: Inschrijvingswijziging<'_>,
        ctx: &Context<'_>,
    ) -> Result<Vec<NieuwBericht>, ServiceError> {
        let Some((deze, huidige)) = huidige_inschrijvingen(lezer, &w)? else {
            return Ok(Vec::new());
        };
        let voor: Vec<&Inschrijving> = huidige.iter().collect();
        let mut na: Vec<&Inschrijving> = huidige
            .iter()
            .filter(|i| !zelfde_sleutel(i, deze))
            .collect();
        na.extend(w.nieuw);
        let persoon = match &deze.pgn {
            Pgn::Burgerservicenummer(n) => ctx.reference.brp_persoon(n),
            Pgn::Onderwijsnummer(_) => None,
        };
        let beoordeel = |i: &Inschrijving, alle: &[&Inschrijving]| {
            beoordeel(i, alle, persoon, ctx.reference, ctx.vandaag)
        };

        // The changed inschrijving itself, then every other one whose decision this change altered.
        let mut te_melden: Vec<(&Inschrijving, Beoordeling)> = Vec::new();
        if let Some(n) = w.nieuw {
            te_melden.push((n, beoordeel(n, &na)));
        }
        for ander in huidige.iter().filter(|i| !zelfde_sleutel(i, deze)) {
            let na_besluit = beoordeel(ander, &na);
            if beoordeel(ander, &voor) != na_besluit {
                te_melden.push((ander, na_besluit));
            }
        }

        let mut uit = Vec::new();
        for (ins, besluit) in te_melden {
            let inhoud = inhoud(ins, &besluit);
            let soort = Berichtsoort::Bekostiging;
            aan_administraties(&mut uit, soort, &ins.brin, &inhoud, &w, ctx.reference);
        }
        Ok(uit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Periode;
    use crate::rules::g07_bekostiging::R0704;
    use crate::rules::testkit::date;

    #[test]
    fn body_has_the_xsd_order() {
        let y = Inschrijving {
            pgn: Pgn::Burgerservicenummer("999990020".into()),
            brin: "99BB".into(),
            inschrijvingvolgnummer: "B1".into(),
            datum_inschrijving: date("2025-08-20"),
            datum_uitschrijving: None,
            perioden: vec![Periode {
                datum_begin: date("2025-08-20"),
                onderwijsaanbieder: None,
                onderwijslocatie: None,
                opleidingcode: "3001".into(),
                aanvullende_opleidingen: vec![],
                vestiging: "99BB00".into(),
                leerjaar: Some(2),
                indicatie_bekostigbaar: true,
                experimenten: vec![],
                indicatie_nieuwkomersbekostiging: None,
            }],
            ontwikkelingsperspectieven: vec![],
            verblijven_andere_instelling: vec![],
        };
        let besluit = Beoordeling {
            bekostigd: true,
            datum_eerste_inschrijving_nederland: Some(date("2025-08-20")),
            nieuwkomersbekostiging: true,
            signalen: vec![R0704],
        };
        let t = inhoud(&y, &besluit);
        assert_eq!(
            t,
            "<obv:burgerservicenummer>999990020</obv:burgerservicenummer><obv:brin>99BB</obv:brin>\
<obv:inschrijvingvolgnummer>B1</obv:inschrijvingvolgnummer><obv:indicatieBekostigd>true</obv:indicatieBekostigd>\
<obv:datumEersteInschrijvingNederland>2025-08-20</obv:datumEersteInschrijvingNederland>\
<obv:indicatieNieuwkomersbekostiging>true</obv:indicatieNieuwkomersbekostiging>\
<obv:bekostigingssignaal><obv:code>0704</obv:code><obv:tekst>Nieuwkomersbekostiging toegekend</obv:tekst></obv:bekostigingssignaal>"
        );
    }
}
