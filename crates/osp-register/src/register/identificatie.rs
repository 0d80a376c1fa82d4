//! `aanleverenIdentificerenPersoonVO`: metPGN confirms a known number; zonderPGN finds the person
//! among the proef-BRP and this sandbox's onderwijsnummer persons, or assigns a new
//! onderwijsnummer — deterministic from the input (same input ⇒ same number), with a valid check
//! digit, never one another person of the sandbox holds.

use sha2::{Digest, Sha256};

use super::verwerking::Aanleververzoek;
use super::Register;
use crate::checkdigit::onderwijsnummer_met_controlecijfer;
use crate::domain::persoon::naam_sleutel;
use crate::domain::{Identificatie, Persoon, Pgn, Terugkoppeling, Zoekgegevens, ZonderPgn};
use crate::rules::{g01_persoon, Context};
use crate::service::ServiceError;
use crate::store::records::{decode, encode, key, prefix};
use crate::store::Batch;

/// How many consecutive bases are tried before giving up (collisions are rare: 10⁸ bases).
const MAX_POGINGEN: u32 = 10_000;

/// The normalised identificatie input the onderwijsnummer is derived from.
fn invoer(id: &Identificatie, z: &ZonderPgn) -> String {
    let n = |s: &Option<String>| s.as_deref().map(naam_sleutel).unwrap_or_default();
    format!(
        "{}|{}|{}|{}|{}",
        naam_sleutel(&z.achternaam),
        n(&z.voorvoegsels),
        n(&z.voornamen),
        id.geboortedatum.tekst(),
        id.geslacht.code()
    )
}

/// First 8-digit base to try for this input: 10000000..=99999999 from the input's SHA-256.
fn startbasis(invoer: &str) -> u32 {
    let h = Sha256::digest(invoer.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&h[..8]);
    (u64::from_be_bytes(b) % 90_000_000 + 10_000_000) as u32
}

impl Register {
    pub(super) fn identificatie(
        &self,
        ctx: &Context<'_>,
        v: &Aanleververzoek<'_>,
        id: &Identificatie,
        batch: &mut Batch,
    ) -> Result<Terugkoppeling, ServiceError> {
        let sb = v.sandbox;
        let mut f = Vec::new();
        f.extend(g01_persoon::geboortedatum_in_toekomst(
            &id.geboortedatum,
            ctx,
        ));
        if let Some(own) = &id.huidig_onderwijsnummer {
            let pgn = Pgn::Onderwijsnummer(own.clone());
            let bekend = self.bekende_persoon(sb, &pgn)?.is_some();
            f.extend(g01_persoon::controleer_pgn(&pgn, bekend, ctx));
        }
        let mut gevonden = None;
        let mut nieuw = None;
        match &id.zoek {
            Zoekgegevens::MetPgn(pgn) => {
                let bekend = self.bekende_persoon(sb, pgn)?.is_some();
                let fouten = g01_persoon::controleer_pgn(pgn, bekend, ctx);
                if fouten.is_empty() {
                    gevonden = Some(pgn.clone());
                }
                f.extend(fouten);
            }
            Zoekgegevens::ZonderPgn(z) => {
                let kandidaten = self.zoek_personen(sb, ctx, id, z)?;
                match kandidaten.as_slice() {
                    [] => {
                        let p = self.nieuw_onderwijsnummer(sb, id, z)?;
                        gevonden = Some(p.pgn.clone());
                        nieuw = Some(p);
                    }
                    [een] => gevonden = Some(een.clone()),
                    meer => f.extend(g01_persoon::niet_eenduidig(
                        meer.len(),
                        &z.achternaam,
                        &id.geboortedatum,
                    )),
                }
            }
        }
        let mut tk = super::verwerking::terugkoppeling_pub(&v.aanlevering.kop, f);
        if !tk.levering_goedgekeurd {
            return Ok(tk);
        }
        if let Some(p) = nieuw {
            let own = p.pgn.nummer().to_string();
            batch.put(key(sb, "own", &[&own]), encode(&p)?);
            batch.put(
                key(sb, "pn", &[&naam_sleutel(&p.achternaam), &own]),
                Vec::new(),
            );
            tracing::info!(sandbox = sb, onderwijsnummer = %own, "onderwijsnummer uitgegeven");
        }
        tk.persoon = gevonden;
        Ok(tk)
    }

