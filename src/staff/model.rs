//! Rules for staff accounts, without I/O.

use serde::Deserialize;
use uuid::Uuid;

use crate::i18n::Messages;
use crate::vocab::Role;
use crate::web::forms::{FieldErrors, is_valid_email};

#[derive(Debug, Default, Clone, Deserialize)]
pub struct StaffForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub version: Option<i32>,
    #[serde(default)]
    pub form_key: Option<Uuid>,
}

pub struct ValidStaff {
    pub name: String,
    pub email: String,
    pub roles: Vec<Role>,
}

impl StaffForm {
    /// Checks the form; `allowed` are the roles this form may grant.
    pub fn validate(
        &self,
        allowed: &[Role],
        t: &'static Messages,
    ) -> Result<ValidStaff, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            errors.add("name", t.common.enter_name);
        }
        let email = self.email.trim();
        if !is_valid_email(email) {
            errors.add("email", t.staff.enter_valid_email);
        }
        let roles: Vec<Role> = allowed
            .iter()
            .copied()
            .filter(|role| self.roles.iter().any(|code| code == role.code()))
            .collect();
        if roles.is_empty() {
            errors.add("roles", t.staff.choose_role);
        }
        if errors.is_empty() {
            Ok(ValidStaff {
                name: name.to_string(),
                email: email.to_string(),
                roles,
            })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    fn form(name: &str, email: &str, roles: &[&str]) -> StaffForm {
        StaffForm {
            name: name.into(),
            email: email.into(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn roles_outside_the_allowed_set_are_ignored() {
        let t = Locale::Da.messages();
        let valid = form("Sara Jensen", "sara@aarhus.dk", &["mentor", "coordinator"])
            .validate(&Role::MEMBER_ROLES, t)
            .ok()
            .unwrap();
        assert_eq!(valid.roles, vec![Role::Mentor]);
        let errors = form("Sara", "sara@aarhus.dk", &["national"])
            .validate(&Role::MEMBER_ROLES, t)
            .err()
            .unwrap();
        assert_eq!(errors.get("roles"), Some(t.staff.choose_role));
    }

    #[test]
    fn name_and_email_are_required() {
        let t = Locale::Da.messages();
        let errors = form(" ", "sara", &["mentor"])
            .validate(&Role::MEMBER_ROLES, t)
            .err()
            .unwrap();
        assert_eq!(errors.get("name"), Some(t.common.enter_name));
        assert_eq!(errors.get("email"), Some(t.staff.enter_valid_email));
    }
}
