//! Sortable, paginated tables: the one helper every list uses. Sorting and paging are
//! links (server-side), so they work without JavaScript and can be bookmarked.

use crate::i18n::{Messages, fill};

pub const PER_PAGE: i64 = 25;

/// The current list URL with its query, to build links that change one parameter.
#[derive(Debug, Clone)]
pub struct ListUrl {
    path: String,
    params: Vec<(String, String)>,
}

impl ListUrl {
    pub fn new(path: &str, params: &[(&str, &str)]) -> Self {
        ListUrl {
            path: path.to_string(),
            params: params
                .iter()
                .filter(|(_, value)| !value.is_empty())
                .map(|(key, value)| (key.to_string(), value.to_string()))
                .collect(),
        }
    }

    /// This URL with `key` set to `value` (empty removes it). Changing anything but the
    /// page starts again at page 1.
    pub fn with(&self, key: &str, value: &str) -> String {
        let mut params: Vec<(String, String)> = self
            .params
            .iter()
            .filter(|(k, _)| k != key && (key == "page" || k != "page"))
            .cloned()
            .collect();
        if !value.is_empty() {
            params.push((key.to_string(), value.to_string()));
        }
        if params.is_empty() {
            return self.path.clone();
        }
        format!(
            "{}?{}",
            self.path,
            serde_urlencoded::to_string(&params).unwrap_or_default()
        )
    }

    pub fn has_filters(&self) -> bool {
        self.params
            .iter()
            .any(|(key, _)| key != "page" && key != "sort" && key != "dir")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: &'static str,
    pub descending: bool,
}

impl Sort {
    /// The requested sort if its column is one of `allowed`, else `default`.
    pub fn parse(
        column: Option<&str>,
        dir: Option<&str>,
        allowed: &[&'static str],
        default: Sort,
    ) -> Sort {
        match column.and_then(|c| allowed.iter().find(|a| **a == c)) {
            Some(column) => Sort {
                column,
                descending: dir == Some("desc"),
            },
            None => default,
        }
    }

    pub fn dir(self) -> &'static str {
        if self.descending { "desc" } else { "asc" }
    }
}

/// A column heading: a link that sorts by it, with `aria-sort` on the current one.
pub struct Column {
    pub label: &'static str,
    pub href: Option<String>,
    pub aria_sort: Option<&'static str>,
    pub icon: &'static str,
    pub sr_hint: &'static str,
}

pub fn columns(
    url: &ListUrl,
    sort: Sort,
    spec: &[(&'static str, Option<&'static str>)],
    t: &'static Messages,
) -> Vec<Column> {
    spec.iter()
        .map(|(label, key)| match key {
            None => Column {
                label,
                href: None,
                aria_sort: None,
                icon: "",
                sr_hint: "",
            },
            Some(key) => {
                let current = sort.column == *key;
                let next_dir = if current && !sort.descending {
                    "desc"
                } else {
                    "asc"
                };
                let mut target = ListUrl {
                    path: url.path.clone(),
                    params: url.params.clone(),
                };
                target
                    .params
                    .retain(|(k, _)| k != "sort" && k != "dir" && k != "page");
                target.params.push(("sort".into(), key.to_string()));
                target.params.push(("dir".into(), next_dir.into()));
                Column {
                    label,
                    href: Some(target.with("page", "")),
                    aria_sort: current.then_some(if sort.descending {
                        "descending"
                    } else {
                        "ascending"
                    }),
                    icon: match (current, sort.descending) {
                        (false, _) => "sort-table-none",
                        (true, false) => "sort-table-ascending",
                        (true, true) => "sort-table-descending",
                    },
                    sr_hint: match (current, sort.descending) {
                        (false, _) => "",
                        (true, false) => t.common.sort_ascending,
                        (true, true) => t.common.sort_descending,
                    },
                }
            }
        })
        .collect()
}

pub struct PageLink {
    pub number: i64,
    pub href: String,
    pub current: bool,
}

/// Where a list is: which page, how many in all.
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

impl Paging {
    pub fn new(requested: Option<i64>, per_page: i64) -> Self {
        Paging {
            page: requested.unwrap_or(1).clamp(1, 100_000),
            per_page,
            total: 0,
        }
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    pub fn limit(&self) -> i64 {
        self.per_page
    }

    pub fn with_total(mut self, total: i64) -> Self {
        self.total = total;
        self
    }

    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }

