//! The page of API tokens: the form to create one, the token just made (once), and the
//! user's tokens with their use and a way to revoke each.

use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::repo::Token;
use crate::clock;
use crate::web::Page;
use crate::web::forms::FieldErrors;

/// The create form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    pub name: String,
    pub form_key: Option<Uuid>,
}

pub struct TokenLine {
    pub id: Uuid,
    pub name: String,
    pub created: String,
    pub last_used: String,
    /// When it was revoked; empty while it works.
    pub revoked: String,
}

fn when(at: OffsetDateTime) -> String {
    let local = clock::to_danish(at);
    format!(
        "{} {:02}:{:02}",
        clock::format_date(local.date()),
        local.hour(),
        local.minute()
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "statistics/tokens.html")]
pub struct TokensView {
    page: Page,
    form: TokenForm,
    form_key: Uuid,
    errors: FieldErrors,
    tokens: Vec<TokenLine>,
    /// The token just made, shown this once.
    new_token: Option<String>,
    /// The statistics' address on this server, for the example.
    api_url: String,
}

impl TokensView {
    pub fn new(
        page: Page,
        form: TokenForm,
        errors: FieldErrors,
        tokens: Vec<Token>,
        new_token: Option<String>,
        public_url: String,
    ) -> TokensView {
        let t = page.t;
        TokensView {
            form_key: form.form_key.unwrap_or_else(Uuid::now_v7),
            form,
            errors,
            tokens: tokens
                .into_iter()
                .map(|token| TokenLine {
                    id: token.id,
                    name: token.name,
                    created: when(token.created_at),
                    last_used: token
                        .last_used_at
                        .map(when)
                        .unwrap_or_else(|| t.statistics.never_used.to_string()),
                    revoked: token.revoked_at.map(when).unwrap_or_default(),
                })
                .collect(),
            new_token,
            api_url: format!("{}{}", public_url.trim_end_matches('/'), super::API_PATH),
            page: page
                .titled(t.statistics.tokens_title)
                .crumb(t.common.nav_start, "/")
                .crumb(t.statistics.tokens_title, super::TOKENS_PATH),
        }
    }
}
