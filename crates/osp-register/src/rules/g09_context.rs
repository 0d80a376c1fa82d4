//! RULES.md group 09 — context (AFKEURING): the administratie's authorisation for the instelling
//! and the RIO facts of instelling, vestiging, onderwijsaanbieder and onderwijslocatie.

use chrono::NaiveDate;

use super::{d, Context, Regel};
use crate::domain::{Examenresultaat, Foutmelding, Inschrijving};

/// 0901: From OIN not authorised for `brin` (administratie → BRIN table).
pub const R0901: Regel = Regel::afkeuring(
    "0901",
    "Administratie is niet geautoriseerd voor deze instelling",
);
/// 0902: BRIN not in RIO or not active on the reference date.
pub const R0902: Regel = Regel::afkeuring("0902", "Instelling is onbekend of niet actief");
/// 0903: BRIN6 unknown or its BRIN4 differs from `brin`.
pub const R0903: Regel = Regel::afkeuring("0903", "Vestiging hoort niet bij de instelling");
/// 0904: period without onderwijsaanbieder (RIO, seed ch. 3).
pub const R0904: Regel = Regel::afkeuring("0904", "Onderwijsaanbieder ontbreekt");
/// 0905: period without onderwijslocatie.
pub const R0905: Regel = Regel::afkeuring("0905", "Onderwijslocatie ontbreekt");
/// 0906: onderwijsaanbieder not of this instelling.
pub const R0906: Regel =
    Regel::afkeuring("0906", "Onderwijsaanbieder hoort niet bij de instelling");
/// 0907: onderwijslocatie unknown in RIO.
pub const R0907: Regel = Regel::afkeuring("0907", "Onderwijslocatie is onbekend");

/// The rules of this group.
pub const REGELS: &[Regel] = &[R0901, R0902, R0903, R0904, R0905, R0906, R0907];

/// 0901 for any delivery carrying a `brin`. The register checks it before anything else and
/// answers an unauthorised delivery with 0901 alone, so the other checks of this group assume it.
pub fn autorisatie(brin: &str, ctx: &Context<'_>) -> Option<Foutmelding> {
    (!ctx.reference.administratie_mag(ctx.from_oin, brin)).then(|| R0901.fout(&[("brin", brin)]))
}

/// 0902: the instelling must exist and be active on `peildatum`.
pub fn instelling_actief(
    brin: &str,
    peildatum: NaiveDate,
    ctx: &Context<'_>,
) -> Option<Foutmelding> {
    let actief = ctx
        .reference
        .instellingen
        .get(brin)
        .is_some_and(|i| i.geldigheid.geldig_op(peildatum));
    (!actief).then(|| R0902.fout(&[("brin", brin)]))
}

/// 0903: the vestiging must exist and belong to `brin`.
pub fn vestiging_van_instelling(
    brin: &str,
    vestiging: &str,
    sleutels: &[(&str, &str)],
    ctx: &Context<'_>,
) -> Option<Foutmelding> {
    let hoort = ctx
        .reference
        .vestigingen
        .get(vestiging)
        .is_some_and(|v| v.brin == brin);
    (!hoort).then(|| {
        let mut s = sleutels.to_vec();
        s.push(("vestiging", vestiging));
        R0903.fout(&s)
    })
}

/// 0906 (inschrijving) / 0501 (examenresultaat): the aanbieder must exist and belong to `brin`.
pub fn aanbieder_van_instelling(brin: &str, aanbieder: &str, ctx: &Context<'_>) -> bool {
    ctx.reference
        .onderwijsaanbieders
        .get(aanbieder)
        .is_some_and(|a| a.brin == brin)
}

/// The group-09 checks of an inschrijving after authorisation: 0902 on datumInschrijving, per
/// period 0903–0907.
pub fn controleer_inschrijving(ins: &Inschrijving, ctx: &Context<'_>) -> Vec<Foutmelding> {
    let mut uit = Vec::new();
    uit.extend(instelling_actief(&ins.brin, ins.datum_inschrijving, ctx));
    let volg = ins.inschrijvingvolgnummer.as_str();
    for p in ins.perioden_op_datum() {
        let begin = d(p.datum_begin);
        let basis = [
            ("inschrijvingvolgnummer", volg),
            ("datumBegin", begin.as_str()),
        ];
        uit.extend(vestiging_van_instelling(
            &ins.brin,
            &p.vestiging,
            &basis,
            ctx,
        ));
        match &p.onderwijsaanbieder {
            None => uit.push(R0904.fout(&basis)),
            Some(a) if !aanbieder_van_instelling(&ins.brin, a, ctx) => {
                uit.push(R0906.fout(&[basis[0], basis[1], ("onderwijsaanbieder", a)]));
            }
            Some(_) => {}
        }
        match &p.onderwijslocatie {
            None => uit.push(R0905.fout(&basis)),
            Some(l) => {
                let bekend = ctx
                    .reference
                    .onderwijslocaties
                    .get(l)
                    .is_some_and(|loc| loc.geldigheid.geldig_op(p.datum_begin));
                if !bekend {
                    uit.push(R0907.fout(&[basis[0], basis[1], ("onderwijslocatie", l)]));
                }
            }
        }
    }
    uit
}

