//! Connection activity tracking for the timeouts of SPEC §1: a request's headers must arrive
//! within the header-read timeout once its first byte came in, an idle keep-alive connection is
//! closed after the idle timeout (hyper's own header timer also runs while idle), and a request
//! body must keep up with the minimum body rate once its grace period is over.
//!
//! The IO wrapper also keeps memory proportional to the bytes a client really sent: hyper cuts
//! every read into its own body chunk, and each chunk keeps hyper's whole read buffer
//! allocation (8 KiB or more) alive until the body is collected. A client trickling a body one
//! byte at a time would so pin kilobytes per byte. After a few small reads of one body, small
//! reads are therefore gathered here until [`COALESCE_BYTES`] have arrived or
//! [`COALESCE_WAIT`] has passed, and handed on together.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;

/// Reads of at least this many bytes are handed to hyper as they come; smaller ones of a
/// trickling body are gathered up to this size (hyper's initial read-buffer size).
pub const COALESCE_BYTES: usize = 8 * 1024;
/// Longest a gathered small read waits for more bytes before it is handed on anyway.
pub const COALESCE_WAIT: Duration = Duration::from_millis(250);
/// Small reads of one body handed on at once before gathering starts: a good client's body
/// comes in whole TLS records, so only its last one or two reads are small.
pub const SMALL_READS_PASSED: u32 = 16;

/// Why a connection's time is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Bytes of a request arrived but its headers did not complete in time.
    HeaderTimeout,
    /// No request for the idle timeout.
    Idle,
    /// A request body arrived slower than the minimum body rate after its grace period.
    SlowBody,
}

/// The timeouts a connection is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// From a request's first byte to its complete headers.
    pub header: Duration,
    /// From the end of the last request to the next one.
    pub idle: Duration,
    /// Slowest body upload in bytes per second (0: no minimum).
    pub min_body_rate: u64,
    /// Time a body may take before the minimum rate applies.
    pub body_rate_grace: Duration,
}

/// What the request headers say about the body still to come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BodyExpectation {
    /// Bytes of request line and headers (as sent, up to insignificant whitespace).
    pub header_bytes: u64,
    /// `Content-Length`, if given.
    pub content_length: Option<u64>,
    /// `Transfer-Encoding: chunked`.
    pub chunked: bool,
    /// Header lines, for the estimate's tolerance (`name:value` or bare LF line ends).
    pub header_lines: u64,
}

impl BodyExpectation {
    /// What `req` announces; the header size is rebuilt from the parsed request.
    pub fn of<B>(req: &hyper::Request<B>) -> BodyExpectation {
        let head = req.method().as_str().len()
            + req.uri().path_and_query().map_or(1, |p| p.as_str().len())
            + " HTTP/1.1\r\n".len()
            + 1;
        let fields: usize = req
            .headers()
            .iter()
            .map(|(k, v)| k.as_str().len() + v.as_bytes().len() + 4)
            .sum();
        let content_length = req
            .headers()
            .get(hyper::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let chunked = req
            .headers()
            .get_all(hyper::header::TRANSFER_ENCODING)
            .iter()
            .any(|v| v.as_bytes().to_ascii_lowercase().ends_with(b"chunked"));
        BodyExpectation {
            header_bytes: (head + fields + 2) as u64,
            content_length,
            chunked,
            header_lines: req.headers().len() as u64 + 2,
        }
    }

    fn has_body(&self) -> bool {
        self.chunked || self.content_length.is_some_and(|n| n > 0)
    }
}

/// Progress of the body of the request being handled.
#[derive(Debug, Clone, Copy)]
struct BodyProgress {
    started: Instant,
    expect: BodyExpectation,
    /// `delivered` when the request's first byte came in.
    request_start: u64,
    small_reads: u32,
    /// Last bytes handed on, to see a chunked body's final `0\r\n\r\n`.
    tail: [u8; 5],
    chunked_done: bool,
}

/// What a connection is doing, updated by the IO wrapper and the request handler.
#[derive(Debug)]
pub struct Activity {
    in_flight: usize,
    /// First byte of a not-yet-dispatched request.
    pending_since: Option<Instant>,
    /// End of the last request, or connection start.
    last_done: Instant,
    /// Bytes handed to hyper on this connection.
    delivered: u64,
    /// `delivered` before the current request's first byte.
    request_start: u64,
    /// Body of the request in flight, while it may still be arriving.
    body: Option<BodyProgress>,
}

impl Activity {
    /// A fresh connection: idle since now.
    pub fn new() -> Activity {
        Activity {
            in_flight: 0,
            pending_since: None,
            last_done: Instant::now(),
            delivered: 0,
            request_start: 0,
            body: None,
        }
    }

