//! Connection admission on the SOAP listener: who gets one of the `max_connections` slots.
//!
//! Every accepted TCP connection asks for a slot before anything else is done with it. Peers
//! that have not finished the TLS handshake (and so have shown no certificate) share a smaller
//! pool of `max_handshakes` slots; when that pool is full the *oldest* handshake is dropped for
//! the newcomer, because a good client finishes its handshake in milliseconds while a silent
//! peer never does. The remaining slots are reserved for connections past the handshake. When
//! every slot is taken, the established connection idle longest (at least `reclaim_idle_after`)
//! is asked to close for the newcomer; with none idle the newcomer is refused. A per-address
//! cap (`max_connections_per_address`) is checked first.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::io::Activity;

/// Why a new connection gets no slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Its source address already holds `max_connections_per_address` connections.
    PerAddress,
    /// Every slot is taken by busy or recently active connections.
    Full,
}

/// What admitting a connection cost someone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Displaced {
    /// The oldest unfinished handshake was dropped.
    pub handshake_evicted: bool,
    /// An idle keep-alive connection was asked to close.
    pub idle_reclaimed: bool,
}

/// The limits admission works with (a copy of the relevant `Limits` fields).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SlotLimits {
    pub max_connections: usize,
    pub max_handshakes: usize,
    pub per_address: usize,
    pub reclaim_idle_after: Duration,
}

impl SlotLimits {
    pub(crate) fn from_limits(l: &crate::config::Limits) -> SlotLimits {
        let max_connections = l.max_connections.max(1);
        SlotLimits {
            max_connections,
            max_handshakes: l.max_handshakes.clamp(1, max_connections),
            per_address: l.max_connections_per_address,
            reclaim_idle_after: l.reclaim_idle_after,
        }
    }
}

struct Established {
    activity: Arc<Mutex<Activity>>,
    stop: Arc<Notify>,
}

#[derive(Default)]
struct State {
    next_id: u64,
    per_address: HashMap<IpAddr, usize>,
    /// Unfinished handshakes, oldest first.
    handshaking: VecDeque<(u64, Arc<Notify>)>,
    established: HashMap<u64, Established>,
}

impl State {
    fn total(&self) -> usize {
        self.handshaking.len() + self.established.len()
    }

    fn evict_oldest_handshake(&mut self) -> bool {
        match self.handshaking.pop_front() {
            Some((_, stop)) => {
                stop.notify_one();
                true
            }
            None => false,
        }
    }

    /// Asks the established connection idle longest (and at least `min_idle`) to close.
    fn reclaim_idle(&mut self, min_idle: Duration, now: Instant) -> bool {
        let oldest = self
            .established
            .iter()
            .filter_map(|(id, e)| Activity::idle_since(&e.activity).map(|t| (t, *id)))
            .filter(|(t, _)| now.saturating_duration_since(*t) >= min_idle)
            .min();
        match oldest.and_then(|(_, id)| self.established.remove(&id)) {
            Some(e) => {
                e.stop.notify_one();
                true
            }
            None => false,
        }
    }
}

/// The slot table of one listener.
pub(crate) struct Slots {
    limits: SlotLimits,
    state: Mutex<State>,
}

impl Slots {
    pub(crate) fn new(limits: SlotLimits) -> Arc<Slots> {
        Arc::new(Slots {
            limits,
            state: Mutex::new(State::default()),
        })
    }

    /// Gives a freshly accepted connection from `ip` a handshake slot, or says why not.
    pub(crate) fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<(Slot, Displaced), Refusal> {
        let Ok(mut s) = self.state.lock() else {
            return Err(Refusal::Full);
        };
        let l = self.limits;
        let from_ip = s.per_address.get(&ip).copied().unwrap_or(0);
        if l.per_address > 0 && from_ip >= l.per_address {
            return Err(Refusal::PerAddress);
        }
        let mut displaced = Displaced::default();
        if s.handshaking.len() >= l.max_handshakes {
            displaced.handshake_evicted = s.evict_oldest_handshake();
        }
        if s.total() >= l.max_connections {
            if s.reclaim_idle(l.reclaim_idle_after, Instant::now()) {
                displaced.idle_reclaimed = true;
            } else if s.evict_oldest_handshake() {
                displaced.handshake_evicted = true;
            } else {
                return Err(Refusal::Full);
            }
        }
        let id = s.next_id;
        s.next_id += 1;
        let stop = Arc::new(Notify::new());
        s.handshaking.push_back((id, stop.clone()));
        *s.per_address.entry(ip).or_insert(0) += 1;
        Ok((
            Slot {
                id,
                ip,
                stop,
                slots: self.clone(),
            },
            displaced,
        ))
    }

    #[cfg(test)]
    fn counts(&self) -> (usize, usize) {
        let s = self.state.lock().unwrap();
        (s.handshaking.len(), s.established.len())
    }
}

/// One connection's slot; frees itself when dropped.
pub(crate) struct Slot {
    id: u64,
    ip: IpAddr,
    stop: Arc<Notify>,
    slots: Arc<Slots>,
}

