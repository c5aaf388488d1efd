//! The preview's HTTP/1.1 server: hyper on a small tokio runtime of its
//! own thread, with every resource bounded.
//!
//! - Each connection is a task, at most [`MAX_CONNECTIONS`] at once. When
//!   every place is taken, a newcomer ends the oldest connection that has
//!   not sent a whole request yet (silent or slow: a slowloris flood gives
//!   way to a real client at once); when every connection is busy with
//!   requests, newcomers wait in the listen queue rather than get a
//!   refusal, as every connection ends within a bound (below).
//! - A request head must arrive whole within [`HEAD_TIMEOUT`] (counted
//!   from the connection's start or the end of the previous answer, so it
//!   is also the longest a connection stays idle) and fit in [`MAX_HEAD`]
//!   bytes (hyper answers 431 otherwise, so a connection holds at most
//!   that much of a request); a request target longer than [`MAX_TARGET`]
//!   gets 414. A write that makes no progress for [`WRITE_TIMEOUT`] ends
//!   the connection.
//! - Syntax errors get hyper's own 400 (or 505 for another HTTP version)
//!   and the connection is closed; the handlers see parsed requests only.
//!   An absolute-form target (`GET http://host/path`) must name this
//!   server like a `Host` header, and only its path is looked up.
//! - Request bodies are never read: a request announcing one by
//!   `Content-Length` is answered, then its connection is closed.
//!   Conflicting `Content-Length` headers (hyper) and any
//!   `Transfer-Encoding` (checked here) are refused (400).
//! - The `Host` header must name this server ([`host_allowed`]): a page of
//!   another site whose name was rebound to this address gets 421.
//! - Live-reload event streams are limited to [`MAX_STREAMS`] at once: a
//!   new one ends the oldest (a browser tab reconnects by itself, a
//!   forgotten or hostile client does not), so a newly opened page always
//!   gets live reload. A stream ends when its client goes away, and its
//!   connection is closed after it.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{Either, Full};
use hyper::body::{Body as _, Frame, Incoming};
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::{StatusCode, Version};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, Semaphore};
use tokio::time::Sleep;

use super::http::{Body, Reply};

/// The largest request head (request line and headers) read.
pub const MAX_HEAD: usize = 16 * 1024;
/// The longest request target (path and query) answered; longer gets 414.
pub const MAX_TARGET: usize = 8 * 1024;
/// How long a request head may take to arrive, and how long a kept-alive
/// connection may stay idle.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a write may make no progress (a client that stopped reading).
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(20);
/// Connections served at once (far below the usual limit of 1,024 open
/// files, which the site's own files need some of).
pub const MAX_CONNECTIONS: usize = 256;
/// Live-reload event streams open at once (a newer one ends the oldest).
pub const MAX_STREAMS: usize = 64;
/// An event stream silent this long gets a comment, so that a closed tab
/// is noticed.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// One request, as the handlers see it.
pub struct Request<'a> {
    pub method: &'a str,
    /// The request target as sent (a path and query, normally).
    pub target: String,
    headers: &'a HeaderMap,
}

impl Request<'_> {
    /// The first value of header `name`, when it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The messages of one live-reload event stream: the first, sent at once,
/// then whatever comes through the channel until its sender is gone.
pub type Events = (String, mpsc::Receiver<String>);

/// What the server calls: `answer` for every request, `events` for each
/// live-reload event stream opened (a reply with [`Body::Events`]).
pub struct Handlers {
    pub answer: Box<dyn Fn(&Request) -> Reply + Send + Sync>,
    pub events: Box<dyn Fn() -> Events + Send + Sync>,
}

