//! `aanleverenIdentificerenPersoonVO_Request` (generated type of osp-model) → the domain's
//! [`Identificatie`].

use osp_model::messages::{gwb, idp, inf, AanleverenIdentificerenPersoonVORequest};

use super::waarden::{kop, Onmogelijk};
use crate::domain::{
    Aanlevering, Adres, Bericht, Geboortedatum, Geslacht, Identificatie, Zoekgegevens, ZonderPgn,
};

fn geslacht(g: gwb::GeslachtType) -> Geslacht {
    match g {
        gwb::GeslachtType::_1 => Geslacht::Man,
        gwb::GeslachtType::_2 => Geslacht::Vrouw,
        gwb::GeslachtType::_3 => Geslacht::Onbekend,
    }
}

fn adres(a: inf::ZonderPgnContent34Type) -> Adres {
    match a {
        inf::ZonderPgnContent34Type::BinnenlandsAdres(b) => Adres::Binnenlands {
            straatnaam: b.straatnaam.map(|x| x.0),
            huisnummer: b.huisnummer.map(|x| x.0),
            huisletter: b.huisletter.map(|x| x.0),
            huisnummer_toevoeging: b.huisnummer_toevoeging.map(|x| x.0),
            postcode: b.postcode.map(|x| x.0),
            plaatsnaam: b.plaatsnaam.map(|x| x.0),
        },
        inf::ZonderPgnContent34Type::BuitenlandsAdres(b) => Adres::Buitenlands {
            adresregels: std::iter::once(b.adresregel_buitenland_1.0)
                .chain(b.adresregel_buitenland_2.map(|x| x.0))
                .chain(b.adresregel_buitenland_3.map(|x| x.0))
                .collect(),
            landcode: Some(b.landcode.0),
        },
    }
}

/// An identificatie request in domain form.
pub fn identificatie(
    r: AanleverenIdentificerenPersoonVORequest,
) -> Result<Aanlevering, Onmogelijk> {
    let kop = kop(
        r.identificatiecode_bedrijfsdocument,
        r.verzendende_instantie,
        r.ontvangende_instantie,
        &r.datum_tijd_bedrijfsdocument,
    )?;
    let geboortedatum = Geboortedatum::parse(&r.geboorte_datum.0).ok_or_else(|| Onmogelijk {
        element: "geboorteDatum",
        waarde: r.geboorte_datum.0.clone(),
    })?;
    let zoek = match r.content_39 {
        idp::AanleverenIdentificerenPersoonVoRequestContent39Type::MetPgn(m) => {
            Zoekgegevens::MetPgn(m.into())
        }
        idp::AanleverenIdentificerenPersoonVoRequestContent39Type::ZonderPgn(z) => {
            Zoekgegevens::ZonderPgn(ZonderPgn {
                achternaam: z.achternaam.0,
                voorvoegsels: z.voorvoegsels.map(|x| x.0),
                voornamen: z.voornamen.map(|x| x.0),
                adres: Some(adres(z.content_34)),
            })
        }
    };
    Ok(Aanlevering {
        kop,
        bericht: Bericht::Identificatie(Identificatie {
            huidig_onderwijsnummer: r.huidig_onderwijsnummer.map(|x| x.0),
            geboortedatum,
            geslacht: geslacht(r.geslacht),
            zoek,
        }),
    })
}
