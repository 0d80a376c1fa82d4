//! Processing of one delivery: waardenlijsten, idempotency (0001), the operation's checks, and —
//! only when goedgekeurd — one atomic batch with the stand, its history row, any follow-up outbox
//! messages and the idempotency record, made durable by group commit before the answer returns.
//!
//! Idempotency choice: the answer to *every* identificatiecode is recorded, afgekeurd ones too
//! (DUO: an identificatiecode identifies one message; resending it must give the same answer, and
//! a corrected message needs a new identificatiecode). An afgekeurde delivery changes nothing else;
//! its idempotency record is written without waiting for the disk (it becomes durable with the
//! next group commit — losing it in a crash only means the resend is evaluated afresh). A 0001
//! answer itself is not recorded (it would overwrite the original's).

use chrono::{DateTime, Utc};
use osp_model::Operation;
use sha2::{Digest, Sha256};

use super::vervolg::Inschrijvingswijziging;
use super::Register;
use crate::domain::{
    Aanlevering, Antwoord, Bedrijfsdocument, Bericht, Ernst, Examenresultaat, Foutmelding,
    Inschrijving, Persoon, Pgn, Stand, Terugkoppeling, VerwijderingExamenresultaat,
    VerwijderingInschrijving,
};
use crate::rules::{
    g00_bericht, g01_persoon, g02_inschrijving, g03_verwijdering, g05_examenresultaat, g09_context,
    Context,
};
use crate::service::ServiceError;
use crate::store::records::{
    self, decode, encode, key, stand_part, Herkomst, StandRecord, Standsoort, EXAMENRESULTAAT,
    INSCHRIJVING,
};
use crate::store::{Batch, Wacht};

/// Most foutmeldingen one terugkoppeling carries (SPEC §5: [0..99]).
pub const MAX_FOUTMELDINGEN: usize = 99;

/// A delivery in domain form with its transport facts.
#[derive(Debug, Clone)]
pub struct Aanleververzoek<'a> {
    /// Sandbox (SPEC §2 routing).
    pub sandbox: &'a str,
    /// Certificate OIN.
    pub certificaat_oin: &'a str,
    /// `wsa:From` OIN.
    pub from_oin: &'a str,
    /// `wsa:MessageID`.
    pub message_id: &'a str,
    /// SHA-256 (hex) of the body bytes: idempotency compares it.
    pub body_hash: String,
    /// Header and payload.
    pub aanlevering: Aanlevering,
}

