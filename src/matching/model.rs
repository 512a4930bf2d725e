//! Matching: hard filters and a score with a plain-language reason for every point won or
//! lost (coordinator guide §2.1: gender, age, culture and language, religion and politics,
//! temperament, professional experience, availability).

use crate::i18n::{Messages, fill};

/// What the citizen wants and needs.
#[derive(Debug, Clone, Default)]
pub struct Needs {
    pub preferred_gender: Option<String>,
    pub preferred_age_band: Option<String>,
    pub preferred_language: Option<String>,
    pub languages: Vec<String>,
    pub preferred_culture: Option<String>,
    pub needs_religion_politics: bool,
    pub needed_temperament: Option<i16>,
    pub needed_experience: Vec<String>,
    pub needed_availability: Vec<String>,
}

/// What a member offers.
#[derive(Debug, Clone, Default)]
pub struct Offer {
    pub gender: Option<String>,
    pub birth_year: Option<i16>,
    pub languages: Vec<String>,
    pub cultural_background: Option<String>,
    pub religion_competence: bool,
    pub politics_competence: bool,
    pub temperament: Option<i16>,
    pub experience: Vec<String>,
    pub availability: Vec<String>,
    pub capacity: i16,
    pub load: i64,
}

/// One line of the explanation: points won (positive) or lost (negative), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub points: i32,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Score {
    pub total: i32,
    pub reasons: Vec<Reason>,
}

pub fn age_band(birth_year: i16, this_year: i32) -> &'static str {
    let age = this_year - i32::from(birth_year);
    if age < 30 {
        "under_30"
    } else if age <= 45 {
        "30_to_45"
    } else {
        "over_45"
    }
}

/// Scores `offer` against `needs`. Labels come from the catalogue `t`; `label` turns a
/// stored code (language, experience…) into its name.
pub fn score(
    needs: &Needs,
    offer: &Offer,
    this_year: i32,
    t: &'static Messages,
    label: &dyn Fn(&str) -> String,
) -> Score {
    let mut reasons = Vec::new();
    let mut add = |points: i32, text: String| reasons.push(Reason { points, text });

    if let Some(wanted) = &needs.preferred_gender {
        match &offer.gender {
            Some(gender) if gender == wanted => add(20, t.matching.match_gender_yes.to_string()),
            _ => add(-20, t.matching.match_gender_no.to_string()),
        }
    }
    if let Some(band) = &needs.preferred_age_band {
        match offer.birth_year.map(|year| age_band(year, this_year)) {
            Some(actual) if actual == band => add(15, t.matching.match_age_yes.to_string()),
            _ => add(-15, t.matching.match_age_no.to_string()),
        }
    }
    if let Some(language) = &needs.preferred_language {
        if offer.languages.contains(language) {
            add(15, fill(t.matching.match_language_yes, &[&label(language)]));
        } else {
            add(-15, fill(t.matching.match_language_no, &[&label(language)]));
        }
    } else if let Some(shared) = needs
        .languages
        .iter()
        .find(|l| *l != "da" && offer.languages.contains(l))
    {
        add(5, fill(t.matching.match_language_shared, &[&label(shared)]));
    }
    if let Some(culture) = &needs.preferred_culture {
        if offer.cultural_background.as_deref() == Some(culture.as_str()) {
            add(10, t.matching.match_culture_yes.to_string());
        } else {
            add(-5, t.matching.match_culture_no.to_string());
        }
    }
    if needs.needs_religion_politics {
        if offer.religion_competence || offer.politics_competence {
            add(15, t.matching.match_religion_yes.to_string());
        } else {
            add(-15, t.matching.match_religion_no.to_string());
        }
    }
    if let (Some(needed), Some(actual)) = (needs.needed_temperament, offer.temperament) {
        match (needed - actual).abs() {
            0 => add(10, t.matching.match_temperament_same.to_string()),
            1 => add(5, t.matching.match_temperament_near.to_string()),
            2 => {}
            _ => add(-10, t.matching.match_temperament_far.to_string()),
        }
    }
    for experience in &needs.needed_experience {
        if offer.experience.contains(experience) {
            add(
                8,
                fill(t.matching.match_experience_yes, &[&label(experience)]),
            );
        } else {
            add(
                -4,
                fill(t.matching.match_experience_no, &[&label(experience)]),
            );
        }
    }
    for time in &needs.needed_availability {
        if offer.availability.contains(time) {
            add(5, fill(t.matching.match_availability_yes, &[&label(time)]));
        } else {
            add(-5, fill(t.matching.match_availability_no, &[&label(time)]));
        }
    }
    let free = i64::from(offer.capacity) - offer.load;
    if offer.load == 0 {
        add(5, t.matching.match_load_none.to_string());
    } else {
        add(
            -(offer.load as i32) * 2,
            fill(
                t.matching.match_load_some,
                &[&offer.load.to_string(), &free.to_string()],
            ),
        );
    }
    let total = reasons.iter().map(|reason| reason.points).sum();
    Score { total, reasons }
}

