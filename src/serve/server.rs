//! The preview's HTTP/1.1 server: just enough HTTP for a browser on the
//! same computer (or the same network), with every resource bounded.
//!
//! - Each connection has its own thread, at most [`MAX_CONNECTIONS`] at
//!   once (more wait in the listen queue until one ends), so idle, slow or
//!   stuck clients never hold up the others.
//! - A request head must arrive whole within [`HEAD_TIMEOUT`] and fit in
//!   [`MAX_HEAD`] bytes (431 otherwise); a write that makes no progress for
//!   [`WRITE_TIMEOUT`] ends the connection.
//! - Request bodies are never read: a request announcing one is answered,
//!   then its connection is closed. Conflicting `Content-Length` headers,
//!   or one beside `Transfer-Encoding`, are refused (400).
//! - The `Host` header must name this server ([`host_allowed`]): a page of
//!   another site whose name was rebound to this address gets 421.
//! - Live-reload event streams are limited to [`MAX_STREAMS`] at once.

use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::http::{Body, Reply};

/// The largest request head (request line and headers) read.
pub const MAX_HEAD: usize = 16 * 1024;
/// How long a request head may take to arrive, and how long a kept-alive
/// connection may stay idle.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a write may make no progress (a client that stopped reading).
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(20);
/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 256;
/// Live-reload event streams open at once.
pub const MAX_STREAMS: usize = 64;

/// One request head, checked.
#[derive(Debug)]
pub struct Request {
    pub method: String,
    pub target: String,
    pub http10: bool,
    pub headers: Vec<(String, String)>,
    /// The request announces a body (which is never read).
    pub has_body: bool,
    /// The client asked to close the connection after the answer.
    pub close: bool,
}

impl Request {
    /// The first value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Parse a request head (without the blank line that ends it). `Err` holds
/// the status to refuse it with.
pub fn parse_head(head: &[u8]) -> Result<Request, u16> {
    let text = std::str::from_utf8(head).map_err(|_| 400u16)?;
    let mut lines = text.split("\r\n");
    let line = lines.next().unwrap_or("");
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(400);
    };
    if !is_token(method)
        || target.is_empty()
        || target.bytes().any(|b| b.is_ascii_control() || b == b' ')
    {
        return Err(400);
    }
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        v if v.starts_with("HTTP/") => return Err(505),
        _ => return Err(400),
    };
    let mut headers = Vec::new();
    for line in lines {
        // No folded lines (obsolete), no stray CR or LF, no controls.
        if line.starts_with([' ', '\t']) || line.bytes().any(|b| b.is_ascii_control() && b != b'\t')
        {
            return Err(400);
        }
        let (name, value) = line.split_once(':').ok_or(400u16)?;
        if !is_token(name) {
            return Err(400);
        }
        headers.push((
            name.to_string(),
            value.trim_matches([' ', '\t']).to_string(),
        ));
    }
    fn all<'a>(
        headers: &'a [(String, String)],
        name: &'static str,
    ) -> impl Iterator<Item = &'a str> {
        headers
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    // Content-Length: every value (also in lists) the same number.
    let mut length: Option<u64> = None;
    for value in all(&headers, "Content-Length").flat_map(|v| v.split(',')) {
        let value = value.trim_matches([' ', '\t']);
        if value.is_empty() || value.len() > 18 || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(400);
        }
        let n: u64 = value.parse().map_err(|_| 400u16)?;
        if length.is_some_and(|l| l != n) {
            return Err(400);
        }
        length = Some(n);
    }
    let chunked = all(&headers, "Transfer-Encoding").next().is_some();
    if chunked && (length.is_some() || http10) {
        return Err(400);
    }
    let hosts = all(&headers, "Host").count();
    if hosts > 1 || (hosts == 0 && !http10) {
        return Err(400);
    }
    let close = all(&headers, "Connection")
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case("close"));
    Ok(Request {
        method: method.to_string(),
        target: target.to_string(),
        http10,
        has_body: chunked || length.is_some_and(|n| n > 0),
        close,
        headers,
    })
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

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        304 => "Not Modified",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// The short text sent with a refusal.
fn refusal_text(status: u16) -> &'static str {
    match status {
        408 => "请求超时。\n",
        421 => {
            "拒绝访问：请用 localhost 或 IP 地址打开预览（其他主机名可能来自 DNS 重绑定攻击）。\n"
        }
        431 => "请求头太大。\n",
        503 => "预览服务器忙，请稍后再试。\n",
        505 => "不支持的 HTTP 版本。\n",
        _ => "无法理解的请求。\n",
    }
}