/// Group-09 checks of an examenresultaat after authorisation: 0902 (on datumUitslag, else the register date)
/// and 0903 for its vestiging. Its aanbieder is rule 0501 (group 05).
pub fn controleer_examenresultaat(er: &Examenresultaat, ctx: &Context<'_>) -> Vec<Foutmelding> {
    let mut uit = Vec::new();
    let peildatum = er.uitslag.as_ref().map_or(ctx.vandaag, |u| u.datum_uitslag);
    uit.extend(instelling_actief(&er.brin, peildatum, ctx));
    if let Some(v) = &er.vestiging {
        let basis = [(
            "examenresultaatvolgnummer",
            er.examenresultaatvolgnummer.as_str(),
        )];
        uit.extend(vestiging_van_instelling(&er.brin, v, &basis, ctx));
    }
    uit
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::g02_inschrijving::tests::sanne;
    use crate::rules::testkit::{codes, ctx, date};

    fn check(ins: &Inschrijving, c: &Context<'_>) -> Vec<String> {
        codes(&controleer_inschrijving(ins, c))
            .into_iter()
            .map(String::from)
            .collect()
    }

    #[test]
    fn valid_context_passes() {
        assert!(check(&sanne(), &ctx()).is_empty());
        // SubOIN of 99AA is authorised too
        let c = Context {
            from_oin: "00000004000000099000",
            ..ctx()
        };
        assert!(autorisatie("99AA", &c).is_none());
    }

    #[test]
    fn r0901_administratie_not_authorised() {
        let c = Context {
            from_oin: "0000000700099BB00000",
            ..ctx()
        };
        let f: Vec<_> = autorisatie("99AA", &c).into_iter().collect();
        assert_eq!(codes(&f), ["0901"]);
        assert_eq!(f[0].sleutelgegevens[0].sleutelwaarde, "99AA");
        assert!(autorisatie("99AA", &ctx()).is_none());
        let c = Context {
            from_oin: "00000003123456780000",
            ..ctx()
        }; // a vendor is no administratie
        assert!(autorisatie("99AA", &c).is_some());
    }

    #[test]
    fn r0902_instelling_unknown_or_inactive() {
        let mut i = sanne();
        i.brin = "98ZZ".into();
        let c = check(&i, &ctx());
        assert!(c.contains(&"0902".to_string()));
        // not active: before RIO validity (2000-01-01)
        let mut j = sanne();
        j.datum_inschrijving = date("1999-12-31");
        assert_eq!(check(&j, &ctx()), ["0902"]);
        assert!(instelling_actief("99AA", date("2000-01-01"), &ctx()).is_none());
    }

    #[test]
    fn r0903_vestiging_not_of_instelling() {
        let mut i = sanne();
        i.perioden[0].vestiging = "99BB00".into();
        let f = controleer_inschrijving(&i, &ctx());
        assert_eq!(codes(&f), ["0903"]);
        assert_eq!(f[0].sleutelgegevens[2].sleutelwaarde, "99BB00");
        i.perioden[0].vestiging = "99AA99".into();
        assert_eq!(check(&i, &ctx()), ["0903"]);
        i.perioden[0].vestiging = "99AA01".into();
        assert!(check(&i, &ctx()).is_empty());
    }

    #[test]
    fn r0904_r0905_missing_aanbieder_locatie() {
        let mut i = sanne();
        i.perioden[0].onderwijsaanbieder = None;
        assert_eq!(check(&i, &ctx()), ["0904"]);
        let mut j = sanne();
        j.perioden[1].onderwijslocatie = None;
        assert_eq!(check(&j, &ctx()), ["0905"]);
    }

    #[test]
    fn r0906_aanbieder_not_of_instelling() {
        let mut i = sanne();
        i.perioden[0].onderwijsaanbieder = Some("100A002".into());
        assert_eq!(check(&i, &ctx()), ["0906"]);
        i.perioden[0].onderwijsaanbieder = Some("999A999".into());
        assert_eq!(check(&i, &ctx()), ["0906"]);
    }

    #[test]
    fn r0907_locatie_unknown() {
        let mut i = sanne();
        i.perioden[0].onderwijslocatie = Some("999X999".into());
        assert_eq!(check(&i, &ctx()), ["0907"]);
        // near miss: another known location of the same instelling (its vestiging link is KWC 0817)
        i.perioden[0].onderwijslocatie = Some("100X002".into());
        assert!(check(&i, &ctx()).is_empty());
    }
}
