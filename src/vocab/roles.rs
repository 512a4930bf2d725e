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

/// "Koordinator, Mentor" in the user's language.
/// Named in the order of `Role::ALL`, each once, whatever the order in the column.
pub fn roles_label(roles: &[Role], t: &'static Messages) -> String {
    let mut roles = roles.to_vec();
    roles.sort();
    roles.dedup();
    roles
        .iter()
        .map(|role| role.label(t))
        .collect::<Vec<_>>()
        .join(", ")
}