/// Whether a `Host` header names this server, bound to `bind`.
///
/// Always accepted: `localhost`, `127.0.0.1`, `[::1]` and the bound
/// address, with any port. When bound to all addresses or to a network
/// address, any IP address is accepted too (other computers reach the
/// server by an address of this one), but never a DNS name: a name is
/// what a page of another site uses to reach this server by DNS
/// rebinding, while a browser that sends an IP address got the page from
/// that address itself.
pub fn host_allowed(host: &str, bind: IpAddr) -> bool {
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let Some((inside, after)) = rest.split_once(']') else {
            return false;
        };
        if inside.parse::<Ipv6Addr>().is_err() {
            return false;
        }
        match after {
            "" => (inside, None),
            p => match p.strip_prefix(':') {
                Some(port) => (inside, Some(port)),
                None => return false,
            },
        }
    } else {
        match host.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        }
    };
    if port.is_some_and(|p| p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    if name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let Ok(ip) = name.parse::<IpAddr>() else {
        return false;
    };
    ip == bind
        || ip == IpAddr::V4(Ipv4Addr::LOCALHOST)
        || ip == IpAddr::V6(Ipv6Addr::LOCALHOST)
        || !bind.is_loopback()
}

/// The short text sent with a refusal.
fn refusal_text(status: u16) -> &'static str {
    match status {
        421 => {
            "拒绝访问：请用 localhost 或 IP 地址打开预览（其他主机名可能来自 DNS 重绑定攻击）。\n"
        }
        414 => "请求的地址太长。\n",
        _ => "无法理解的请求。\n",
    }
}

type ResponseBody = Either<Full<Bytes>, EventStream>;
type Response = hyper::Response<ResponseBody>;

/// Serve `listener` on a thread of its own, for as long as the process
/// runs. Fails when the runtime cannot be set up.
pub fn spawn(listener: std::net::TcpListener, bind: IpAddr, handlers: Handlers) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    listener.set_nonblocking(true)?;
    let listener = {
        let _context = runtime.enter();
        TcpListener::from_std(listener)?
    };
    std::thread::Builder::new()
        .name("yishi-http".into())
        .spawn(move || runtime.block_on(accept(listener, bind, Arc::new(handlers))))?;
    Ok(())
}

/// Accept connections, each served by a task of its own.
async fn accept(listener: TcpListener, bind: IpAddr, handlers: Arc<Handlers>) {
    let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let fresh = Arc::new(Mutex::new(Lineup::default()));
    let streams = Arc::new(Mutex::new(Lineup::default()));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .max_buf_size(MAX_HEAD);
    loop {
        let conn = match listener.accept().await {
            Ok((conn, _)) => conn,
            Err(_) => {
                // Out of file descriptors and the like: let some close.
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let slot = match connections.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                // Every place is taken: end the oldest connection that has
                // not sent a whole request yet (silent or slow), if any,
                // and wait for a place; the others wait in the listen
                // queue meanwhile.
                lock(&fresh).end_oldest();
                match connections.clone().acquire_owned().await {
                    Ok(slot) => slot,
                    Err(_) => return,
                }
            }
        };
        let _ = conn.set_nodelay(true);
        let (id, mut ended) = lock(&fresh).join();
        let handlers = handlers.clone();
        let streams = streams.clone();
        let asked = std::sync::atomic::AtomicBool::new(false);
        let first_request = fresh.clone();
        let service = hyper::service::service_fn(move |request| {
            if !asked.swap(true, std::sync::atomic::Ordering::Relaxed) {
                // A whole request came: this connection is no longer one
                // to end for a newer one.
                lock(&first_request).leave(id);
            }
            let response = answer(&request, bind, &handlers, &streams);
            async move { Ok::<_, Infallible>(response) }
        });
        let connection = http.serve_connection(TokioIo::new(WriteTimeout::new(conn)), service);
        let fresh = fresh.clone();
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            // Ended for a newer connection when told so (`Ok`); a closed
            // channel (`Err`) means a request came: no longer listened to.
            let mut listening = true;
            std::future::poll_fn(|cx| {
                if connection.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(());
                }
                if listening {
                    match Pin::new(&mut ended).poll(cx) {
                        Poll::Ready(Ok(())) => return Poll::Ready(()),
                        Poll::Ready(Err(_)) => listening = false,
                        Poll::Pending => {}
                    }
                }
                Poll::Pending
            })
            .await;
            lock(&fresh).leave(id);
            drop(slot);
        });
    }
}

