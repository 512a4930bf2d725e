//! The second factor's arithmetic: TOTP codes (RFC 6238 — HMAC-SHA-1, 6 digits, 30-second
//! steps, one step of clock skew either way), the `otpauth://` address an authenticator
//! app reads from the QR code (drawn here as SVG), and recovery codes.
//!
//! Everything here is pure: the time is an argument, so tests use a fixed clock.

use rand::Rng;
use totp_rs::{Builder, Secret, Totp};

/// The issuer an authenticator app shows beside the account.
pub const ISSUER: &str = "Korps";
/// The demo accounts' secret (ARCHITECTURE.md, Contracts): demo data only.
pub const DEMO_SECRET: &str = "KORPSDEMOKORPSDEMOKORPSDEMOKORPS";
/// How many recovery codes a user gets at a time.
pub const RECOVERY_CODES: usize = 10;
/// Bytes of a new secret: 160 bits, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;
/// Digits of a recovery code (shown in groups of four): about 40 bits, tried only after
/// the password and under the same throttle as codes.
const RECOVERY_DIGITS: usize = 12;

/// A fresh random secret.
pub fn new_secret() -> Vec<u8> {
    let mut bytes = vec![0u8; SECRET_BYTES];
    rand::rng().fill(&mut bytes[..]);
    bytes
}

/// The demo secret's bytes.
pub fn demo_secret() -> Vec<u8> {
    Secret::try_from_base32(DEMO_SECRET)
        .expect("the demo secret is base32")
        .as_bytes()
        .to_vec()
}

fn totp(secret: &[u8], account: &str) -> Totp {
    Builder::new()
        .with_secret(secret.to_vec())
        .with_issuer(Some(ISSUER))
        .with_account_name(account.replace(':', " "))
        .build()
        .expect("a 160-bit secret and a 6-digit code are valid")
}

/// The secret in base32, in groups of four, for typing into an app by hand.
pub fn base32_grouped(secret: &[u8]) -> String {
    let plain = Secret::new(secret.to_vec().into_boxed_slice()).to_base32();
    plain
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `otpauth://totp/Korps:<e-mail>?secret=…&issuer=Korps` address.
pub fn otpauth_url(secret: &[u8], account: &str) -> String {
    totp(secret, account)
        .to_url()
        .expect("the account name has no colon")
}

/// The address as a QR code: an inline SVG image with `label` as its accessible name.
pub fn qr_svg(url: &str, label: &str) -> String {
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .expect("an otpauth address fits in a QR code");
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    // Inline in the page: without the XML declaration, and named for screen readers.
    let start = svg.find("<svg").unwrap_or(0);
    let label = label
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;");
    svg[start..].replacen(
        "<svg",
        &format!("<svg role=\"img\" aria-label=\"{label}\" class=\"korps-qr\""),
        1,
    )
}

/// The code for `secret` at `unix_time` (the demo and tests use it).
pub fn code_at(secret: &[u8], unix_time: u64) -> String {
    totp(secret, "").generate(unix_time).to_string()
}

/// Why a code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Wrong,
    /// Right, but its step (or a later one) was accepted before: a replay.
    Used,
}

/// The time step `code` belongs to when it is right for `secret` at `unix_time` (one
/// step either side) and newer than `last_step`.
pub fn check(secret: &[u8], code: &str, unix_time: u64, last_step: i64) -> Result<i64, Refused> {
    let step = totp(secret, "")
        .check(code, unix_time)
        .ok_or(Refused::Wrong)?;
    let step = i64::try_from(step).map_err(|_| Refused::Wrong)?;
    if step <= last_step {
        return Err(Refused::Used);
    }
    Ok(step)
}

/// What a user typed into the code field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entered {
    /// Six digits: a code from the app.
    Code(String),
    /// Twelve digits: a recovery code, without its dashes.
    Recovery(String),
    Malformed,
}

/// Reads the code field: spaces and dashes are ignored.
pub fn parse(entered: &str) -> Entered {
    let digits: String = entered
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Entered::Malformed;
    }
    match digits.len() {
        6 => Entered::Code(digits),
        RECOVERY_DIGITS => Entered::Recovery(digits),
        _ => Entered::Malformed,
    }
}

/// Fresh recovery codes as shown to the user ("1234-5678-9012"); store their hashes
/// (of the digits alone, see [`parse`]).
pub fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let digits: String = (0..RECOVERY_DIGITS)
                .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
                .collect();
            format!("{}-{}-{}", &digits[0..4], &digits[4..8], &digits[8..12])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1, secret "12345678901234567890", shortened to 6 digits.
    #[test]
    fn codes_match_the_rfc_test_vectors() {
        let secret = b"12345678901234567890";
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at(secret, time), code, "at {time}");
        }
    }

    #[test]
    fn a_code_passes_once_and_never_again() {
        let secret = demo_secret();
        let now = 1_800_000_000;
        let code = code_at(&secret, now);
        let step = check(&secret, &code, now, 0).expect("a fresh code passes");
        assert_eq!(step, (now / 30) as i64);
        assert_eq!(check(&secret, &code, now, step), Err(Refused::Used));
        assert_eq!(check(&secret, &code, now + 10, step), Err(Refused::Used));
    }

    #[test]
    fn a_code_passes_one_step_either_side_and_no_further() {
        let secret = demo_secret();
        let now = 1_800_000_000;
        let code = code_at(&secret, now);
        assert!(check(&secret, &code, now + 30, 0).is_ok());
        assert!(check(&secret, &code, now - 30, 0).is_ok());
        assert_eq!(check(&secret, &code, now + 90, 0), Err(Refused::Wrong));
        assert_eq!(check(&secret, "000000", now, 0).is_ok(), code == "000000");
    }

    #[test]
    fn a_newer_code_passes_after_an_older_one() {
        let secret = demo_secret();
        let now = 1_800_000_000;
        let first = check(&secret, &code_at(&secret, now), now, 0).unwrap();
        let later = now + 30;
        assert!(check(&secret, &code_at(&secret, later), later, first).is_ok());
    }

    #[test]
    fn the_code_field_reads_codes_and_recovery_codes() {
        assert_eq!(parse(" 123 456 "), Entered::Code("123456".into()));
        assert_eq!(
            parse("1234-5678-9012"),
            Entered::Recovery("123456789012".into())
        );
        assert_eq!(parse("12345"), Entered::Malformed);
        assert_eq!(parse("abcdef"), Entered::Malformed);
        assert_eq!(parse(""), Entered::Malformed);
    }

    #[test]
    fn recovery_codes_are_ten_different_twelve_digit_codes() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        for code in &codes {
            assert!(matches!(parse(code), Entered::Recovery(_)), "{code}");
        }
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
    }

    #[test]
    fn the_qr_code_is_an_inline_named_svg_of_the_otpauth_address() {
        let url = otpauth_url(&demo_secret(), "mentor.aarhus@example.org");
        assert!(url.starts_with("otpauth://totp/Korps:mentor.aarhus%40example.org?"));
        assert!(url.contains("secret=KORPSDEMOKORPSDEMOKORPSDEMOKORPS"));
        assert!(url.contains("issuer=Korps"));
        let svg = qr_svg(&url, "QR-kode \"x\"");
        assert!(svg.starts_with("<svg role=\"img\" aria-label=\"QR-kode &quot;x&quot;\""));
        assert!(!svg.contains("<?xml"));
    }

    #[test]
    fn the_secret_is_shown_in_groups_of_four() {
        assert_eq!(
            base32_grouped(&demo_secret()),
            "KORP SDEM OKOR PSDE MOKO RPSD EMOK ORPS"
        );
    }
}
