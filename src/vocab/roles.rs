//! The roles of Korps (PRODUCT.md: national staff, coordinator, mentor, parent coach).

use crate::i18n::Messages;

use super::coded::coded_enum;

coded_enum!(
    /// Who a user is in Korps; a membership holds one or more (`memberships.roles text[]`).
    Role {
        National = "national",
        Coordinator = "coordinator",
        Mentor = "mentor",
        ParentCoach = "parent_coach",
    }
);

impl Role {
    /// The roles a coordinator can give to staff of their municipality.
    pub const MEMBER_ROLES: [Role; 2] = [Role::Mentor, Role::ParentCoach];

    pub fn label(self, t: &'static Messages) -> &'static str {
        match self {
            Role::National => t.common.role_national,
            Role::Coordinator => t.common.role_coordinator,
            Role::Mentor => t.common.role_mentor,
            Role::ParentCoach => t.common.role_parent_coach,
        }
    }
}

/// Parses the `roles text[]` column; unknown codes are ignored.
pub fn parse_roles(codes: &[String]) -> Vec<Role> {
    let mut roles: Vec<Role> = codes
        .iter()
        .filter_map(|code| Role::from_code(code))
        .collect();
    roles.sort_by_key(|role| Role::ALL.iter().position(|r| r == role));
    roles.dedup();
    roles
}

pub fn role_codes(roles: &[Role]) -> Vec<String> {
    roles.iter().map(|role| role.code().to_string()).collect()
}

/// "Koordinator, Mentor" in the user's language.
pub fn roles_label(roles: &[Role], t: &'static Messages) -> String {
    roles
        .iter()
        .map(|role| role.label(t))
        .collect::<Vec<_>>()
        .join(", ")
}