/// What the server calls: `answer` for every request, `stream` with the
/// connection of each live-reload event stream (a reply with
/// [`Body::Events`]), which it then owns.
pub struct Handlers {
    pub answer: Box<dyn Fn(&Request) -> Reply + Send + Sync>,
    pub stream: Box<dyn Fn(TcpStream) + Send + Sync>,
}

/// Counts connections and makes the accepting thread wait for a free one.
struct Slots {
    used: Mutex<usize>,
    freed: Condvar,
}

struct Slot(Arc<Slots>);

impl Slots {
    fn take(self: &Arc<Self>) -> Slot {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        while *used >= MAX_CONNECTIONS {
            used = self.freed.wait(used).unwrap_or_else(|e| e.into_inner());
        }
        *used += 1;
        Slot(self.clone())
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut used = self.0.used.lock().unwrap_or_else(|e| e.into_inner());
        *used -= 1;
        self.0.freed.notify_one();
    }
}

/// Serve `listener` on a thread of its own, for as long as the process runs.
pub fn spawn(listener: TcpListener, bind: IpAddr, handlers: Handlers) {
    let handlers = Arc::new(handlers);
    let streams = Arc::new(AtomicUsize::new(0));
    let slots = Arc::new(Slots {
        used: Mutex::new(0),
        freed: Condvar::new(),
    });
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let conn = match conn {
                Ok(c) => c,
                Err(_) => {
                    // Out of file descriptors and the like: let some close.
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                }
            };
            let slot = slots.take();
            let handlers = handlers.clone();
            let streams = streams.clone();
            let _ = std::thread::Builder::new()
                .name("yishi-http".into())
                .spawn(move || {
                    let _slot = slot;
                    connection(conn, bind, &handlers, &streams);
                });
        }
    });
}

/// Read until a whole request head is in `buf`: `Ok(Some(end))` with the
/// length of the head and its blank line, `Ok(None)` when the client
/// closed or stayed silent, `Err(status)` to refuse it.
fn read_head(
    conn: &mut TcpStream,
    buf: &mut Vec<u8>,
    deadline: Instant,
) -> Result<Option<usize>, u16> {
    let mut chunk = [0u8; 4096];
    let mut searched = 0;
    loop {
        // Empty lines before a request are allowed (RFC 9112, 2.2).
        while buf.starts_with(b"\r\n") {
            buf.drain(..2);
            searched = 0;
        }
        if let Some(at) = buf[searched.min(buf.len())..]
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
        {
            let end = searched + at + 4;
            return if end - 4 > MAX_HEAD {
                Err(431)
            } else {
                Ok(Some(end))
            };
        }
        searched = buf.len().saturating_sub(3);
        if buf.len() >= MAX_HEAD + 4 {
            return Err(431);
        }
        let now = Instant::now();
        if now >= deadline {
            return if buf.is_empty() { Ok(None) } else { Err(408) };
        }
        let _ = conn.set_read_timeout(Some(deadline - now));
        match conn.read(&mut chunk) {
            Ok(0) => return Ok(None),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return Ok(None),
        }
    }
}

