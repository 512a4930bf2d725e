//! Telling a corps member that a course is theirs: a notice, and a mail if they want one.
//! The course is named by its reference only, never by its citizens.

use uuid::Uuid;

use super::reference;
use crate::db::TenantTx;
use crate::mail::{self, Notice, NoticeKind};

/// Tells the member's account that `course` has been assigned to them.
pub async fn assigned(tx: &mut TenantTx, course: Uuid, member: Uuid) -> Result<(), sqlx::Error> {
    let Some(recipient) = mail::notices::member(tx, member).await? else {
        return Ok(());
    };
    let notice = Notice::new(
        NoticeKind::CourseAssigned,
        format!("/forloeb/{course}"),
        &[&reference(course)],
    );
    mail::tell(tx, &[recipient], &notice).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_is_short_and_names_no_one() {
        let id = Uuid::parse_str("019a0000-0000-7000-8000-0000001a2b3c").expect("uuid");
        assert_eq!(reference(id), "F-1A2B3C");
    }
}
