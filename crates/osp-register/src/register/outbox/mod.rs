//! The outbox: DUO→school messages per recipient administratie, in order and durable (SPEC §7).
//! Ids are reserved when a batch is built and released once its commit is over, so a reader never
//! passes an id that becomes visible later. Schools read and acknowledge their messages with
//! `ophalenBerichtenVO` / `bevestigenBerichtenVO` ([`ophalen`]).

pub(crate) mod ophalen;

use std::sync::{Arc, PoisonError};

use super::{sandbox_ok, NieuwBericht, Register, RegisterError};
/// A message in the outbox as [`Register::outbox_read`] returns it.
pub use crate::store::records::OutboxBericht;
use crate::store::records::{decode, encode, key, outbox_part, prefix};
use crate::store::{Batch, StoreError, Wacht};

/// Outbox ids handed out to batches whose commit has not finished (see [`Register::outbox_read`]).
#[derive(Debug, Default)]
pub(crate) struct Uitgifte {
    open: std::sync::Mutex<std::collections::BTreeSet<u64>>,
}

impl Uitgifte {
    /// The open ids; a panic elsewhere cannot leave the set inconsistent (single inserts/removes).
    fn open(&self) -> std::sync::MutexGuard<'_, std::collections::BTreeSet<u64>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One handed-out outbox id; travels in the batch and is released when the store drops it.
struct Reservering {
    uitgifte: Arc<Uitgifte>,
    id: u64,
}

impl Drop for Reservering {
    fn drop(&mut self) {
        self.uitgifte.open().remove(&self.id);
    }
}

impl Register {
    /// Appends one outbox message on its own, durably; returns its id. Producers' messages are
    /// appended inside the delivery's batch instead.
    pub fn outbox_append(
        &self,
        sandbox: &str,
        bericht: NieuwBericht,
    ) -> Result<u64, RegisterError> {
        sandbox_ok(sandbox)?;
        let mut batch = Batch::default();
        let id = self.outbox_in_batch(sandbox, bericht, &mut batch)?;
        self.store.commit(batch, Wacht::Duurzaam)?;
        Ok(id)
    }

    /// Unacknowledged outbox messages of a recipient with id > `after`, oldest first, at most `max`.
    pub fn outbox_read(
        &self,
        sandbox: &str,
        oin: &str,
        after: u64,
        max: usize,
    ) -> Result<Vec<OutboxBericht>, RegisterError> {
        sandbox_ok(sandbox)?;
        let pre = prefix(sandbox, "ob", &[oin]);
        let mut vanaf = pre.clone();
        vanaf.extend_from_slice(outbox_part(after).as_bytes());
        let mut uit = Vec::new();
        let mut cursor = vanaf;
        // Ids are taken when a batch is built and batches are applied in any order, so a message
        // may be visible while a lower id is still on its way. Stop below the lowest id still
        // out: a cursor at the last message read then never passes one that appears later.
        // Holding the lock during the scan keeps new ids (all higher) from being handed out.
        let open = self.uitgifte.open();
        let grens = open.first().copied().unwrap_or(u64::MAX);
        // Acknowledged messages are skipped; read in pages until `max` unacknowledged are found.
        'lezen: while uit.len() < max {
            let page = self.store.scan_after(&pre, &cursor, max.max(16))?;
            let Some((last, _)) = page.last() else { break };
            cursor = last.clone();
            for (k, v) in &page {
                let b: OutboxBericht = decode(k, v)?;
                if b.id >= grens {
                    break 'lezen;
                }
                if !b.bevestigd && uit.len() < max {
                    uit.push(b);
                }
            }
        }
        drop(open);
        Ok(uit)
    }