    /// Known persons matching zonderPGN data: proef-BRP first, then this sandbox's OWN persons.
    fn zoek_personen(
        &self,
        sb: &str,
        ctx: &Context<'_>,
        id: &Identificatie,
        z: &ZonderPgn,
    ) -> Result<Vec<Pgn>, ServiceError> {
        let mut uit: Vec<Pgn> = ctx
            .reference
            .brp_met_achternaam(&z.achternaam)
            .filter(|p| p.past_bij(id, z))
            .map(|p| p.pgn.clone())
            .collect();
        for (k, _) in self
            .store
            .scan_prefix(&prefix(sb, "pn", &[&naam_sleutel(&z.achternaam)]))?
        {
            let own = String::from_utf8_lossy(k.rsplit(|b| *b == 0).next().unwrap_or_default())
                .to_string();
            let pk = key(sb, "own", &[&own]);
            if let Some(bytes) = self.store.get(&pk)? {
                let p: Persoon = decode(&pk, &bytes)?;
                if p.past_bij(id, z) {
                    uit.push(p.pgn);
                }
            }
        }
        uit.sort();
        uit.dedup();
        Ok(uit)
    }

    /// Derives a free onderwijsnummer from the input and builds the person to register.
    fn nieuw_onderwijsnummer(
        &self,
        sb: &str,
        id: &Identificatie,
        z: &ZonderPgn,
    ) -> Result<Persoon, ServiceError> {
        let mut basis = startbasis(&invoer(id, z));
        for _ in 0..MAX_POGINGEN {
            if let Some(own) = onderwijsnummer_met_controlecijfer(basis) {
                if self.store.get(&key(sb, "own", &[&own]))?.is_none() {
                    return Ok(Persoon {
                        pgn: Pgn::Onderwijsnummer(own),
                        achternaam: z.achternaam.clone(),
                        voorvoegsels: z.voorvoegsels.clone(),
                        voornamen: z.voornamen.clone(),
                        geboortedatum: id.geboortedatum,
                        geslacht: id.geslacht,
                        nationaliteit: None,
                        datum_vestiging_nl: None,
                        datum_overlijden: None,
                        adres: z.adres.clone(),
                        adres_geheim: false,
                        puntadres: false,
                    });
                }
            }
            basis = if basis >= 99_999_999 {
                10_000_000
            } else {
                basis + 1
            };
        }
        Err(ServiceError::Intern(
            "geen vrij onderwijsnummer gevonden".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Geboortedatum, Geslacht};

    #[test]
    fn start_base_is_eight_digits_and_deterministic() {
        let id = Identificatie {
            huidig_onderwijsnummer: None,
            geboortedatum: Geboortedatum::parse("2011-04-00").unwrap(),
            geslacht: Geslacht::Vrouw,
            zoek: Zoekgegevens::ZonderPgn(ZonderPgn {
                achternaam: "Haddad".into(),
                voorvoegsels: None,
                voornamen: Some("Lina".into()),
                adres: None,
            }),
        };
        let Zoekgegevens::ZonderPgn(z) = &id.zoek else {
            unreachable!()
        };
        let a = startbasis(&invoer(&id, z));
        assert!((10_000_000..=99_999_999).contains(&a));
        let mut z2 = z.clone();
        z2.achternaam = "  HADDAD ".into();
        assert_eq!(startbasis(&invoer(&id, &z2)), a);
        z2.voornamen = Some("Lena".into());
        assert_ne!(startbasis(&invoer(&id, &z2)), a);
    }
}
