//! The texts of the coaching log, in both languages.
//! One field of `Messages` (`coaching`) holds them, so the compiler still refuses a
//! language that lacks one.

pub struct CoachingMessages {
    pub choose_member: &'static str,
    pub coaching_intro: &'static str,
    pub coaching_log: &'static str,
    pub coaching_missing: &'static str,
    pub coaching_notes: &'static str,
    pub coaching_notes_hint: &'static str,
    pub coaching_recorded: &'static str,
    pub coaching_title: &'static str,
    pub coordinator: &'static str,
    pub record_coaching: &'static str,
    pub best_hopes: &'static str,
    pub scale_today: &'static str,
}

pub const DA: CoachingMessages = CoachingMessages {
    choose_member: "Vælg mentor eller forældrecoach.",
    coaching_intro: "Koordinatoren coacher hver mentor og forældrecoach mindst én gang om måneden, når de har forløb (koordinatorvejledningen, afsnit 3).",
    coaching_log: "Coachinglog",
    coaching_missing: "Mangler coaching i denne måned",
    coaching_notes: "Noter fra coachingen",
    coaching_notes_hint: "Bedste håb, skalering, undtagelser og fremskridt – kort.",
    coaching_recorded: "Coachingen er registreret.",
    coaching_title: "Coaching af mentorer og forældrecoaches",
    coordinator: "Koordinator",
    record_coaching: "Registrér coaching",
    best_hopes: "Bedste håb",
    scale_today: "Skalering",
};

pub const EN: CoachingMessages = CoachingMessages {
    choose_member: "Choose a mentor or parent coach.",
    coaching_intro: "The coordinator coaches each mentor and parent coach at least once a month while they have courses (coordinator guide, section 3).",
    coaching_log: "Coaching log",
    coaching_missing: "Not coached this month",
    coaching_notes: "Notes from the coaching",
    coaching_notes_hint: "Best hopes, scaling, exceptions and progress – briefly.",
    coaching_recorded: "The coaching has been recorded.",
    coaching_title: "Coaching of mentors and parent coaches",
    coordinator: "Coordinator",
    record_coaching: "Record coaching",
    best_hopes: "Best hopes",
    scale_today: "Scaling",
};