impl Slot {
    /// The handshake is done: move to the established pool, where idle reclamation may pick
    /// this connection by its `activity`. False when the slot was taken away meanwhile.
    pub(crate) fn established(&self, activity: Arc<Mutex<Activity>>) -> bool {
        let Ok(mut s) = self.slots.state.lock() else {
            return false;
        };
        let Some(pos) = s.handshaking.iter().position(|(id, _)| *id == self.id) else {
            return false;
        };
        s.handshaking.remove(pos);
        s.established.insert(
            self.id,
            Established {
                activity,
                stop: self.stop.clone(),
            },
        );
        true
    }

    /// Resolves when admission wants this connection gone (evicted handshake, reclaimed idle
    /// connection).
    pub(crate) async fn revoked(&self) {
        self.stop.notified().await
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let Ok(mut s) = self.slots.state.lock() else {
            return;
        };
        if let Some(pos) = s.handshaking.iter().position(|(id, _)| *id == self.id) {
            s.handshaking.remove(pos);
        }
        s.established.remove(&self.id);
        if let Some(n) = s.per_address.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                s.per_address.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const A: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    const B: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));

    fn limits(max: usize, handshakes: usize, per_address: usize) -> SlotLimits {
        SlotLimits {
            max_connections: max,
            max_handshakes: handshakes,
            per_address,
            reclaim_idle_after: Duration::from_millis(50),
        }
    }

    fn idle_activity() -> Arc<Mutex<Activity>> {
        Arc::new(Mutex::new(Activity::new()))
    }

    #[test]
    fn per_address_cap_refuses_one_past_the_limit_only() {
        let slots = Slots::new(limits(10, 10, 2));
        let _a1 = slots.admit(A).unwrap();
        let a2 = slots.admit(A).unwrap(); // near miss: exactly at the cap is fine
        assert_eq!(slots.admit(A).err(), Some(Refusal::PerAddress));
        let _b = slots.admit(B).unwrap(); // other addresses are unaffected
        drop(a2);
        assert!(slots.admit(A).is_ok()); // a freed slot is usable again
        let unlimited = Slots::new(limits(10, 10, 0));
        let held: Vec<_> = (0..10).map(|_| unlimited.admit(A).unwrap()).collect();
        assert_eq!(held.len(), 10);
    }

    #[test]
    fn full_handshake_pool_drops_the_oldest_handshake() {
        let slots = Slots::new(limits(10, 2, 0));
        let (first, d) = slots.admit(A).unwrap();
        assert_eq!(d, Displaced::default());
        let (_second, d) = slots.admit(A).unwrap(); // near miss: pool exactly full
        assert_eq!(d, Displaced::default());
        let (third, d) = slots.admit(A).unwrap();
        assert!(d.handshake_evicted);
        assert_eq!(slots.counts(), (2, 0));
        // The evicted connection is told so, and cannot become established any more.
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            tokio::time::timeout(Duration::from_secs(1), first.revoked())
                .await
                .expect("oldest handshake revoked");
        });
        assert!(!first.established(idle_activity()));
        assert!(third.established(idle_activity()));
        assert_eq!(slots.counts(), (1, 1));
    }

    #[test]
    fn established_connections_keep_their_reserved_slots() {
        // 4 slots, at most 2 handshaking: two authenticated connections are never displaced by
        // a stream of handshakes that do not finish.
        let slots = Slots::new(limits(4, 2, 0));
        let busy = |slot: &Slot| {
            let a = idle_activity();
            Activity::begin(&a, crate::io::BodyExpectation::default());
            assert!(slot.established(a));
        };
        let (e1, _) = slots.admit(A).unwrap();
        busy(&e1);
        let (e2, _) = slots.admit(A).unwrap();
        busy(&e2);
        let mut flood = Vec::new();
        for _ in 0..20 {
            flood.push(slots.admit(B).unwrap());
        }
        assert_eq!(slots.counts(), (2, 2));
    }

    #[test]
    fn idle_connection_is_reclaimed_only_when_full_and_idle_long_enough() {
        let slots = Slots::new(limits(2, 2, 0));
        let (old, _) = slots.admit(A).unwrap();
        assert!(old.established(idle_activity()));
        let (fresh, _) = slots.admit(A).unwrap();
        let fresh_activity = idle_activity();
        assert!(fresh.established(fresh_activity.clone()));
        // Near miss: full, but nobody idle for reclaim_idle_after yet, no handshake to drop.
        assert_eq!(slots.admit(B).err(), Some(Refusal::Full));
        std::thread::sleep(Duration::from_millis(80));
        // `fresh` just finished a request: `old` has been idle longest and goes.
        Activity::begin(&fresh_activity, crate::io::BodyExpectation::default());
        Activity::end(&fresh_activity);
        let (_new, d) = slots.admit(B).unwrap();
        assert!(d.idle_reclaimed);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            tokio::time::timeout(Duration::from_secs(1), old.revoked())
                .await
                .expect("idle connection reclaimed");
            assert!(
                tokio::time::timeout(Duration::from_millis(50), fresh.revoked())
                    .await
                    .is_err(),
                "recently active connection kept"
            );
        });
    }

    #[test]
    fn busy_connections_are_never_reclaimed() {
        let slots = Slots::new(limits(1, 1, 0));
        let (busy, _) = slots.admit(A).unwrap();
        let a = idle_activity();
        Activity::begin(&a, crate::io::BodyExpectation::default());
        assert!(busy.established(a));
        std::thread::sleep(Duration::from_millis(80));
        assert_eq!(slots.admit(B).err(), Some(Refusal::Full));
    }
}
