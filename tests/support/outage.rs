//! A TCP proxy in front of the test's database that a test can cut and restore, and that
//! counts the bytes it carries (a request that costs no database work moves none).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UnixStream};

pub struct Proxy {
    pub port: u16,
    pub up: Arc<AtomicBool>,
    bytes: Arc<AtomicU64>,
}

impl Proxy {
    /// Bytes carried either way so far.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::SeqCst)
    }
}

#[derive(Clone)]
pub enum TargetAddr {
    Unix(std::path::PathBuf),
    Tcp(String),
}

/// Forwards 127.0.0.1:<port> to the database's socket or TCP address while `up`.
pub async fn start(target: TargetAddr) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let up = Arc::new(AtomicBool::new(true));
    let bytes = Arc::new(AtomicU64::new(0));
    let (flag, count) = (up.clone(), bytes.clone());
    tokio::spawn(async move {
        loop {
            let Ok((inbound, _)) = listener.accept().await else {
                return;
            };
            let (flag, count, target) = (flag.clone(), count.clone(), target.clone());
            tokio::spawn(async move {
                if !flag.load(Ordering::SeqCst) {
                    return; // dropped: connection refused/reset
                }
                match &target {
                    TargetAddr::Unix(path) => {
                        if let Ok(outbound) = UnixStream::connect(path).await {
                            pump(inbound, outbound, flag, count).await;
                        }
                    }
                    TargetAddr::Tcp(addr) => {
                        if let Ok(outbound) = TcpStream::connect(addr).await {
                            pump(inbound, outbound, flag, count).await;
                        }
                    }
                }
            });
        }
    });
    Proxy { port, up, bytes }
}

async fn pump<A, B>(a: A, b: B, flag: Arc<AtomicBool>, bytes: Arc<AtomicU64>)
where
    A: AsyncRead + AsyncWrite + Unpin,
    B: AsyncRead + AsyncWrite + Unpin,
{
    let (mut a_read, mut a_write) = tokio::io::split(a);
    let (mut b_read, mut b_write) = tokio::io::split(b);
    let there = copy(&mut a_read, &mut b_write, &flag, &bytes);
    let back = copy(&mut b_read, &mut a_write, &flag, &bytes);
    tokio::select! {
        _ = there => {}
        _ = back => {}
    }
}

/// Copies until either side closes or the proxy is cut, counting what passes.
async fn copy<R, W>(from: &mut R, to: &mut W, flag: &AtomicBool, bytes: &AtomicU64)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let read = tokio::select! {
            read = from.read(&mut buffer) => read,
            () = tokio::time::sleep(Duration::from_millis(50)) => {
                if flag.load(Ordering::SeqCst) { continue } else { return }
            }
        };
        let Ok(n) = read else { return };
        if n == 0 || !flag.load(Ordering::SeqCst) {
            return;
        }
        bytes.fetch_add(n as u64, Ordering::SeqCst);
        if to.write_all(&buffer[..n]).await.is_err() {
            return;
        }
    }
}

/// A load balancer in front of several servers: each new connection goes to the next
/// server in turn. Returns its port and how many connections each server got.
pub async fn round_robin(servers: Vec<std::net::SocketAddr>) -> (u16, Arc<Vec<AtomicU64>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let counts: Arc<Vec<AtomicU64>> = Arc::new(servers.iter().map(|_| AtomicU64::new(0)).collect());
    let counted = counts.clone();
    tokio::spawn(async move {
        let mut next = 0;
        loop {
            let Ok((inbound, _)) = listener.accept().await else {
                return;
            };
            let index = next % servers.len();
            next += 1;
            counted[index].fetch_add(1, Ordering::SeqCst);
            let server = servers[index];
            tokio::spawn(async move {
                if let Ok(outbound) = TcpStream::connect(server).await {
                    let always = Arc::new(AtomicBool::new(true));
                    pump(inbound, outbound, always, Arc::new(AtomicU64::new(0))).await;
                }
            });
        }
    });
    (port, counts)
}