fn lock(lineup: &Mutex<Lineup>) -> std::sync::MutexGuard<'_, Lineup> {
    lineup.lock().unwrap_or_else(|e| e.into_inner())
}

/// Things that may be ended for newer ones, oldest first: connections
/// that have not sent a whole request yet, and live-reload streams. Each
/// has a number and the sender through which it is told to end.
#[derive(Default)]
struct Lineup {
    next: u64,
    open: VecDeque<(u64, oneshot::Sender<()>)>,
}

impl Lineup {
    /// A newcomer: its number and the receiver that tells it to end (`Ok`)
    /// or that it has left the lineup (`Err`, the sender dropped).
    fn join(&mut self) -> (u64, oneshot::Receiver<()>) {
        let (tx, rx) = oneshot::channel();
        let id = self.next;
        self.next += 1;
        self.open.push_back((id, tx));
        (id, rx)
    }

    /// Tell the oldest to end.
    fn end_oldest(&mut self) {
        if let Some((_, tx)) = self.open.pop_front() {
            let _ = tx.send(());
        }
    }

    /// Forget `id` (ended, or no longer to be ended).
    fn leave(&mut self, id: u64) {
        if let Some(at) = self.open.iter().position(|(i, _)| *i == id) {
            self.open.remove(at);
        }
    }

    fn len(&self) -> usize {
        self.open.len()
    }
}

/// A short plain-text refusal; the connection is closed after it.
fn refuse(status: u16) -> Response {
    let mut response = hyper::Response::new(Either::Left(Full::new(Bytes::from_static(
        refusal_text(status).as_bytes(),
    ))));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let headers = response.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(
        hyper::header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// The answer to one request (hyper has checked its syntax already).
fn answer(
    request: &hyper::Request<Incoming>,
    bind: IpAddr,
    handlers: &Handlers,
    streams: &Arc<Mutex<Lineup>>,
) -> Response {
    let headers = request.headers();
    let mut hosts = headers.get_all(hyper::header::HOST).iter();
    match (hosts.next(), hosts.next()) {
        (Some(_), Some(_)) => return refuse(400),
        (None, _) if request.version() != Version::HTTP_10 => return refuse(400),
        (Some(host), None) if !host.to_str().is_ok_and(|h| host_allowed(h, bind)) => {
            return refuse(421);
        }
        _ => {}
    }
    // Beside `Content-Length`, hyper takes `Transfer-Encoding` and drops
    // the length, so the service cannot tell the two apart: as no request
    // answered here has a body, any chunked one is refused.
    if headers.contains_key(hyper::header::TRANSFER_ENCODING) {
        return refuse(400);
    }
    let uri = request.uri();
    // The absolute form (`GET http://127.0.0.1:1111/a/`, as sent to a
    // proxy): its authority is checked like a `Host`, and only its path and
    // query name the file. (`CONNECT host:port` has no scheme and goes on
    // as it is, to be refused with 405.)
    let target = match (uri.scheme(), uri.authority()) {
        (Some(_), Some(authority)) => {
            if !host_allowed(authority.as_str(), bind) {
                return refuse(421);
            }
            uri.path_and_query()
                .map_or_else(|| "/".to_string(), |p| p.as_str().to_string())
        }
        (Some(_), None) => return refuse(400),
        _ => uri.to_string(),
    };
    if target.len() > MAX_TARGET {
        return refuse(414);
    }
    // A body is never read: close rather than let it be taken as requests.
    let has_body = !request.body().is_end_stream();
    let reply = (handlers.answer)(&Request {
        method: request.method().as_str(),
        target,
        headers,
    });
    let mut close = has_body;
    let body = match reply.body {
        Body::Empty => Either::Left(Full::default()),
        Body::Bytes(bytes) => Either::Left(Full::new(Bytes::from(bytes))),
        Body::Shared(bytes) => Either::Left(Full::new(Bytes::from_owner(Shared(bytes)))),
        Body::Events => {
            // Nothing follows an event stream on its connection.
            close = true;
            Either::Right(EventStream::open(streams, (handlers.events)()))
        }
    };
    let mut response = hyper::Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let out = response.headers_mut();
    for (name, value) in reply.headers {
        // Values come from the site: one that is not a valid header value
        // (a line break, say) is left out.
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            out.append(name, value);
        }
    }
    if close {
        out.insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Bytes shared with the site's map, sent without a copy.
struct Shared(Arc<Vec<u8>>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// The body of a live-reload event stream: the first message, then each
/// one received, with a comment after [`KEEP_ALIVE`] of silence. It ends
/// when the sender is gone or when [`MAX_STREAMS`] newer streams have
/// opened; hyper drops it when the client goes away.
pub struct EventStream {
    first: Option<String>,
    rest: mpsc::Receiver<String>,
    quiet: Pin<Box<Sleep>>,
    /// Ready when this stream is to end for a newer one.
    ended: oneshot::Receiver<()>,
    id: u64,
    streams: Arc<Mutex<Lineup>>,
}

impl EventStream {
    /// A new stream in `streams`, ending the oldest when there are
    /// [`MAX_STREAMS`] already.
    fn open(streams: &Arc<Mutex<Lineup>>, (first, rest): Events) -> EventStream {
        let mut lineup = lock(streams);
        while lineup.len() >= MAX_STREAMS {
            lineup.end_oldest();
        }
        let (id, ended) = lineup.join();
        drop(lineup);
        EventStream {
            first: Some(first),
            rest,
            quiet: Box::pin(tokio::time::sleep(KEEP_ALIVE)),
            ended,
            id,
            streams: streams.clone(),
        }
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        lock(&self.streams).leave(self.id);
    }
}

impl hyper::body::Body for EventStream {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = &mut *self;
        if Pin::new(&mut this.ended).poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        let message = match this.first.take() {
            Some(first) => first,
            None => match this.rest.poll_recv(cx) {
                Poll::Ready(Some(message)) => message,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => {
                    ready!(this.quiet.as_mut().poll(cx));
                    ": keep-alive\n\n".to_string()
                }
            },
        };
        let next = tokio::time::Instant::now() + KEEP_ALIVE;
        this.quiet.as_mut().reset(next);
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(message)))))
    }
}

