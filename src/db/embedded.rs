//! A private PostgreSQL cluster run by Korps itself, so that `cargo run` and the tests
//! need nothing but PostgreSQL's binaries.
//!
//! The postmaster listens only on a Unix socket inside the cluster's folder (no TCP
//! port). It is started from a thread that lives as long as the process, with a
//! parent-death signal, so the cluster stops even when Korps is killed.

use std::ffi::CString;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sqlx::postgres::PgConnectOptions;

/// Why the embedded cluster could not start. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(
        "PostgreSQL's server binaries (initdb, postgres) were not found: install PostgreSQL \
         (e.g. `apt-get install postgresql`) or set DATABASE_URL to an existing server"
    )]
    BinariesMissing,
    #[error(
        "running as root, but there is no `postgres` OS user to run PostgreSQL as: \
         create one or set DATABASE_URL"
    )]
    NoPostgresUser,
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{what} failed; see {log}")]
    CommandFailed { what: &'static str, log: String },
    #[error("PostgreSQL did not become ready within 60 s; see {log}")]
    NotReady { log: String },
}

/// How the cluster is tuned: durable for real data, fast for throwaway test clusters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    Durable,
    Throwaway,
}

pub struct EmbeddedPostgres {
    dir: PathBuf,
    pid: i32,
    /// Receives once when the postmaster has exited.
    exited: std::sync::Mutex<mpsc::Receiver<()>>,
}

impl EmbeddedPostgres {
    /// Starts (creating on first use) the cluster in `dir`. Blocks until it accepts connections.
    pub fn start(dir: &Path, durability: Durability) -> Result<Self, EmbeddedError> {
        let bin = find_bindir().ok_or(EmbeddedError::BinariesMissing)?;
        fs::create_dir_all(dir)?;
        let dir = dir.canonicalize()?;
        let owner = os_user_for_postgres()?;
        if let Some((uid, gid)) = owner {
            use std::os::unix::fs::MetadataExt;
            // Only on first use or after a copy: a cluster's files stay owned by `postgres`.
            if fs::metadata(&dir)?.uid() != uid {
                chown_recursive(&dir, uid, gid)?;
            }
        }
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))?;
        let data = dir.join("data");
        let log_path = dir.join("postgres.log");

        if !data.join("PG_VERSION").exists() {
            let log = fs::File::create(dir.join("initdb.log"))?;
            let mut initdb = Command::new(bin.join("initdb"));
            initdb
                .arg("-D")
                .arg(&data)
                .args([
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ])
                .current_dir(&dir)
                .stdin(Stdio::null())
                .stdout(log.try_clone()?)
                .stderr(log);
            as_owner(&mut initdb, owner);
            let status = initdb.status()?;
            if !status.success() {
                return Err(EmbeddedError::CommandFailed {
                    what: "initdb",
                    log: dir.join("initdb.log").display().to_string(),
                });
            }
        }

        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)?;
        if let Some((uid, gid)) = owner {
            chown(&log_path, uid, gid)?;
        }
        let mut postgres = Command::new(bin.join("postgres"));
        postgres
            .arg("-D")
            .arg(&data)
            .arg("-k")
            .arg(&dir)
            .args([
                "-c",
                "listen_addresses=",
                "-c",
                "unix_socket_permissions=0700",
            ])
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        if durability == Durability::Throwaway {
            postgres.args([
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=300",
            ]);
        }
        as_owner(&mut postgres, owner);
        // SAFETY: prctl is async-signal-safe. Set after the uid change (std runs pre_exec
        // last), because changing credentials clears the parent-death signal. SIGQUIT is
        // PostgreSQL's immediate shutdown.
        unsafe {
            postgres.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGQUIT) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }

        // The parent-death signal fires when the *thread* that spawned the child ends, so
        // spawn from a thread that waits on the child for the rest of the process's life.
        let (pid_tx, pid_rx) = mpsc::channel();
        let (exit_tx, exit_rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("embedded-postgres".into())
            .spawn(move || match postgres.spawn() {
                Ok(mut child) => {
                    let _ = pid_tx.send(Ok(child.id() as i32));
                    let _ = child.wait();
                    let _ = exit_tx.send(());
                }
                Err(err) => {
                    let _ = pid_tx.send(Err(err));
                }
            })?;
        let pid = pid_rx
            .recv()
            .map_err(|_| std::io::Error::other("postgres thread ended"))??;
        let cluster = EmbeddedPostgres {
            dir,
            pid,
            exited: std::sync::Mutex::new(exit_rx),
        };
        cluster.wait_until_ready(&bin, &log_path)?;
        Ok(cluster)
    }

    /// Connection options for `database` on this cluster, as the superuser `postgres`.
    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.dir)
            .username("postgres")
            .database(database)
    }

    /// Where the socket and data live.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Polls `pg_isready` (no async runtime needed, so this works from any context).
    fn wait_until_ready(&self, bin: &Path, log: &Path) -> Result<(), EmbeddedError> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if self
                .exited
                .lock()
                .is_ok_and(|exited| exited.try_recv().is_ok())
            {
                return Err(EmbeddedError::CommandFailed {
                    what: "starting postgres",
                    log: log.display().to_string(),
                });
            }
            let ready = Command::new(bin.join("pg_isready"))
                .arg("-q")
                .arg("-h")
                .arg(&self.dir)
                .args(["-U", "postgres", "-d", "postgres"])
                .status()
                .is_ok_and(|status| status.success());
            if ready {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(EmbeddedError::NotReady {
                    log: log.display().to_string(),
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Immediate shutdown, as after a power cut: no checkpoint; the next start replays the
    /// write-ahead log. What was committed on a durable cluster survives it.
    pub fn crash(&self) {
        // SAFETY: sending a signal to our own child process.
        unsafe {
            libc::kill(self.pid, libc::SIGQUIT);
        }
        if let Ok(exited) = self.exited.lock() {
            let _ = exited.recv_timeout(Duration::from_secs(30));
        }
    }

    /// Fast shutdown: ends sessions, checkpoints, and waits for the postmaster to exit.
    pub fn stop(&self) {
        // SAFETY: sending a signal to our own child process.
        unsafe {
            libc::kill(self.pid, libc::SIGINT);
        }
        if let Ok(exited) = self.exited.lock() {
            let _ = exited.recv_timeout(Duration::from_secs(30));
        }
    }
}

/// initdb, postgres: from PATH, `pg_config --bindir`, or the newest /usr/lib/postgresql/*/bin.
pub fn find_bindir() -> Option<PathBuf> {
    let has_server = |dir: &Path| {
        ["initdb", "postgres", "pg_isready"]
            .iter()
            .all(|bin| dir.join(bin).is_file())
    };
    if let Some(path) = std::env::var_os("PATH") {
        if let Some(dir) = std::env::split_paths(&path).find(|dir| has_server(dir)) {
            return Some(dir);
        }
    }
    if let Ok(output) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        if output.status.success() && has_server(&dir) {
            return Some(dir);
        }
    }
    let mut candidates: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            has_server(&bin).then_some((version, bin))
        })
        .collect();
    candidates.sort();
    candidates.pop().map(|(_, bin)| bin)
}