    /// A request's headers are complete and it is being handled; `expect` says what body
    /// follows.
    pub fn begin(this: &Mutex<Activity>, expect: BodyExpectation) {
        if let Ok(mut a) = this.lock() {
            a.in_flight += 1;
            a.pending_since = None;
            a.body = expect.has_body().then(|| BodyProgress {
                started: Instant::now(),
                expect,
                request_start: a.request_start,
                small_reads: 0,
                tail: [0; 5],
                chunked_done: false,
            });
        }
    }

    /// A request has been answered.
    pub fn end(this: &Mutex<Activity>) {
        if let Ok(mut a) = this.lock() {
            a.in_flight = a.in_flight.saturating_sub(1);
            a.last_done = Instant::now();
            a.body = None;
            a.request_start = a.delivered;
        }
    }

    /// Since when the connection has been idle (no request in progress or arriving).
    pub fn idle_since(this: &Mutex<Activity>) -> Option<Instant> {
        let a = this.lock().ok()?;
        (a.in_flight == 0 && a.pending_since.is_none()).then_some(a.last_done)
    }

    /// Notes that `data` was handed on; true when this starts a new request's header timer.
    fn read_bytes(this: &Mutex<Activity>, data: &[u8]) -> bool {
        let Ok(mut a) = this.lock() else {
            return false;
        };
        let before = a.delivered;
        a.delivered += data.len() as u64;
        if let Some(b) = a.body.as_mut() {
            if data.len() < COALESCE_BYTES {
                b.small_reads = b.small_reads.saturating_add(1);
            }
            for &byte in data.iter().skip(data.len().saturating_sub(5)) {
                b.tail.rotate_left(1);
                if let Some(last) = b.tail.last_mut() {
                    *last = byte;
                }
            }
            if b.expect.chunked && b.tail == *b"0\r\n\r\n" {
                b.chunked_done = true;
            }
        }
        if a.in_flight == 0 && a.pending_since.is_none() && !data.is_empty() {
            a.pending_since = Some(Instant::now());
            a.request_start = before;
            return true;
        }
        false
    }

    /// Whether small reads should be gathered now (a body trickles in).
    fn gathering(this: &Mutex<Activity>) -> bool {
        this.lock().ok().is_some_and(|a| {
            a.body
                .as_ref()
                .is_some_and(|b| b.small_reads >= SMALL_READS_PASSED && !a.body_complete(b))
        })
    }

    /// Whether `pending` (gathered, not yet handed on) would complete the body in flight.
    fn completes_body(this: &Mutex<Activity>, pending: &[u8]) -> bool {
        let Ok(a) = this.lock() else {
            return true;
        };
        let Some(b) = a.body.as_ref() else {
            return true;
        };
        if b.expect.chunked {
            let mut tail = b.tail;
            for &byte in pending.iter().skip(pending.len().saturating_sub(5)) {
                tail.rotate_left(1);
                if let Some(last) = tail.last_mut() {
                    *last = byte;
                }
            }
            return tail == *b"0\r\n\r\n";
        }
        let slack = 64 + 2 * b.expect.header_lines;
        let received = a.body_received(b) + pending.len() as u64;
        b.expect
            .content_length
            .is_none_or(|n| received + slack >= n)
    }

    /// Estimated body bytes received so far: everything handed on since the request's first
    /// byte minus its headers. Errs towards more (lenient towards the client).
    fn body_received(&self, b: &BodyProgress) -> u64 {
        (self.delivered - b.request_start.min(self.delivered)).saturating_sub(b.expect.header_bytes)
    }

    fn body_complete(&self, b: &BodyProgress) -> bool {
        if b.expect.chunked {
            return b.chunked_done;
        }
        let slack = 64 + 2 * b.expect.header_lines;
        match b.expect.content_length {
            Some(n) => self.body_received(b) + slack >= n,
            None => true,
        }
    }