/// A connection whose writes fail after [`WRITE_TIMEOUT`] without progress.
struct WriteTimeout<T> {
    conn: T,
    /// Running while a write waits.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<T> WriteTimeout<T> {
    fn new(conn: T) -> Self {
        WriteTimeout {
            conn,
            stalled: None,
        }
    }

    /// Pass on the result of a write, or time it out.
    fn check<R>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<R>>) -> Poll<io::Result<R>> {
        if poll.is_ready() {
            self.stalled = None;
            return poll;
        }
        let timer = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(WRITE_TIMEOUT)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::ErrorKind::TimedOut.into())),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for WriteTimeout<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.conn).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for WriteTimeout<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.conn).poll_write(cx, buf);
        self.check(cx, poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.conn).poll_write_vectored(cx, bufs);
        self.check(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.conn.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.conn).poll_flush(cx);
        self.check(cx, poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.conn).poll_shutdown(cx);
        self.check(cx, poll)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use tokio::io::AsyncWriteExt;

    async fn next(body: &mut EventStream) -> Option<String> {
        let frame = body.frame().await?.unwrap();
        Some(String::from_utf8(frame.into_data().unwrap().to_vec()).unwrap())
    }

    #[tokio::test(start_paused = true)]
    async fn event_streams_keep_alive_and_end_with_their_sender() {
        let streams = Arc::new(Mutex::new(Lineup::default()));
        let (tx, rx) = mpsc::channel(4);
        let mut body = EventStream::open(&streams, ("first".into(), rx));
        assert_eq!(next(&mut body).await.unwrap(), "first");
        tx.send("second".into()).await.unwrap();
        assert_eq!(next(&mut body).await.unwrap(), "second");
        let quiet = tokio::time::Instant::now();
        assert_eq!(next(&mut body).await.unwrap(), ": keep-alive\n\n");
        assert!(quiet.elapsed() >= KEEP_ALIVE);
        drop(tx);
        assert_eq!(next(&mut body).await, None);
        assert_eq!(streams.lock().unwrap().len(), 1, "counted until dropped");
        drop(body);
        assert_eq!(streams.lock().unwrap().len(), 0, "forgotten when dropped");
    }

    #[tokio::test(start_paused = true)]
    async fn a_new_event_stream_ends_the_oldest() {
        let streams = Arc::new(Mutex::new(Lineup::default()));
        let mut senders = Vec::new();
        let mut bodies: Vec<EventStream> = (0..MAX_STREAMS + 2)
            .map(|i| {
                let (tx, rx) = mpsc::channel(4);
                senders.push(tx);
                EventStream::open(&streams, (format!("hello {i}"), rx))
            })
            .collect();
        assert_eq!(streams.lock().unwrap().len(), MAX_STREAMS);
        // The two oldest end at once, although their senders are alive.
        for body in &mut bodies[..2] {
            assert_eq!(next(body).await, None);
        }
        // The others go on.
        for (i, body) in bodies.iter_mut().enumerate().skip(2) {
            assert_eq!(next(body).await.unwrap(), format!("hello {i}"));
        }
        senders[2].send("still here".into()).await.unwrap();
        assert_eq!(next(&mut bodies[2]).await.unwrap(), "still here");
        // A stream that ended and was dropped frees no one else's place.
        bodies.truncate(2);
        assert_eq!(streams.lock().unwrap().len(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn writes_without_progress_time_out() {
        // The peer reads nothing: the buffer fills, then the write stalls.
        let (conn, _peer) = tokio::io::duplex(64);
        let mut conn = WriteTimeout::new(conn);
        let started = tokio::time::Instant::now();
        let err = conn.write_all(&[0u8; 1024]).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= WRITE_TIMEOUT);

        // A slow reader that keeps reading is never cut off.
        let (conn, mut peer) = tokio::io::duplex(64);
        let mut conn = WriteTimeout::new(conn);
        let reading = tokio::spawn(async move {
            let mut got = 0;
            loop {
                tokio::time::sleep(WRITE_TIMEOUT / 2).await;
                let mut buf = [0u8; 64];
                match tokio::io::AsyncReadExt::read(&mut peer, &mut buf).await {
                    Ok(0) | Err(_) => return got,
                    Ok(n) => got += n,
                }
            }
        });
        conn.write_all(&[1u8; 256]).await.unwrap();
        conn.shutdown().await.unwrap();
        drop(conn);
        assert_eq!(reading.await.unwrap(), 256);
    }

    #[test]
    fn hosts_name_this_server() {
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        for ok in [
            "localhost",
            "LocalHost:1313",
            "127.0.0.1",
            "127.0.0.1:80",
            "[::1]",
            "[::1]:8080",
        ] {
            assert!(host_allowed(ok, lo), "{ok}");
        }
        for bad in [
            "",
            "evil.example",
            "evil.example:1313",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "192.168.1.2",
            "127.1",
            "0x7f.0.0.1",
            "[localhost]",
            "[::1",
            "::1",
            "127.0.0.1:",
            "127.0.0.1:x",
            "127.0.0.1:123456",
        ] {
            assert!(!host_allowed(bad, lo), "{bad}");
        }
        let all: IpAddr = "0.0.0.0".parse().unwrap();
        for ok in ["192.168.1.2:1313", "10.0.0.1", "[fe80::1]", "localhost"] {
            assert!(host_allowed(ok, all), "{ok}");
        }
        for bad in ["my-pc.local", "evil.example:1313", "1.2.3.4.nip.io"] {
            assert!(!host_allowed(bad, all), "{bad}");
        }
        let v6: IpAddr = "::1".parse().unwrap();
        assert!(host_allowed("[::1]:1313", v6));
        assert!(!host_allowed("[::2]", v6));
    }
}
