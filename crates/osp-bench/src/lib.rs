//! Benchmarks of osp against the limit of its own transport and against a vendor's scripted
//! peer mock: a load generator, an echo baseline on the gateway's listener,
//! in-process replay throughput and a bulk loader for the scale measurements.
//!
//! Everything here sends traffic to 127.0.0.1 only and stops by itself (bounded count/time).

pub mod load;
pub mod personen;
pub mod proces;
pub mod rapport;
pub mod rapport_md;
pub mod referentie;
pub mod replay;
pub mod scale;
pub mod stand;
pub mod startup;

/// OIN of the dev administratie (school 99AA) that sends every generated stand: the client
/// certificate OIN and `wsa:From` agree, so no mandate is involved.
pub const AFZENDER_OIN: &str = "0000000700099AA00000";

/// Register date the benchmarks pin (`--today`), so the generated 2025/2026 school year is
/// current and results do not depend on the machine's clock.
pub const BENCH_VANDAAG: &str = "2025-10-01";

/// Fixed body of the echo baseline: a real-sized ontvangstBevestiging with terugkoppeling, so
/// echo moves as many bytes as osp's own answer.
pub const ECHO_ANTWOORD: &str = "<ins:aanleverenInschrijvingVO_Response xmlns:ins=\"http://duo.nl/schema/DUO_VOAanlevering_InschrijvingVO_V1\" xmlns:bas=\"http://duo.nl/schema/DUO_VOBasisschema_Inschrijving_V1\" xmlns:tk=\"http://duo.nl/schema/DUO_VOBasisschema_Terugkoppeling_V1\"><bas:identificatiecodeBedrijfsdocument>9a4e1f0c-7d33-4b8e-a2c1-55e0f3b9d7aa</bas:identificatiecodeBedrijfsdocument><bas:verzendendeInstantie>DUO</bas:verzendendeInstantie><bas:ontvangendeInstantie>99AA</bas:ontvangendeInstantie><bas:datumTijdBedrijfsdocument>2025-09-01T08:15:00.042Z</bas:datumTijdBedrijfsdocument><bas:ontvangstBevestiging>J</bas:ontvangstBevestiging><ins:terugkoppeling><tk:identificatiecodeBedrijfsdocument>0d9b7c3e-51a2-4c4f-8e0b-2f6a9d1c7b10</tk:identificatiecodeBedrijfsdocument><tk:leveringGoedgekeurd>true</tk:leveringGoedgekeurd><tk:stand><tk:volgnummer>1</tk:volgnummer><tk:aanlevermoment>2025-09-01T08:15:00.041Z</tk:aanlevermoment></tk:stand></ins:terugkoppeling></ins:aanleverenInschrijvingVO_Response>";

/// Why a benchmark step failed (setup, not a measured error).
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// Reading or writing a file failed.
    #[error("{pad}: {bron}")]
    Io {
        /// The file.
        pad: std::path::PathBuf,
        /// Underlying error.
        bron: std::io::Error,
    },
    /// Something in the setup is not as the benchmark needs it.
    #[error("{0}")]
    Opzet(String),
}
