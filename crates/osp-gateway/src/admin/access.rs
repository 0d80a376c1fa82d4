//! Who may drive the admin listener (SPEC §13). The admin API resets sandboxes, moves the clock
//! and shows every school's data, over plain HTTP; left open, any web page in a browser on the
//! same machine could drive it (a cross-site `POST`, or DNS rebinding: a hostile name that
//! resolves to 127.0.0.1). So:
//! - on loopback, the `Host` must be a loopback name or a configured one (421 otherwise) and an
//!   `Origin`, when a browser sends one, must be the listener's own (403) — the CLI and curl send
//!   no `Origin` and keep working;
//! - bound elsewhere, or whenever a token is configured, every route except `/healthz` also needs
//!   `Authorization: Bearer <token>` (401), compared in constant time.

use subtle::ConstantTimeEq;

/// The names a loopback admin listener answers to besides the configured ones.
const LOOPBACK_NAMES: &[&str] = &["localhost", "127.0.0.1", "[::1]"];

/// Access settings of the admin listener.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdminAccess {
    /// Bearer token. Required on every route but `/healthz` when set; a listener that is not on
    /// loopback refuses to start without one.
    pub token: Option<String>,
    /// Host names (without port) accepted besides `localhost`, `127.0.0.1` and `[::1]`, e.g.
    /// the name of a container the admin listener is reached by.
    pub hosts: Vec<String>,
}

/// Why a request was refused, with the status SPEC §13 names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// `Host` missing or not an accepted name: 421 Misdirected Request.
    Host,
    /// `Origin` not the listener's own: 403.
    Origin,
    /// Bearer token missing or wrong: 401.
    Token,
}

impl Refusal {
    /// HTTP status of the refusal.
    pub fn status(self) -> u16 {
        match self {
            Refusal::Host => 421,
            Refusal::Origin => 403,
            Refusal::Token => 401,
        }
    }

    /// One line for the client.
    pub fn text(self) -> &'static str {
        match self {
            Refusal::Host => "Host niet toegestaan voor de admin-API\n",
            Refusal::Origin => "Origin niet toegestaan voor de admin-API\n",
            Refusal::Token => {
                "admin-API vraagt Authorization: Bearer <token> (zie data/admin-token)\n"
            }
        }
    }
}

/// The checks of one admin listener.
#[derive(Debug, Clone)]
pub(crate) struct Guard {
    loopback: bool,
    access: AdminAccess,
}

/// The request facts the guard looks at.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Facts<'a> {
    pub path: &'a str,
    /// Authority of an absolute-form target, else the `Host` header.
    pub host: Option<&'a str>,
    pub origin: Option<&'a str>,
    pub authorization: Option<&'a str>,
}

impl Guard {
    pub(crate) fn new(loopback: bool, access: AdminAccess) -> Guard {
        Guard { loopback, access }
    }

    /// Whether the listener may start: off loopback only with a token.
    pub(crate) fn token_required_but_missing(&self) -> bool {
        !self.loopback && self.access.token.is_none()
    }

    /// `Ok` when the request may reach a route.
    pub(crate) fn check(&self, f: &Facts<'_>) -> Result<(), Refusal> {
        if self.loopback {
            let name = f.host.and_then(host_name).ok_or(Refusal::Host)?;
            let known = LOOPBACK_NAMES.iter().any(|n| n.eq_ignore_ascii_case(name))
                || self
                    .access
                    .hosts
                    .iter()
                    .any(|n| n.eq_ignore_ascii_case(name));
            if !known {
                return Err(Refusal::Host);
            }
        }
        if let Some(origin) = f.origin {
            // Same origin: the page was served by this listener under the Host it now asks.
            let own = f.host.map(|h| format!("http://{h}"));
            if !own.is_some_and(|o| o.eq_ignore_ascii_case(origin.trim_end_matches('/'))) {
                return Err(Refusal::Origin);
            }
        }
        if f.path != "/healthz" {
            if let Some(token) = &self.access.token {
                let given = f
                    .authorization
                    .and_then(|a| a.strip_prefix("Bearer "))
                    .map(str::trim)
                    .unwrap_or("");
                if !bool::from(given.as_bytes().ct_eq(token.as_bytes())) {
                    return Err(Refusal::Token);
                }
            }
        }
        Ok(())
    }
}

