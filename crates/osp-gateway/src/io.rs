//! Connection activity tracking for the timeouts of SPEC §1: a request's headers must arrive
//! within the header-read timeout once its first byte came in, and an idle keep-alive connection
//! is closed after the idle timeout (hyper's own header timer also runs while idle).

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;

/// Why a connection's time is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Bytes of a request arrived but its headers did not complete in time.
    HeaderTimeout,
    /// No request for the idle timeout.
    Idle,
}

/// What a connection is doing, updated by the IO wrapper and the request handler.
#[derive(Debug)]
pub struct Activity {
    in_flight: usize,
    /// First byte of a not-yet-dispatched request.
    pending_since: Option<Instant>,
    /// End of the last request, or connection start.
    last_done: Instant,
}

impl Activity {
    /// A fresh connection: idle since now.
    pub fn new() -> Activity {
        Activity {
            in_flight: 0,
            pending_since: None,
            last_done: Instant::now(),
        }
    }

    /// A request's headers are complete and it is being handled.
    pub fn begin(this: &Mutex<Activity>) {
        if let Ok(mut a) = this.lock() {
            a.in_flight += 1;
            a.pending_since = None;
        }
    }

    /// A request has been answered.
    pub fn end(this: &Mutex<Activity>) {
        if let Ok(mut a) = this.lock() {
            a.in_flight = a.in_flight.saturating_sub(1);
            a.last_done = Instant::now();
        }
    }

    /// Notes that bytes arrived; true when this starts a new request's header timer.
    fn read_bytes(this: &Mutex<Activity>) -> bool {
        if let Ok(mut a) = this.lock() {
            if a.in_flight == 0 && a.pending_since.is_none() {
                a.pending_since = Some(Instant::now());
                return true;
            }
        }
        false
    }

    /// When to look again.
    pub fn deadline(this: &Mutex<Activity>, header: Duration, idle: Duration) -> Option<Instant> {
        let a = this.lock().ok()?;
        Some(if a.in_flight > 0 {
            Instant::now() + idle.min(header)
        } else if let Some(since) = a.pending_since {
            since + header
        } else {
            a.last_done + idle
        })
    }

    /// Whether a timeout has passed now.
    pub fn expired(this: &Mutex<Activity>, header: Duration, idle: Duration) -> Option<Expiry> {
        let a = this.lock().ok()?;
        let now = Instant::now();
        if a.in_flight > 0 {
            None
        } else if let Some(since) = a.pending_since {
            (now >= since + header).then_some(Expiry::HeaderTimeout)
        } else {
            (now >= a.last_done + idle).then_some(Expiry::Idle)
        }
    }
}

impl Default for Activity {
    fn default() -> Self {
        Activity::new()
    }
}

/// Wraps a stream and notes when request bytes arrive; `wake` is notified when a request's
/// header timer starts, so the connection's watchdog re-arms its deadline.
pub struct TrackedIo<T> {
    inner: T,
    activity: Arc<Mutex<Activity>>,
    wake: Arc<Notify>,
}

impl<T> TrackedIo<T> {
    /// Wraps `inner`, reporting reads to `activity` and header-timer starts to `wake`.
    pub fn new(inner: T, activity: Arc<Mutex<Activity>>, wake: Arc<Notify>) -> TrackedIo<T> {
        TrackedIo {
            inner,
            activity,
            wake,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for TrackedIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let res = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(res, Poll::Ready(Ok(())))
            && buf.filled().len() > before
            && Activity::read_bytes(&self.activity)
        {
            self.wake.notify_one();
        }
        res
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for TrackedIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_then_pending_then_busy() {
        let a = Mutex::new(Activity::new());
        let ms = Duration::from_millis;
        assert_eq!(Activity::expired(&a, ms(50), ms(0)), Some(Expiry::Idle));
        assert!(Activity::read_bytes(&a));
        assert!(!Activity::read_bytes(&a));
        assert_eq!(
            Activity::expired(&a, ms(0), ms(1000)),
            Some(Expiry::HeaderTimeout)
        );
        assert_eq!(Activity::expired(&a, ms(1000), ms(0)), None);
        Activity::begin(&a);
        assert_eq!(Activity::expired(&a, ms(0), ms(0)), None);
        assert!(!Activity::read_bytes(&a)); // body bytes of the running request do not start the header timer
        Activity::end(&a);
        assert_eq!(Activity::expired(&a, ms(0), ms(1000)), None);
        assert!(Activity::deadline(&a, ms(10), ms(1000)).is_some());
    }
}
