//! Domain types of the register, named as DUO's wire nouns, with serde so stands are stored as
//! they were delivered.

pub mod antwoord;
pub mod bericht;
pub mod examenresultaat;
pub mod inschrijving;
pub mod persoon;
pub mod terugkoppeling;

pub use antwoord::Antwoord;
pub use bericht::{Aanlevering, Bedrijfsdocument, Bericht};
pub use examenresultaat::{
    Beoordeling, CentraalExamen, Cijferlijst, Examendeel, Examenresultaat, Herkansing, Niveau,
    RedenNietDeelname, SoortWaardedocument, Uitslag, UitslagWaarde, Vak,
    VerwijderingExamenresultaat, Werkstuk,
};
pub use inschrijving::{
    Inschrijving, Ontwikkelingsperspectief, Periode, VerblijfAndereInstelling,
    VerwijderingInschrijving,
};
pub use persoon::{
    Adres, Geboortedatum, Geslacht, Identificatie, Persoon, Pgn, Zoekgegevens, ZonderPgn,
};
pub use terugkoppeling::{Ernst, Foutmelding, Sleutelgegeven, Stand, Terugkoppeling};
