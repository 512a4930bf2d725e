//! CSV downloads: UTF-8 with a byte-order mark so Excel reads æøå, semicolon-separated
//! as Danish Excel expects, and cells that a spreadsheet would run as a formula
//! neutralised (CSV injection).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// Neutralises a cell that a spreadsheet would treat as a formula by prefixing `'`.
/// Numbers (also negative ones) are left as they are.
pub fn safe_cell(value: &str) -> String {
    let risky =
        value.starts_with(['=', '+', '-', '@', '\t', '\r']) && value.parse::<f64>().is_err();
    if risky {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

/// A CSV file download of `header` and `rows`, named `filename` (ASCII, no path).
pub fn download(
    filename: &str,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<Response, AppError> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    let internal = |err: csv::Error| AppError::Internal(format!("writing CSV: {err}"));
    writer
        .write_record(header.iter().map(|cell| safe_cell(cell)))
        .map_err(internal)?;
    for row in rows {
        writer
            .write_record(row.iter().map(|cell| safe_cell(cell)))
            .map_err(internal)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|err| AppError::Internal(format!("writing CSV: {err}")))?;
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .map_err(|err| AppError::Internal(err.to_string()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_text_is_kept() {
        assert_eq!(safe_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe_cell("-1+1"), "'-1+1");
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("Søren Ærø"), "Søren Ærø");
        assert_eq!(safe_cell("-12"), "-12", "numbers stay numbers");
    }
}
