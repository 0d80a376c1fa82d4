//! The server's memory from `/proc/PID/status`, and finding the PID of the process listening on
//! a local TCP port (so the load generator can report the RSS of whatever it is loading).

use std::path::Path;

/// Resident memory of a process, in KiB.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Geheugen {
    /// `VmRSS`: resident now.
    pub rss_kib: u64,
    /// `VmHWM`: peak resident.
    pub piek_kib: u64,
}

/// Reads `VmRSS` and `VmHWM` of `pid`; `None` when the process is gone.
pub fn geheugen(pid: u32) -> Option<Geheugen> {
    let tekst = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    Some(geheugen_uit(&tekst))
}

fn geheugen_uit(status: &str) -> Geheugen {
    let veld = |naam: &str| {
        status
            .lines()
            .find_map(|r| r.strip_prefix(naam))
            .and_then(|r| r.split_whitespace().next())
            .and_then(|g| g.parse().ok())
            .unwrap_or(0)
    };
    Geheugen {
        rss_kib: veld("VmRSS:"),
        piek_kib: veld("VmHWM:"),
    }
}

/// The PID of the process with a listening TCP socket on `port` (IPv4 or IPv6), by matching the
/// socket inode of `/proc/net/tcp{,6}` against every process's open descriptors.
pub fn pid_van_poort(port: u16) -> Option<u32> {
    let inode = ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .find_map(|t| luisterend_inode(&t, port))?;
    let doel = format!("socket:[{inode}]");
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(Path::new("/proc").join(pid.to_string()).join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if std::fs::read_link(fd.path()).is_ok_and(|l| l.to_string_lossy() == doel) {
                return Some(pid);
            }
        }
    }
    None
}

fn luisterend_inode(tabel: &str, port: u16) -> Option<String> {
    let poort = format!(":{port:04X}");
    tabel.lines().skip(1).find_map(|r| {
        let v: Vec<&str> = r.split_whitespace().collect();
        (v.len() > 9 && v[1].ends_with(&poort) && v[3] == "0A").then(|| v[9].to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_fields() {
        let g = geheugen_uit("Name:\tx\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n");
        assert_eq!(
            g,
            Geheugen {
                rss_kib: 1024,
                piek_kib: 2048
            }
        );
        assert!(geheugen(std::process::id()).unwrap().rss_kib > 0);
    }

    #[test]
    fn finds_own_listener() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        assert_eq!(pid_van_poort(port), Some(std::process::id()));
        drop(l);
        assert_eq!(pid_van_poort(port), None);
    }
}