/// Send a short refusal and end the connection.
fn refuse(conn: &mut TcpStream, status: u16) {
    let text = refusal_text(status);
    let head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        reason(status),
        text.len()
    );
    let _ = conn
        .write_all(head.as_bytes())
        .and_then(|_| conn.write_all(text.as_bytes()))
        .and_then(|_| conn.flush());
    // Unread request bytes would make the close a reset, which can destroy
    // the answer before the client reads it: stop sending, then read a
    // little of what is left before closing.
    let _ = conn.shutdown(std::net::Shutdown::Write);
    let _ = conn.set_read_timeout(Some(Duration::from_millis(200)));
    let mut sink = [0u8; 4096];
    let mut drained = 0;
    while drained < 64 * 1024 {
        match conn.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

fn write_reply(
    conn: &mut TcpStream,
    head_only: bool,
    reply: &Reply,
    close: bool,
) -> std::io::Result<()> {
    let body: &[u8] = match &reply.body {
        Body::Bytes(b) => b,
        Body::Shared(b) => b,
        Body::Empty | Body::Events => &[],
    };
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (k, v) in &reply.headers {
        // Values come from the site; never let one end the head.
        if v.bytes().any(|b| b == b'\r' || b == b'\n') {
            continue;
        }
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    // The head of an event stream has no length: the stream has none.
    let stream = reply
        .headers
        .iter()
        .any(|(k, v)| *k == "Content-Type" && v.starts_with("text/event-stream"));
    if reply.status != 304 && !stream {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    conn.write_all(head.as_bytes())?;
    if !head_only && reply.status != 304 {
        conn.write_all(body)?;
    }
    conn.flush()
}

/// Serve the requests of one connection, one after the other.
fn connection(mut conn: TcpStream, bind: IpAddr, handlers: &Handlers, streams: &AtomicUsize) {
    let _ = conn.set_nodelay(true);
    let _ = conn.set_write_timeout(Some(WRITE_TIMEOUT));
    let mut buf = Vec::with_capacity(1024);
    loop {
        let end = match read_head(&mut conn, &mut buf, Instant::now() + HEAD_TIMEOUT) {
            Ok(Some(end)) => end,
            Ok(None) => return,
            Err(status) => return refuse(&mut conn, status),
        };
        let parsed = parse_head(&buf[..end - 4]);
        buf.drain(..end);
        let request = match parsed {
            Ok(r) => r,
            Err(status) => return refuse(&mut conn, status),
        };
        if !request.header("Host").is_none_or(|h| host_allowed(h, bind)) {
            return refuse(&mut conn, 421);
        }
        let reply = (handlers.answer)(&request);
        if matches!(reply.body, Body::Events) {
            if streams.fetch_add(1, Ordering::SeqCst) >= MAX_STREAMS {
                streams.fetch_sub(1, Ordering::SeqCst);
                return refuse(&mut conn, 503);
            }
            (handlers.stream)(conn);
            streams.fetch_sub(1, Ordering::SeqCst);
            return;
        }
        // A body is never read: close rather than read it as a request.
        let close = request.close || request.http10 || request.has_body;
        let head_only = request.method == "HEAD";
        if write_reply(&mut conn, head_only, &reply, close).is_err() || close {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Request, u16> {
        parse_head(s.as_bytes())
    }

    #[test]
    fn heads_are_parsed_strictly() {
        let r = parse("GET /a?b HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, close").unwrap();
        assert_eq!((r.method.as_str(), r.target.as_str()), ("GET", "/a?b"));
        assert!(r.close && !r.has_body && !r.http10);
        assert_eq!(r.header("host"), Some("x"));
        assert!(parse("GET / HTTP/1.0").unwrap().http10, "no Host in 1.0");
        for (bad, status) in [
            ("GET / HTTP/1.1", 400),
            ("GET /  HTTP/1.1\r\nHost: x", 400),
            ("GET / HTTP/2.0\r\nHost: x", 505),
            ("GET / HTTP/1.1\r\nHost: x\r\n folded", 400),
            ("GET / HTTP/1.1\r\nHost : x", 400),
            ("GET / HTTP/1.1\r\nHost: x\r\nHost: y", 400),
            ("GET / HTTP/1.1\r\nHost: x\nX: y", 400),
            (
                "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2",
                400,
            ),
            ("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2", 400),
            ("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: +1", 400),
            (
                "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked",
                400,
            ),
        ] {
            assert_eq!(parse(bad).err(), Some(status), "{bad:?}");
        }
        let same =
            parse("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3").unwrap();
        assert!(same.has_body);
        assert!(
            parse("GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked")
                .unwrap()
                .has_body
        );
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
