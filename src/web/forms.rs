//! Form helpers shared by every feature: field errors shown next to their field, and
//! the idempotency key that makes a repeated submission create one record only.

use serde::Deserialize;
use uuid::Uuid;

use crate::db::TenantTx;

/// Validation messages by field name, in the order the fields appear.
#[derive(Debug, Default, Clone)]
pub struct FieldErrors(Vec<(String, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        let field = field.into();
        if self.get(&field).is_none() {
            self.0.push((field, message.into()));
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, message)| message.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// (field id, message) for the error summary at the top of the form.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .map(|(field, message)| (field.as_str(), message.as_str()))
    }
}

/// Trims a text field; `None` when blank.
pub fn trimmed(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// A plausible e-mail address: something@something.something, no spaces.
pub fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
        && email.len() <= 254
        && !domain.contains('@')
}

/// The hidden `form_key` of a create form.
#[derive(Debug, Deserialize)]
pub struct FormKey {
    pub form_key: Uuid,
}

pub enum Claim {
    /// First submission: go on and create, then call `complete`.
    New,
    /// Already handled: send the user where the first submission went.
    Done(String),
}

/// Claims a form submission. A concurrent duplicate waits on the first one's row and then
/// sees it; a later duplicate finds the stored location.
pub async fn claim(tx: &mut TenantTx, key: Uuid) -> Result<Claim, sqlx::Error> {
    let user_id = tx.scope().user_id().ok_or(sqlx::Error::RowNotFound)?;
    let inserted = sqlx::query!(
        "INSERT INTO form_submissions (key, user_id, location) VALUES ($1, $2, '')
         ON CONFLICT (key) DO NOTHING",
        key,
        user_id
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(Claim::New);
    }
    let location = sqlx::query_scalar!(
        "SELECT location FROM form_submissions WHERE key = $1 AND user_id = $2",
        key,
        user_id
    )
    .fetch_optional(tx.conn())
    .await?
    .filter(|location| !location.is_empty())
    .unwrap_or_else(|| "/".to_string());
    Ok(Claim::Done(location))
}

pub async fn complete(tx: &mut TenantTx, key: Uuid, location: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE form_submissions SET location = $2 WHERE key = $1",
        key,
        location
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The form extractor every handler uses. Unlike `axum::Form` it reads repeated fields
/// (`roles=mentor&roles=parent_coach`) into a `Vec`. A body that does not fit gives the
/// 422 page.
pub struct Form<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for Form<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = crate::error::AppError;

    async fn from_request(
        request: axum::extract::Request,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|_| crate::error::AppError::Unprocessable)?;
        serde_html_form::from_bytes(&bytes)
            .map(Form)
            .map_err(|_| crate::error::AppError::Unprocessable)
    }
}

/// One checkbox of a group: its code, its label, and whether it is ticked.
pub struct Choice {
    pub code: &'static str,
    pub label: String,
    pub checked: bool,
}

/// The checkboxes for `options`, ticked where the code is in `selected`.
pub fn choices(options: &[(&'static str, String)], selected: &[String]) -> Vec<Choice> {
    options
        .iter()
        .map(|(code, label)| Choice {
            code,
            label: label.clone(),
            checked: selected.iter().any(|s| s == code),
        })
        .collect()
}

/// Reads a date as users write it (dd-mm-åååå) or as a date picker sends it (åååå-mm-dd).
pub fn parse_date(text: &str) -> Option<time::Date> {
    use time::macros::format_description;
    let text = text.trim();
    time::Date::parse(text, format_description!("[day]-[month]-[year]"))
        .or_else(|_| time::Date::parse(text, format_description!("[year]-[month]-[day]")))
        .ok()
}

/// The one answer to invalid input: the same form again — what the user typed kept, a
/// Danish message next to each field it concerns — with status 422.
pub fn invalid(form: impl axum::response::IntoResponse) -> axum::response::Response {
    use axum::response::IntoResponse;
    (axum::http::StatusCode::UNPROCESSABLE_ENTITY, form).into_response()
}

/// A field of a record as the user typed it and as someone else saved it meanwhile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub label: String,
    pub yours: String,
    pub theirs: String,
}

/// The rows of the 409 table: a form's fields as the user typed them and as they were
/// saved, each a (label, value as shown) in the same order; the ones that differ.
pub fn differences<L: Into<String>>(
    yours: Vec<(L, String)>,
    theirs: Vec<(L, String)>,
) -> Vec<Difference> {
    yours
        .into_iter()
        .zip(theirs)
        .filter(|((_, yours), (_, theirs))| yours.trim() != theirs.trim())
        .map(|((label, yours), (_, theirs))| Difference {
            label: label.into(),
            yours,
            theirs,
        })
        .collect()
}

/// The label of the option `code` in `options` (the code itself when unknown, nothing
/// when blank).
pub fn option_label<C: AsRef<str>, L: AsRef<str>>(options: &[(C, L)], code: &str) -> String {
    options
        .iter()
        .find(|(option, _)| option.as_ref() == code)
        .map(|(_, label)| label.as_ref().to_string())
        .unwrap_or_else(|| code.to_string())
}

/// The labels of the ticked `codes`, in the options' order, joined by ", ".
pub fn option_labels<C: AsRef<str>, L: AsRef<str>>(options: &[(C, L)], codes: &[String]) -> String {
    options
        .iter()
        .filter(|(option, _)| codes.iter().any(|code| code == option.as_ref()))
        .map(|(_, label)| label.as_ref())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The one answer to a save over someone else's: the same form again with what the user
/// typed kept, the saved version beside it (`differences`, shown by the `stale` macro) and
/// the saved version's number in the form, so saving again overwrites knowingly; 409.
pub fn stale(form: impl axum::response::IntoResponse) -> axum::response::Response {
    use axum::response::IntoResponse;
    (axum::http::StatusCode::CONFLICT, form).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_check_accepts_ordinary_addresses_only() {
        assert!(is_valid_email("mette.hansen@aarhus.dk"));
        assert!(!is_valid_email("mette.hansen"));
        assert!(!is_valid_email("mette @aarhus.dk"));
        assert!(!is_valid_email("mette@aarhus"));
        assert!(!is_valid_email("@aarhus.dk"));
    }

    #[test]
    fn differences_keep_only_the_fields_that_differ() {
        let rows = differences(
            vec![
                ("Navn", "Ali".to_string()),
                ("Fødselsår", "2008".to_string()),
            ],
            vec![
                ("Navn", "Ali ".to_string()),
                ("Fødselsår", "2009".to_string()),
            ],
        );
        assert_eq!(
            rows,
            vec![Difference {
                label: "Fødselsår".into(),
                yours: "2008".into(),
                theirs: "2009".into()
            }]
        );
        let options = [("a", "Alfa".to_string()), ("b", "Beta".to_string())];
        assert_eq!(option_label(&options, "b"), "Beta");
        assert_eq!(
            option_labels(&options, &["b".into(), "a".into()]),
            "Alfa, Beta"
        );
    }

    #[test]
    fn field_errors_keep_the_first_message_per_field() {
        let mut errors = FieldErrors::default();
        errors.add("email", "a");
        errors.add("email", "b");
        assert_eq!(errors.get("email"), Some("a"));
        assert_eq!(errors.iter().count(), 1);
    }
}
