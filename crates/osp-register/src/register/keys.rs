//! What names a stand history, and the check every sandbox name passes before it becomes a key
//! prefix (the byte layout of keys is store/records.rs).

use crate::domain::Pgn;

use super::RegisterError;

/// Which stand history to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StandSleutel {
    /// (PGN, brin, inschrijvingvolgnummer).
    Inschrijving {
        /// Person.
        pgn: Pgn,
        /// BRIN4.
        brin: String,
        /// The school's volgnummer.
        inschrijvingvolgnummer: String,
    },
    /// (PGN, brin, examenresultaatvolgnummer).
    Examenresultaat {
        /// Person.
        pgn: Pgn,
        /// BRIN4.
        brin: String,
        /// The school's volgnummer.
        examenresultaatvolgnummer: String,
    },
}

/// Checks a sandbox name before it becomes a key prefix.
pub(crate) fn sandbox_ok(sandbox: &str) -> Result<(), RegisterError> {
    if sandbox.is_empty() || sandbox.contains('\0') {
        return Err(RegisterError::Sandbox(sandbox.to_string()));
    }
    Ok(())
}