    /// Marks outbox messages of a recipient acknowledged; returns how many were newly acked.
    pub fn outbox_ack(
        &self,
        sandbox: &str,
        oin: &str,
        ids: &[u64],
    ) -> Result<usize, RegisterError> {
        sandbox_ok(sandbox)?;
        let mut batch = Batch::default();
        for id in ids {
            let k = key(sandbox, "ob", &[oin, &outbox_part(*id)]);
            if let Some(v) = self.store.get(&k)? {
                let mut b: OutboxBericht = decode(&k, &v)?;
                if !b.bevestigd {
                    b.bevestigd = true;
                    batch.put(k, encode(&b)?);
                }
            }
        }
        let n = batch.ops.len();
        if n > 0 {
            self.store.commit(batch, Wacht::Duurzaam)?;
        }
        Ok(n)
    }

    pub(crate) fn outbox_in_batch(
        &self,
        sandbox: &str,
        bericht: NieuwBericht,
        batch: &mut Batch,
    ) -> Result<u64, StoreError> {
        let id = {
            let mut open = self.uitgifte.open();
            let id = self.store.next_id()?;
            open.insert(id);
            id
        };
        batch.bewakers.push(Box::new(Reservering {
            uitgifte: self.uitgifte.clone(),
            id,
        }));
        let record = OutboxBericht {
            id,
            ontvanger_oin: bericht.ontvanger_oin,
            soort: bericht.soort,
            inhoud: bericht.inhoud,
            aangemaakt: self.klok.nu(sandbox),
            bevestigd: false,
        };
        batch.put(
            key(sandbox, "ob", &[&record.ontvanger_oin, &outbox_part(id)]),
            encode(&record)?,
        );
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::Reference;
    use crate::register::RegisterConfig;

    fn bericht(n: u32) -> NieuwBericht {
        NieuwBericht {
            ontvanger_oin: "00000001234567890000".into(),
            soort: "proef".into(),
            inhoud: format!("<b>{n}</b>"),
        }
    }

    fn register(config: RegisterConfig) -> (tempfile::TempDir, Register) {
        let dir = tempfile::tempdir().unwrap();
        let r = Register::open(dir.path(), Reference::default(), config).unwrap();
        (dir, r)
    }

    fn ids(r: &Register, after: u64) -> Vec<u64> {
        r.outbox_read("s", "00000001234567890000", after, 100)
            .unwrap()
            .iter()
            .map(|b| b.id)
            .collect()
    }

    /// Two deliveries take ids 1 and 2; the second is applied first. A reader must not see 2
    /// while 1 is still out, or a cursor at 2 would never see 1.
    #[test]
    fn a_reader_never_sees_past_an_outbox_id_still_being_committed() {
        let (_dir, r) = register(RegisterConfig::wegwerp(None));
        let mut eerste = Batch::default();
        let a = r.outbox_in_batch("s", bericht(1), &mut eerste).unwrap();
        let mut tweede = Batch::default();
        let b = r.outbox_in_batch("s", bericht(2), &mut tweede).unwrap();
        assert!(a < b);
        r.store.commit(tweede, Wacht::Duurzaam).unwrap();
        assert_eq!(ids(&r, 0), Vec::<u64>::new(), "{b} waits for {a}");
        r.store.commit(eerste, Wacht::Duurzaam).unwrap();
        assert_eq!(ids(&r, 0), vec![a, b]);
        assert_eq!(ids(&r, a), vec![b]);
    }

    /// A batch that is never committed (the delivery failed after taking an id) releases it.
    #[test]
    fn an_abandoned_batch_releases_its_outbox_id() {
        let (_dir, r) = register(RegisterConfig::wegwerp(None));
        let mut weg = Batch::default();
        r.outbox_in_batch("s", bericht(1), &mut weg).unwrap();
        let id = r.outbox_append("s", bericht(2)).unwrap();
        assert!(ids(&r, 0).is_empty());
        drop(weg);
        assert_eq!(ids(&r, 0), vec![id]);
    }

    /// The durable path: the committer releases the id only after the flush.
    #[test]
    fn the_committer_releases_an_outbox_id_once_its_commit_is_over() {
        let (_dir, r) = register(RegisterConfig::default());
        let id = r.outbox_append("s", bericht(1)).unwrap();
        assert_eq!(ids(&r, 0), vec![id]);
        assert!(r.uitgifte.open().is_empty());
    }
}
