//! Rules for municipalities, without I/O.

use serde::Deserialize;
use uuid::Uuid;

use crate::i18n::Messages;
use crate::vocab::REGIONS;
use crate::web::forms::FieldErrors;

#[derive(Debug, Default, Clone, Deserialize)]
pub struct MunicipalityForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub form_key: Option<Uuid>,
}

pub struct NewMunicipality {
    pub name: String,
    pub code: i16,
    pub region: &'static str,
}

impl MunicipalityForm {
    pub fn validate(&self, t: &'static Messages) -> Result<NewMunicipality, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = self.name.trim();
        if name.chars().count() < 2 || name.chars().count() > 100 {
            errors.add("name", t.municipalities.enter_municipality_name);
        }
        let code = self
            .code
            .trim()
            .parse::<i16>()
            .ok()
            .filter(|code| (100..=999).contains(code));
        if code.is_none() {
            errors.add("code", t.municipalities.municipality_code_invalid);
        }
        let region = REGIONS.iter().find(|region| **region == self.region);
        if region.is_none() {
            errors.add("region", t.municipalities.region_invalid);
        }
        match (code, region) {
            (Some(code), Some(region)) if errors.is_empty() => Ok(NewMunicipality {
                name: name.to_string(),
                code,
                region,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    fn form(name: &str, code: &str, region: &str) -> MunicipalityForm {
        MunicipalityForm {
            name: name.into(),
            code: code.into(),
            region: region.into(),
            form_key: None,
        }
    }

    #[test]
    fn a_complete_form_is_accepted() {
        let valid = form(" Vejle ", "630", "syddanmark")
            .validate(Locale::Da.messages())
            .ok()
            .unwrap();
        assert_eq!(
            (valid.name.as_str(), valid.code, valid.region),
            ("Vejle", 630, "syddanmark")
        );
    }

    #[test]
    fn each_bad_field_gets_its_own_message() {
        let t = Locale::Da.messages();
        let errors = form("", "75", "jylland").validate(t).err().unwrap();
        assert_eq!(
            errors.get("name"),
            Some(t.municipalities.enter_municipality_name)
        );
        assert_eq!(
            errors.get("code"),
            Some(t.municipalities.municipality_code_invalid)
        );
        assert_eq!(errors.get("region"), Some(t.municipalities.region_invalid));
    }
}