    /// "Viser 26–50 af 312".
    pub fn summary(&self, t: &Messages) -> String {
        if self.total == 0 {
            return String::new();
        }
        let first = self.offset() + 1;
        let last = (self.offset() + self.per_page).min(self.total);
        fill(
            t.common.showing_x_to_y_of_z,
            &[
                &first.to_string(),
                &last.to_string(),
                &self.total.to_string(),
            ],
        )
    }

    pub fn position(&self, t: &Messages) -> String {
        fill(
            t.common.page_n_of_m,
            &[&self.page.to_string(), &self.pages().to_string()],
        )
    }

    /// Links to the first, last and nearby pages; `None` marks a gap.
    pub fn links(&self, url: &ListUrl) -> Vec<Option<PageLink>> {
        let pages = self.pages();
        let mut numbers: Vec<i64> = vec![1, pages];
        numbers.extend((self.page - 2)..=(self.page + 2));
        numbers.retain(|n| (1..=pages).contains(n));
        numbers.sort_unstable();
        numbers.dedup();
        let mut links = Vec::new();
        let mut previous = 0;
        for n in numbers {
            if n > previous + 1 {
                links.push(None);
            }
            links.push(Some(PageLink {
                number: n,
                href: url.with("page", &n.to_string()),
                current: n == self.page,
            }));
            previous = n;
        }
        links
    }

    pub fn previous(&self, url: &ListUrl) -> Option<String> {
        (self.page > 1).then(|| url.with("page", &(self.page - 1).to_string()))
    }

    pub fn next(&self, url: &ListUrl) -> Option<String> {
        (self.page < self.pages()).then(|| url.with("page", &(self.page + 1).to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn links_change_one_parameter_and_reset_the_page() {
        let url = ListUrl::new(
            "/medarbejdere",
            &[("q", "an na"), ("page", "3"), ("status", "")],
        );
        assert_eq!(url.with("page", "4"), "/medarbejdere?q=an+na&page=4");
        assert_eq!(url.with("q", "bo"), "/medarbejdere?q=bo");
        assert!(url.has_filters());
    }

    #[test]
    fn sort_accepts_only_known_columns() {
        let default = Sort {
            column: "name",
            descending: false,
        };
        assert_eq!(
            Sort::parse(Some("email"), Some("desc"), &["name", "email"], default),
            Sort {
                column: "email",
                descending: true
            }
        );
        assert_eq!(
            Sort::parse(Some("password_hash"), None, &["name", "email"], default),
            default
        );
    }

    #[test]
    fn paging_shows_neighbours_and_gaps() {
        let url = ListUrl::new("/x", &[]);
        let paging = Paging::new(Some(6), 25).with_total(250);
        let numbers: Vec<Option<i64>> = paging
            .links(&url)
            .iter()
            .map(|l| l.as_ref().map(|l| l.number))
            .collect();
        assert_eq!(
            numbers,
            vec![
                Some(1),
                None,
                Some(4),
                Some(5),
                Some(6),
                Some(7),
                Some(8),
                None,
                Some(10)
            ]
        );
        assert_eq!(
            paging.summary(Locale::Da.messages()),
            "Viser 126–150 af 250"
        );
        assert_eq!(paging.next(&url).as_deref(), Some("/x?page=7"));
        assert_eq!(Paging::new(Some(1), 25).with_total(0).pages(), 1);
    }
}