/// Hard filter: a member with no free place is never a candidate.
pub fn has_free_capacity(offer: &Offer) -> bool {
    offer.load < i64::from(offer.capacity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    fn label(code: &str) -> String {
        crate::vocab::label(Locale::Da.messages(), code)
    }

    fn offer() -> Offer {
        Offer {
            gender: Some("female".into()),
            birth_year: Some(1990),
            languages: vec!["da".into(), "ar".into()],
            capacity: 3,
            ..Default::default()
        }
    }

    #[test]
    fn every_point_won_or_lost_has_a_reason() {
        let t = Locale::Da.messages();
        let needs = Needs {
            preferred_gender: Some("female".into()),
            preferred_language: Some("so".into()),
            needs_religion_politics: true,
            needed_experience: vec!["extremism".into()],
            ..Default::default()
        };
        let scored = score(&needs, &offer(), 2026, t, &label);
        assert_eq!(
            scored.total,
            scored.reasons.iter().map(|r| r.points).sum::<i32>()
        );
        let texts: Vec<&str> = scored.reasons.iter().map(|r| r.text.as_str()).collect();
        assert!(texts.contains(&"Det ønskede køn"));
        assert!(texts.contains(&"Taler ikke det ønskede sprog (Somali)"));
        assert!(
            texts.contains(&"Ingen kompetence i religion eller politik, som borgeren har brug for")
        );
        assert!(texts.contains(&"Mangler erfaring med ekstremisme"));
    }

    #[test]
    fn a_better_fit_scores_higher() {
        let t = Locale::Da.messages();
        let needs = Needs {
            preferred_gender: Some("male".into()),
            preferred_age_band: Some("under_30".into()),
            ..Default::default()
        };
        let young_man = Offer {
            gender: Some("male".into()),
            birth_year: Some(2000),
            ..offer()
        };
        let older_woman = Offer {
            gender: Some("female".into()),
            birth_year: Some(1970),
            ..offer()
        };
        assert!(
            score(&needs, &young_man, 2026, t, &label).total
                > score(&needs, &older_woman, 2026, t, &label).total
        );
    }

    #[test]
    fn load_counts_against_and_full_members_are_filtered() {
        let t = Locale::Da.messages();
        let idle = score(&Needs::default(), &offer(), 2026, t, &label).total;
        let busy = score(
            &Needs::default(),
            &Offer { load: 2, ..offer() },
            2026,
            t,
            &label,
        )
        .total;
        assert!(idle > busy);
        assert!(has_free_capacity(&Offer { load: 2, ..offer() }));
        assert!(!has_free_capacity(&Offer { load: 3, ..offer() }));
    }

    #[test]
    fn age_bands() {
        assert_eq!(age_band(2000, 2026), "under_30");
        assert_eq!(age_band(1990, 2026), "30_to_45");
        assert_eq!(age_band(1970, 2026), "over_45");
    }
}
