//! Where mails go: an SMTP server (`KORPS_SMTP_URL`), or `.eml` files in a directory.

use std::path::PathBuf;
use std::time::Duration;

use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

/// Why a mail was not delivered.
pub struct Failure {
    pub message: String,
    /// The mail itself cannot be sent (it could not be built): trying again will not help.
    /// A server's refusal is not permanent here: a 5xx may be about the connection (a
    /// wrong login, a relay refusing our address), not this mail, and must not fail every
    /// queued row; a refused recipient fails after its tries.
    pub permanent: bool,
}

impl Transport {
    /// SMTP when a URL is given (`smtp://`, `smtps://`, `?tls=required`, `user:pass@`), else
    /// files in `dir`.
    pub fn new(smtp_url: Option<&str>, dir: PathBuf) -> Result<Transport, String> {
        match smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|err| format!("KORPS_SMTP_URL: {err}"))?
                    // The connect; the whole delivery is bounded by the sender.
                    .timeout(Some(Duration::from_secs(20)))
                    .build();
                Ok(Transport::Smtp(transport))
            }
            None => {
                std::fs::create_dir_all(&dir)
                    .map_err(|err| format!("mail directory {}: {err}", dir.display()))?;
                Ok(Transport::Files(AsyncFileTransport::new(&dir), dir))
            }
        }
    }

    pub async fn send(&self, message: Message) -> Result<(), Failure> {
        match self {
            Transport::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|err| Failure {
                permanent: false,
                message: err.to_string(),
            }),
            Transport::Files(files, dir) => {
                let id = files.send(message).await.map_err(|err| Failure {
                    permanent: false,
                    message: err.to_string(),
                })?;
                tracing::info!(path = %dir.join(format!("{id}.eml")).display(), "mail written");
                Ok(())
            }
        }
    }
}