/// SHA-256 hex of a body, as idempotency stores it.
pub fn body_hash(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The operation a payload belongs to.
pub fn operatie_van(bericht: &Bericht) -> Operation {
    match bericht {
        Bericht::Inschrijving(_) => Operation::AanleverenInschrijvingVO,
        Bericht::VerwijderingInschrijving(_) => Operation::AanleverenVerwijderingInschrijvingVO,
        Bericht::Identificatie(_) => Operation::AanleverenIdentificerenPersoonVO,
        Bericht::Examenresultaat(_) => Operation::AanleverenExamenresultaatVO,
        Bericht::VerwijderingExamenresultaat(_) => {
            Operation::AanleverenVerwijderingExamenresultaatVO
        }
    }
}

/// Orders foutmeldingen by code (group order of RULES.md; stable within a code) and caps them.
fn terugkoppeling(kop: &Bedrijfsdocument, mut fouten: Vec<Foutmelding>) -> Terugkoppeling {
    fouten.sort_by(|a, b| a.foutcode.cmp(&b.foutcode));
    let afkeuring = fouten.iter().any(|f| f.ernst == Ernst::Afkeuring);
    if fouten.len() > MAX_FOUTMELDINGEN {
        // Keep an AFKEURING visible when capping.
        fouten.sort_by_key(|f| f.ernst != Ernst::Afkeuring);
        fouten.truncate(MAX_FOUTMELDINGEN);
        fouten.sort_by(|a, b| a.foutcode.cmp(&b.foutcode));
    }
    let mut tk = Terugkoppeling::uit_foutmeldingen(&kop.identificatiecode, fouten);
    tk.levering_goedgekeurd = !afkeuring;
    tk
}

/// [`terugkoppeling`] for the sibling operation modules.
pub(super) fn terugkoppeling_pub(
    kop: &Bedrijfsdocument,
    fouten: Vec<Foutmelding>,
) -> Terugkoppeling {
    terugkoppeling(kop, fouten)
}

/// Parses the stand number from the last part of a history key.
fn standnummer_uit_sleutel(k: &[u8]) -> Option<u32> {
    let deel = k.rsplit(|b| *b == 0).next()?;
    std::str::from_utf8(deel).ok()?.parse().ok()
}

impl Register {
    /// Processes one delivery and returns the answer to send (stored answer on a replay).
    pub fn verwerk(&self, v: &Aanleververzoek<'_>) -> Result<Antwoord, ServiceError> {
        super::sandbox_ok(v.sandbox)?;
        let reference = self.reference();
        let ctx = Context {
            reference: &reference,
            vandaag: self.klok.vandaag(v.sandbox),
            from_oin: v.from_oin,
            strikte_brp: self.config.strikte_brp,
        };
        let kop = &v.aanlevering.kop;
        let bericht = &v.aanlevering.bericht;
        if let Bericht::Inschrijving(ins) = bericht {
            g02_inschrijving::waardenlijsten(ins, &ctx)?;
        }

        // Authorisation comes before anything that reads the register: an administratie that may
        // not deliver for this instelling learns nothing about its stands, stored answers or
        // identificatiecodes — only 0901. The answer is not recorded: it follows from the body and
        // the reference data alone, so a resend gets the same answer anyway.
        if let Some(f) = brin_van(bericht).and_then(|brin| g09_context::autorisatie(brin, &ctx)) {
            tracing::info!(from_oin = %v.from_oin, "0901: administratie niet geautoriseerd");
            return Ok(self.antwoord(v, terugkoppeling(kop, vec![f]), self.klok.nu(v.sandbox)));
        }

        // Stored answers are scoped to the sending administratie (From OIN): one administratie
        // can neither replay another's answer nor learn that its identificatiecode exists.
        let id_key = key(v.sandbox, "id", &[v.from_oin, &kop.identificatiecode]);
        let lock_key = match bericht {
            Bericht::Inschrijving(Inschrijving { pgn, .. })
            | Bericht::VerwijderingInschrijving(VerwijderingInschrijving { pgn, .. })
            | Bericht::Examenresultaat(Examenresultaat { pgn, .. })
            | Bericht::VerwijderingExamenresultaat(VerwijderingExamenresultaat { pgn, .. }) => {
                key(v.sandbox, "lock", &[&pgn.opslagsleutel()])
            }
            // Identificatie may assign a number: one at a time per sandbox.
            Bericht::Identificatie(_) => key(v.sandbox, "lock-identificatie", &[]),
        };
        let _guards = self.locks.lock(&[&id_key, &lock_key]);

        let nu = self.klok.nu(v.sandbox);
        if let Some(bytes) = self.store.get(&id_key)? {
            let vorig: Antwoord = decode(&id_key, &bytes)?;
            if let Some(f) =
                g00_bericht::hergebruikte_identificatiecode(kop, &vorig.body_hash, &v.body_hash)
            {
                tracing::info!(identificatiecode = %kop.identificatiecode, "0001: identificatiecode hergebruikt");
                let antwoord = self.antwoord(v, terugkoppeling(kop, vec![f]), nu);
                // [outbox] async: the 0001 answer is not recorded, but the school must still hear it.
                let mut batch = Batch::default();
                if self.terugkoppeling_bericht(
                    v,
                    &antwoord,
                    uuid::Uuid::new_v4().to_string(),
                    &mut batch,
                )? {
                    self.store.commit(batch, Wacht::Duurzaam)?;
                }
                return Ok(antwoord);
            }
            tracing::debug!(identificatiecode = %kop.identificatiecode, "herhaalde levering: opgeslagen antwoord");
            return Ok(vorig);
        }

        let mut batch = Batch::default();
        let tk = match bericht {
            Bericht::Inschrijving(ins) => self.inschrijving(&ctx, v, ins, nu, &mut batch)?,
            Bericht::VerwijderingInschrijving(w) => {
                self.verwijdering_inschrijving(&ctx, v, w, nu, &mut batch)?
            }
            Bericht::Identificatie(id) => self.identificatie(&ctx, v, id, &mut batch)?,
            Bericht::Examenresultaat(er) => self.examenresultaat(&ctx, v, er, nu, &mut batch)?,
            Bericht::VerwijderingExamenresultaat(w) => {
                self.verwijdering_examenresultaat(v, w, nu, &mut batch)?
            }
        };
        if !tk.levering_goedgekeurd && !batch.is_empty() {
            return Err(ServiceError::Intern(
                "afgekeurde levering zou het register wijzigen".into(),
            ));
        }
        let antwoord = self.antwoord(v, tk, nu);
        let tk_id = crate::berichten::identificatiecode(
            &kop.identificatiecode,
            v.from_oin,
            crate::berichten::Berichtsoort::TerugkoppelingInschrijving,
            0,
        );
        let als_bericht = self.terugkoppeling_bericht(v, &antwoord, tk_id, &mut batch)?;
        batch.put(id_key, encode(&antwoord)?);
        let wacht = if antwoord.terugkoppeling.levering_goedgekeurd || als_bericht {
            Wacht::Duurzaam
        } else {
            Wacht::Toegepast
        };
        self.store.commit(batch, wacht)?;
        Ok(antwoord)
    }

    /// [outbox] With `terugkoppeling.mode` async/both, appends the terugkoppeling as a message to
    /// the delivering administratie's outbox; returns whether it did.
    fn terugkoppeling_bericht(
        &self,
        v: &Aanleververzoek<'_>,
        antwoord: &Antwoord,
        identificatiecode: String,
        batch: &mut Batch,
    ) -> Result<bool, ServiceError> {
        let Some(soort) =
            crate::berichten::terugkoppeling::soort_voor(operatie_van(&v.aanlevering.bericht))
        else {
            return Ok(false);
        };
        if !self.config.terugkoppeling.als_bericht() {
            return Ok(false);
        }
        let inhoud = crate::berichten::terugkoppeling::bericht(
            soort,
            &antwoord.terugkoppeling,
            identificatiecode,
            &v.aanlevering.kop.verzendende_instantie,
            antwoord.response_datum_tijd,
        );
        let bericht = super::NieuwBericht {
            ontvanger_oin: v.from_oin.to_string(),
            soort: soort.naam().to_string(),
            inhoud,
        };
        self.outbox_in_batch(v.sandbox, bericht, batch)?;
        Ok(true)
    }

    fn antwoord(
        &self,
        v: &Aanleververzoek<'_>,
        terugkoppeling: Terugkoppeling,
        nu: DateTime<Utc>,
    ) -> Antwoord {
        Antwoord {
            body_hash: v.body_hash.clone(),
            operatie: operatie_van(&v.aanlevering.bericht).name().to_string(),
            response_identificatiecode: uuid::Uuid::new_v4().to_string(),
            response_datum_tijd: nu,
            ontvangende_instantie: v.aanlevering.kop.verzendende_instantie.clone(),
            terugkoppeling,
            terugkoppeling_in_antwoord: self.config.terugkoppeling.in_antwoord(),
        }
    }

    fn herkomst(v: &Aanleververzoek<'_>) -> Herkomst {
        Herkomst {
            identificatiecode: v.aanlevering.kop.identificatiecode.clone(),
            datum_tijd_bedrijfsdocument: v.aanlevering.kop.datum_tijd,
            certificaat_oin: v.certificaat_oin.to_string(),
            from_oin: v.from_oin.to_string(),
            message_id: v.message_id.to_string(),
        }
    }

    /// Next stand number of a key: one past the current stand, or — when the key has none (new, or
    /// removed) — one past the last in its history (numbers continue after a removal).
    fn volgend_standnummer(
        &self,
        sandbox: &str,
        soort: &str,
        delen: &[&str],
        huidig: Option<u32>,
    ) -> Result<u32, ServiceError> {
        if let Some(nr) = huidig {
            return Ok(nr + 1);
        }
        let laatste = self
            .store
            .last_with_prefix(&records::prefix(sandbox, soort, delen))?;
        Ok(laatste
            .and_then(|(k, _)| standnummer_uit_sleutel(&k))
            .unwrap_or(0)
            + 1)
    }

    /// The stored stand of a key and the 0002 foutmelding when the delivery is older than it —
    /// the opening every stand operation shares.
    fn huidige_stand<T: serde::de::DeserializeOwned>(
        &self,
        v: &Aanleververzoek<'_>,
        soort: Standsoort,
        delen: &[&str; 3],
    ) -> Result<(Option<StandRecord<T>>, Vec<Foutmelding>), ServiceError> {
        let huidig: Option<StandRecord<T>> = self.lees(&key(v.sandbox, soort.huidig, delen))?;
        let f = g00_bericht::oudere_stand(
            &v.aanlevering.kop,
            huidig
                .as_ref()
                .map(|h| h.herkomst.datum_tijd_bedrijfsdocument),
        )
        .into_iter()
        .collect();
        Ok((huidig, f))
    }

    /// Writes a new stand (or a removal when `inhoud` is `None`) of a key into the batch: the
    /// stand it supersedes moves to history, a removal is recorded there (records.rs layout).
    #[allow(clippy::too_many_arguments)]
    fn schrijf_stand<T: serde::Serialize, U: serde::Serialize>(
        &self,
        v: &Aanleververzoek<'_>,
        soort: Standsoort,
        delen: [&str; 3],
        vorige: Option<&StandRecord<U>>,
        inhoud: Option<T>,
        nu: DateTime<Utc>,
        batch: &mut Batch,
    ) -> Result<Stand, ServiceError> {
        let volgnummer = self.volgend_standnummer(
            v.sandbox,
            soort.historie,
            &delen,
            vorige.map(|h| h.volgnummer),
        )?;
        let historie_sleutel = |nr: u32| {
            let nr = stand_part(nr);
            key(
                v.sandbox,
                soort.historie,
                &[delen[0], delen[1], delen[2], &nr],
            )
        };
        if let Some(h) = vorige {
            batch.put(historie_sleutel(h.volgnummer), encode(h)?);
        }
        let record = StandRecord {
            volgnummer,
            aanlevermoment: nu,
            herkomst: Self::herkomst(v),
            inhoud,
        };
        let bytes = encode(&record)?;
        let huidig = key(v.sandbox, soort.huidig, &delen);
        if record.inhoud.is_some() {
            batch.put(huidig, bytes);
        } else {
            batch.delete(huidig);
            batch.put(historie_sleutel(volgnummer), bytes);
        }
        Ok(Stand {
            volgnummer,
            aanlevermoment: nu,
        })
    }

    fn inschrijving(
        &self,
        ctx: &Context<'_>,
        v: &Aanleververzoek<'_>,
        ins: &Inschrijving,
        nu: DateTime<Utc>,
        batch: &mut Batch,
    ) -> Result<Terugkoppeling, ServiceError> {
        let delen = [ins.brin.as_str(), ins.inschrijvingvolgnummer.as_str()];
        let (tk, huidig) = self.nieuwe_stand(
            ctx,
            v,
            INSCHRIJVING,
            &ins.pgn,
            delen,
            ins,
            nu,
            batch,
            |persoon| {
                let mut f = g02_inschrijving::controleer(ins, persoon, ctx);
                f.extend(g09_context::controleer_inschrijving(ins, ctx));
                f
            },
        )?;
        if tk.levering_goedgekeurd {
            let oud = huidig.as_ref().and_then(|h| h.inhoud.as_ref());
            self.vervolg_inschrijving(ctx, v, oud, Some(ins), nu, batch)?;
        }
        Ok(tk)
    }

    fn verwijdering_inschrijving(
        &self,
        ctx: &Context<'_>,
        v: &Aanleververzoek<'_>,
        w: &VerwijderingInschrijving,
        nu: DateTime<Utc>,
        batch: &mut Batch,
    ) -> Result<Terugkoppeling, ServiceError> {
        let (tk, huidig) = self.verwijdering::<Inschrijving>(
            v,
            INSCHRIJVING,
            (&w.pgn, &w.brin),
            ("inschrijvingvolgnummer", &w.inschrijvingvolgnummer),
            nu,
            batch,
        )?;
        if tk.levering_goedgekeurd {
            let oud = huidig.as_ref().and_then(|h| h.inhoud.as_ref());
            self.vervolg_inschrijving(ctx, v, oud, None, nu, batch)?;
        }
        Ok(tk)
    }

    fn examenresultaat(
        &self,
        ctx: &Context<'_>,
        v: &Aanleververzoek<'_>,
        er: &Examenresultaat,
        nu: DateTime<Utc>,
        batch: &mut Batch,
    ) -> Result<Terugkoppeling, ServiceError> {
        let delen = [er.brin.as_str(), er.examenresultaatvolgnummer.as_str()];
        let (tk, _) = self.nieuwe_stand(
            ctx,
            v,
            EXAMENRESULTAAT,
            &er.pgn,
            delen,
            er,
            nu,
            batch,
            |_| {
                let mut f = g05_examenresultaat::controleer(er, ctx);
                f.extend(g09_context::controleer_examenresultaat(er, ctx));
                f
            },
        )?;
        Ok(tk)
    }

    fn verwijdering_examenresultaat(
        &self,
        v: &Aanleververzoek<'_>,
        w: &VerwijderingExamenresultaat,
        nu: DateTime<Utc>,
        batch: &mut Batch,
    ) -> Result<Terugkoppeling, ServiceError> {
        let (tk, _) = self.verwijdering::<Examenresultaat>(
            v,
            EXAMENRESULTAAT,
            (&w.pgn, &w.brin),
            ("examenresultaatvolgnummer", &w.examenresultaatvolgnummer),
            nu,
            batch,
        )?;
        Ok(tk)
    }

    /// A new stand of either kind: the stored stand (0002 when the delivery is older), the
    /// person number's checks (0101–0104, against the person the number belongs to), the
    /// operation's own `checks` and — when goedgekeurd — the stand in the batch. Returns the
    /// terugkoppeling and the stand it supersedes.
    #[allow(clippy::too_many_arguments)]
    fn nieuwe_stand<T: serde::Serialize + serde::de::DeserializeOwned>(
        &self,
        ctx: &Context<'_>,
        v: &Aanleververzoek<'_>,
        soort: Standsoort,
        pgn: &Pgn,
        [brin, volgnummer]: [&str; 2],
        inhoud: &T,
        nu: DateTime<Utc>,
        batch: &mut Batch,
        checks: impl FnOnce(Option<&Persoon>) -> Vec<Foutmelding>,
    ) -> Result<(Terugkoppeling, Option<StandRecord<T>>), ServiceError> {
        let opslag = pgn.opslagsleutel();
        let delen = [opslag.as_str(), brin, volgnummer];
        let (huidig, mut f) = self.huidige_stand::<T>(v, soort, &delen)?;
        let persoon = self.bekende_persoon(v.sandbox, pgn)?;
        f.extend(g01_persoon::controleer_pgn(pgn, persoon.is_some(), ctx));
        f.extend(checks(persoon.as_ref()));
        let mut tk = terugkoppeling(&v.aanlevering.kop, f);
        if tk.levering_goedgekeurd {
            tk.stand = Some(self.schrijf_stand(
                v,
                soort,
                delen,
                huidig.as_ref(),
                Some(inhoud),
                nu,
                batch,
            )?);
        }
        Ok((tk, huidig))
    }

    /// The follow-up messages of a changed inschrijving (bewijzen, bekostiging).
    fn vervolg_inschrijving(
        &self,
        ctx: &Context<'_>,
        v: &Aanleververzoek<'_>,
        oud: Option<&Inschrijving>,
        nieuw: Option<&Inschrijving>,
        nu: DateTime<Utc>,
        batch: &mut Batch,
    ) -> Result<(), ServiceError> {
        self.vervolg(
            ctx,
            Inschrijvingswijziging {
                sandbox: v.sandbox,
                oud,
                nieuw,
                identificatiecode: &v.aanlevering.kop.identificatiecode,
                nu,
            },
            batch,
        )
    }

    /// A verwijdering of either kind: the stored stand, the checks (controlecijfer,
    /// 0301 for an unknown key) and — when goedgekeurd — the removal in the batch. Returns the
    /// terugkoppeling and the stand it removed.
    #[allow(clippy::too_many_arguments)]
    fn verwijdering<T: serde::Serialize + serde::de::DeserializeOwned>(
        &self,
        v: &Aanleververzoek<'_>,
        soort: Standsoort,
        (pgn, brin): (&Pgn, &str),
        (veld, volgnummer): (&str, &str),
        nu: DateTime<Utc>,
        batch: &mut Batch,
    ) -> Result<(Terugkoppeling, Option<StandRecord<T>>), ServiceError> {
        let opslag = pgn.opslagsleutel();
        let delen = [opslag.as_str(), brin, volgnummer];
        let (huidig, mut f) = self.huidige_stand::<T>(v, soort, &delen)?;
        f.extend(g01_persoon::controlecijfer(pgn));
        f.extend(g03_verwijdering::niet_geregistreerd(
            huidig.is_some(),
            pgn,
            brin,
            veld,
            volgnummer,
        ));
        let mut tk = terugkoppeling(&v.aanlevering.kop, f);
        if tk.levering_goedgekeurd {
            tk.stand = Some(self.schrijf_stand::<T, _>(
                v,
                soort,
                delen,
                huidig.as_ref(),
                None,
                nu,
                batch,
            )?);
        }
        Ok((tk, huidig))
    }

    /// Runs the follow-up producers and appends their messages to the delivery's batch.
    fn vervolg(
        &self,
        ctx: &Context<'_>,
        w: Inschrijvingswijziging<'_>,
        batch: &mut Batch,
    ) -> Result<(), ServiceError> {
        let producenten = self
            .producenten
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        for p in producenten {
            for bericht in p.na_inschrijving(self, w, ctx)? {
                self.outbox_in_batch(w.sandbox, bericht, batch)?;
            }
        }
        Ok(())
    }
}

/// The instelling a payload delivers for; `None` for identificatie, which asks about a person
/// and is open to every administratie.
fn brin_van(bericht: &Bericht) -> Option<&str> {
    match bericht {
        Bericht::Inschrijving(i) => Some(&i.brin),
        Bericht::VerwijderingInschrijving(w) => Some(&w.brin),
        Bericht::Examenresultaat(e) => Some(&e.brin),
        Bericht::VerwijderingExamenresultaat(w) => Some(&w.brin),
        Bericht::Identificatie(_) => None,
    }
}

/// The PGN a payload is about, for tracing.
pub fn pgn_van(bericht: &Bericht) -> Option<&Pgn> {
    match bericht {
        Bericht::Inschrijving(i) => Some(&i.pgn),
        Bericht::VerwijderingInschrijving(w) => Some(&w.pgn),
        Bericht::Examenresultaat(e) => Some(&e.pgn),
        Bericht::VerwijderingExamenresultaat(w) => Some(&w.pgn),
        Bericht::Identificatie(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stand_number_from_history_key() {
        let k = key("sb", "ih", &["B1", "99AA", "x", &stand_part(42)]);
        assert_eq!(standnummer_uit_sleutel(&k), Some(42));
        assert_eq!(body_hash(b"abc").len(), 64);
    }
}