/// The name part of a `Host` value (`name`, `name:port`, `[v6]`, `[v6]:port`); `None` when it
/// is malformed (an empty name, or a port that is not digits).
fn host_name(host: &str) -> Option<&str> {
    let (name, port) = if host.starts_with('[') {
        let end = host.find(']')?;
        let (n, rest) = host.split_at(end + 1);
        (n, rest.strip_prefix(':'))
    } else {
        match host.rsplit_once(':') {
            Some((n, p)) => (n, Some(p)),
            None => (host, None),
        }
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    (!name.is_empty() && port_ok).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(host: &'a str, origin: Option<&'a str>) -> Facts<'a> {
        Facts {
            path: "/sandboxes/default/clock",
            host: Some(host),
            origin,
            authorization: None,
        }
    }

    #[test]
    fn loopback_accepts_loopback_hosts_without_origin() {
        let g = Guard::new(true, AdminAccess::default());
        for h in [
            "localhost",
            "localhost:8444",
            "127.0.0.1:8444",
            "[::1]:8444",
            "LOCALHOST",
        ] {
            assert_eq!(g.check(&facts(h, None)), Ok(()), "{h}");
        }
        assert_eq!(
            g.check(&facts("127.0.0.1:8444", Some("http://127.0.0.1:8444"))),
            Ok(())
        );
    }

    #[test]
    fn loopback_refuses_foreign_host_and_origin() {
        let g = Guard::new(true, AdminAccess::default());
        for h in [
            "evil.example",
            "evil.example:8444",
            "localhost.evil.example",
            "127.0.0.2",
            "",
            ":8444",
            "localhost:80x",
        ] {
            assert_eq!(g.check(&facts(h, None)), Err(Refusal::Host), "{h}");
        }
        let no_host = Facts {
            host: None,
            ..facts("", None)
        };
        assert_eq!(g.check(&no_host), Err(Refusal::Host));
        for o in [
            "http://evil.example",
            "null",
            "https://localhost:8444",
            "http://localhost:9999",
        ] {
            assert_eq!(
                g.check(&facts("localhost:8444", Some(o))),
                Err(Refusal::Origin),
                "{o}"
            );
        }
    }

    #[test]
    fn configured_names_are_accepted() {
        let g = Guard::new(
            true,
            AdminAccess {
                token: None,
                hosts: vec!["osp.test".into()],
            },
        );
        assert_eq!(g.check(&facts("osp.test:8444", None)), Ok(()));
        assert_eq!(g.check(&facts("other.test:8444", None)), Err(Refusal::Host));
    }

    #[test]
    fn off_loopback_every_route_but_healthz_needs_the_token() {
        let g = Guard::new(
            false,
            AdminAccess {
                token: Some("geheim".into()),
                hosts: vec![],
            },
        );
        assert!(!g.token_required_but_missing());
        let mut f = facts("192.0.2.7:8444", None);
        assert_eq!(g.check(&f), Err(Refusal::Token));
        f.authorization = Some("Bearer fout");
        assert_eq!(g.check(&f), Err(Refusal::Token));
        f.authorization = Some("Bearer geheimer");
        assert_eq!(g.check(&f), Err(Refusal::Token));
        f.authorization = Some("Basic geheim");
        assert_eq!(g.check(&f), Err(Refusal::Token));
        f.authorization = Some("Bearer geheim");
        assert_eq!(g.check(&f), Ok(()));
        // a browser page still cannot use a token it was given elsewhere
        f.origin = Some("http://evil.example");
        assert_eq!(g.check(&f), Err(Refusal::Origin));
        let health = Facts {
            path: "/healthz",
            ..facts("192.0.2.7:8444", None)
        };
        assert_eq!(g.check(&health), Ok(()));
        assert!(Guard::new(false, AdminAccess::default()).token_required_but_missing());
    }

    #[test]
    fn a_configured_token_is_required_on_loopback_too() {
        let g = Guard::new(
            true,
            AdminAccess {
                token: Some("t".into()),
                hosts: vec![],
            },
        );
        assert_eq!(g.check(&facts("localhost", None)), Err(Refusal::Token));
        let f = Facts {
            authorization: Some("Bearer t"),
            ..facts("localhost", None)
        };
        assert_eq!(g.check(&f), Ok(()));
    }
}