/// PostgreSQL refuses to run as root: then run it as the `postgres` OS user.
fn os_user_for_postgres() -> Result<Option<(u32, u32)>, EmbeddedError> {
    // SAFETY: getuid has no preconditions.
    if unsafe { libc::getuid() } != 0 {
        return Ok(None);
    }
    let name = CString::new("postgres").expect("no NUL");
    // SAFETY: getpwnam returns a pointer into static storage or null; read it at once.
    let entry = unsafe { libc::getpwnam(name.as_ptr()) };
    if entry.is_null() {
        return Err(EmbeddedError::NoPostgresUser);
    }
    // SAFETY: non-null pointer from getpwnam.
    let (uid, gid) = unsafe { ((*entry).pw_uid, (*entry).pw_gid) };
    Ok(Some((uid, gid)))
}

fn as_owner(command: &mut Command, owner: Option<(u32, u32)>) {
    if let Some((uid, gid)) = owner {
        command.uid(uid).gid(gid);
    }
}

fn chown(path: &Path, uid: u32, gid: u32) -> std::io::Result<()> {
    std::os::unix::fs::lchown(path, Some(uid), Some(gid))
}

fn chown_recursive(path: &Path, uid: u32, gid: u32) -> std::io::Result<()> {
    chown(path, uid, gid)?;
    if path.is_dir() && !path.is_symlink() {
        for entry in fs::read_dir(path)? {
            chown_recursive(&entry?.path(), uid, gid)?;
        }
    }
    Ok(())
}