    /// When a body behind the minimum rate must be cut off, if one is arriving.
    fn body_deadline(&self, t: &Timeouts) -> Option<Instant> {
        let b = self.body.as_ref()?;
        if t.min_body_rate == 0 || self.body_complete(b) {
            return None;
        }
        let allowed =
            Duration::from_secs_f64(self.body_received(b) as f64 / t.min_body_rate as f64);
        Some(b.started + t.body_rate_grace + allowed)
    }

    /// When to look again.
    pub fn deadline(this: &Mutex<Activity>, t: &Timeouts) -> Option<Instant> {
        let a = this.lock().ok()?;
        Some(if a.in_flight > 0 {
            let recheck = Instant::now() + t.idle.min(t.header);
            a.body_deadline(t).map_or(recheck, |d| d.min(recheck))
        } else if let Some(since) = a.pending_since {
            since + t.header
        } else {
            a.last_done + t.idle
        })
    }

    /// Whether a timeout has passed now.
    pub fn expired(this: &Mutex<Activity>, t: &Timeouts) -> Option<Expiry> {
        let a = this.lock().ok()?;
        let now = Instant::now();
        if a.in_flight > 0 {
            a.body_deadline(t)
                .is_some_and(|d| now >= d)
                .then_some(Expiry::SlowBody)
        } else if let Some(since) = a.pending_since {
            (now >= since + t.header).then_some(Expiry::HeaderTimeout)
        } else {
            (now >= a.last_done + t.idle).then_some(Expiry::Idle)
        }
    }
}

impl Default for Activity {
    fn default() -> Self {
        Activity::new()
    }
}

/// Wraps a stream and notes when request bytes arrive; `wake` is notified when a request's
/// header timer starts, so the connection's watchdog re-arms its deadline. Small reads of a
/// trickling body are gathered (see the module documentation).
pub struct TrackedIo<T> {
    inner: T,
    activity: Arc<Mutex<Activity>>,
    wake: Arc<Notify>,
    /// Gathered bytes not yet handed on; allocated on first use, at most [`COALESCE_BYTES`].
    held: Vec<u8>,
    held_len: usize,
    /// Hands gathered bytes on when it fires, even if fewer than [`COALESCE_BYTES`].
    hold_timer: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<T> TrackedIo<T> {
    /// Wraps `inner`, reporting reads to `activity` and header-timer starts to `wake`.
    pub fn new(inner: T, activity: Arc<Mutex<Activity>>, wake: Arc<Notify>) -> TrackedIo<T> {
        TrackedIo {
            inner,
            activity,
            wake,
            held: Vec::new(),
            held_len: 0,
            hold_timer: None,
        }
    }

    fn note(&self, data: &[u8]) {
        if Activity::read_bytes(&self.activity, data) {
            self.wake.notify_one();
        }
    }

    /// Moves gathered bytes into `buf` (as many as fit).
    fn hand_on(&mut self, buf: &mut ReadBuf<'_>) {
        let n = self.held_len.min(buf.remaining());
        let Some(out) = self.held.get(..n) else {
            return;
        };
        buf.put_slice(out);
        self.held.copy_within(n..self.held_len, 0);
        self.held_len -= n;
        if self.held_len == 0 {
            self.hold_timer = None;
        }
    }
}

impl<T: AsyncRead + Unpin> TrackedIo<T> {
    /// Gathers small reads until enough arrived, the wait is over or the stream ends.
    fn poll_gather(&mut self, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if self.held.len() < COALESCE_BYTES {
            self.held.resize(COALESCE_BYTES, 0);
        }
        loop {
            if self.held_len >= COALESCE_BYTES {
                break;
            }
            let Some(spare) = self.held.get_mut(self.held_len..) else {
                break;
            };
            let mut rb = ReadBuf::new(spare);
            match Pin::new(&mut self.inner).poll_read(cx, &mut rb) {
                Poll::Ready(Ok(())) if rb.filled().is_empty() => break, // end of stream
                Poll::Ready(Ok(())) => {
                    let n = rb.filled().len();
                    self.held_len += n;
                    let held = self.held.get(..self.held_len).unwrap_or_default();
                    if Activity::completes_body(&self.activity, held) {
                        break;
                    }
                    if self.hold_timer.is_none() {
                        self.hold_timer = Some(Box::pin(tokio::time::sleep(COALESCE_WAIT)));
                    }
                }
                Poll::Ready(Err(e)) => {
                    if self.held_len == 0 {
                        return Poll::Ready(Err(e));
                    }
                    break; // hand on what came; the error repeats on the next read
                }
                Poll::Pending => {
                    let waited = match self.hold_timer.as_mut() {
                        Some(t) => t.as_mut().poll(cx).is_ready(),
                        None => false,
                    };
                    if waited && self.held_len > 0 {
                        break;
                    }
                    return Poll::Pending;
                }
            }
        }
        let start = buf.filled().len();
        self.hand_on(buf);
        self.note(buf.filled().get(start..).unwrap_or_default());
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for TrackedIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if Activity::gathering(&this.activity) {
            return this.poll_gather(cx, buf);
        }
        if this.held_len > 0 {
            let start = buf.filled().len();
            this.hand_on(buf);
            this.note(buf.filled().get(start..).unwrap_or_default());
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        let res = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(res, Poll::Ready(Ok(()))) {
            if let Some(data) = buf.filled().get(before..) {
                if !data.is_empty() {
                    this.note(data);
                }
            }
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
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn timeouts(header: u64, idle: u64) -> Timeouts {
        Timeouts {
            header: Duration::from_millis(header),
            idle: Duration::from_millis(idle),
            min_body_rate: 0,
            body_rate_grace: Duration::ZERO,
        }
    }

    #[test]
    fn idle_then_pending_then_busy() {
        let a = Mutex::new(Activity::new());
        assert_eq!(Activity::expired(&a, &timeouts(50, 0)), Some(Expiry::Idle));
        assert!(Activity::idle_since(&a).is_some());
        assert!(Activity::read_bytes(&a, b"P"));
        assert!(!Activity::read_bytes(&a, b"O"));
        assert!(Activity::idle_since(&a).is_none());
        assert_eq!(
            Activity::expired(&a, &timeouts(0, 1000)),
            Some(Expiry::HeaderTimeout)
        );
        assert_eq!(Activity::expired(&a, &timeouts(1000, 0)), None);
        Activity::begin(&a, BodyExpectation::default());
        assert_eq!(Activity::expired(&a, &timeouts(0, 0)), None);
        assert!(!Activity::read_bytes(&a, b"x")); // body bytes of the running request do not start the header timer
        Activity::end(&a);
        assert_eq!(Activity::expired(&a, &timeouts(0, 1000)), None);
        assert!(Activity::deadline(&a, &timeouts(10, 1000)).is_some());
    }

    fn with_body(content_length: u64, header_bytes: u64) -> Mutex<Activity> {
        let a = Mutex::new(Activity::new());
        let head = vec![b'h'; header_bytes as usize];
        Activity::read_bytes(&a, &head);
        Activity::begin(
            &a,
            BodyExpectation {
                header_bytes,
                content_length: Some(content_length),
                chunked: false,
                header_lines: 3,
            },
        );
        a
    }

    #[test]
    fn slow_body_is_cut_after_grace_and_a_body_on_pace_is_not() {
        let rate = Timeouts {
            min_body_rate: 1000,
            body_rate_grace: Duration::from_millis(100),
            ..timeouts(10_000, 10_000)
        };
        // 10 kB announced, nothing sent: cut once the grace period is over.
        let slow = with_body(10_000, 200);
        assert_eq!(Activity::expired(&slow, &rate), None);
        std::thread::sleep(Duration::from_millis(150));
        assert_eq!(Activity::expired(&slow, &rate), Some(Expiry::SlowBody));
        // Near miss: 1000 bytes at 1000 B/s buy one more second beyond the grace period.
        let on_pace = with_body(10_000, 200);
        Activity::read_bytes(&on_pace, &[b'x'; 1000]);
        std::thread::sleep(Duration::from_millis(150));
        assert_eq!(Activity::expired(&on_pace, &rate), None);
        // A complete body (whether it came with the headers or after) is never cut: the
        // request is being processed.
        let complete = with_body(500, 200);
        Activity::read_bytes(&complete, &[b'x'; 500]);
        std::thread::sleep(Duration::from_millis(150));
        assert_eq!(Activity::expired(&complete, &rate), None);
        let no_minimum = with_body(10_000, 200);
        std::thread::sleep(Duration::from_millis(150));
        assert_eq!(
            Activity::expired(&no_minimum, &timeouts(10_000, 10_000)),
            None
        );
    }

    #[test]
    fn chunked_body_completes_on_its_last_chunk() {
        let a = Mutex::new(Activity::new());
        Activity::read_bytes(&a, b"POST");
        Activity::begin(
            &a,
            BodyExpectation {
                header_bytes: 4,
                content_length: None,
                chunked: true,
                header_lines: 2,
            },
        );
        Activity::read_bytes(&a, b"3\r\nabc\r\n0\r");
        assert!(!Activity::completes_body(&a, b""));
        assert!(Activity::completes_body(&a, b"\n\r\n"));
        Activity::read_bytes(&a, b"\n\r\n");
        let rate = Timeouts {
            min_body_rate: 1_000_000,
            ..timeouts(10_000, 10_000)
        };
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(Activity::expired(&a, &rate), None);
    }

    #[test]
    fn expectation_is_read_from_the_request() {
        let req = hyper::Request::post("/vo-webservices/")
            .header("content-length", "42")
            .header("host", "localhost")
            .body(())
            .unwrap();
        let e = BodyExpectation::of(&req);
        // "POST /vo-webservices/ HTTP/1.1\r\n" + "content-length: 42\r\n" + "host: localhost\r\n" + "\r\n"
        assert_eq!(e.header_bytes, 32 + 20 + 17 + 2);
        assert_eq!(e.content_length, Some(42));
        assert!(!e.chunked);
    }

    /// Reads everything `TrackedIo` hands on, returning the size of each read.
    async fn read_sizes(io: &mut TrackedIo<tokio::io::DuplexStream>, total: usize) -> Vec<usize> {
        let mut sizes = Vec::new();
        let mut got = 0;
        let mut buf = vec![0u8; 64 * 1024];
        while got < total {
            let n = io.read(&mut buf).await.unwrap();
            assert!(n > 0, "early end after {got} bytes");
            sizes.push(n);
            got += n;
        }
        sizes
    }

    #[tokio::test]
    async fn trickled_body_is_handed_on_in_large_pieces() {
        let (mut client, server) = tokio::io::duplex(64 * 1024);
        let total = 40_000usize;
        let activity = with_body(total as u64, 0);
        let mut io = TrackedIo::new(server, Arc::new(activity), Arc::new(Notify::new()));
        let writer = tokio::spawn(async move {
            for _ in 0..total / 100 {
                client.write_all(&[b'x'; 100]).await.unwrap();
                tokio::task::yield_now().await;
            }
            client
        });
        let sizes = read_sizes(&mut io, total).await;
        let _client = writer.await.unwrap();
        let small = sizes.iter().filter(|n| **n < COALESCE_BYTES).count();
        // The first SMALL_READS_PASSED reads pass as they come; then pieces of 8 KiB, and the
        // last piece as soon as the body is complete (no wait).
        assert!(small <= SMALL_READS_PASSED as usize + 2, "{sizes:?}");
        assert!(sizes.len() < 40, "{} reads", sizes.len());
    }

    #[tokio::test]
    async fn gathered_bytes_are_handed_on_after_the_coalesce_wait() {
        let (mut client, server) = tokio::io::duplex(64 * 1024);
        let activity = with_body(1_000_000, 0);
        let mut io = TrackedIo::new(server, Arc::new(activity), Arc::new(Notify::new()));
        for _ in 0..SMALL_READS_PASSED {
            client.write_all(b"x").await.unwrap();
            let mut b = [0u8; 16];
            assert_eq!(io.read(&mut b).await.unwrap(), 1); // near miss: still passed at once
        }
        client.write_all(b"yz").await.unwrap();
        let started = Instant::now();
        let mut b = [0u8; 16];
        assert_eq!(io.read(&mut b).await.unwrap(), 2);
        let waited = started.elapsed();
        assert!(
            waited >= COALESCE_WAIT - Duration::from_millis(5),
            "{waited:?}"
        );
        // Bytes of an idle connection (the next request) are never held back.
        let idle = Arc::new(Mutex::new(Activity::new()));
        let (mut c2, s2) = tokio::io::duplex(1024);
        let mut io2 = TrackedIo::new(s2, idle, Arc::new(Notify::new()));
        c2.write_all(b"G").await.unwrap();
        assert_eq!(
            tokio::time::timeout(Duration::from_millis(50), io2.read(&mut b))
                .await
                .unwrap()
                .unwrap(),
            1
        );
    }
}
