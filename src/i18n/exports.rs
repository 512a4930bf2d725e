//! The texts of the data exports, in both languages.
//! One field of `Messages` (`exports`) holds them, so the compiler still refuses a
//! language that lacks one.

pub struct ExportMessages {
    pub exports_title: &'static str,
    pub exports_intro: &'static str,
    pub download: &'static str,
    pub export_columns: &'static str,
    pub column: &'static str,
    pub meaning: &'static str,
}

pub const DA: ExportMessages = ExportMessages {
    exports_title: "Eksport af data",
    exports_intro: "Kommunens forløb, sessioner og målinger som CSV til Excel: én række pr. forløb, pr. session og pr. måling, forbundet af forløbets id. Borgernes navne og sessionsnoter kommer ikke med. Hver eksport står i adgangsloggen.",
    download: "Hent",
    export_columns: "Kolonner",
    column: "Kolonne",
    meaning: "Betydning",
};

pub const EN: ExportMessages = ExportMessages {
    exports_title: "Data export",
    exports_intro: "The municipality's courses, sessions and measurements as CSV for Excel: one row per course, per session and per measurement, joined by the course id. Citizens' names and session notes are not included. Every export is in the access log.",
    download: "Download",
    export_columns: "Columns",
    column: "Column",
    meaning: "Meaning",
};
