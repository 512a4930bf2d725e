//! The list component every list uses. A list declares what its query may ask
//! (`ListSpec`: search, named filters, sortable columns with a default order, page size,
//! CSV export); a handler reads the request's query into a `ListQuery`, drops filter values
//! it does not know, and loads one page into a `List`: the rows, the paging, the column
//! headings with sort links and `aria-sort`, the "N results" line, whether filters are
//! active (the clear-filters link) and the CSV link. The `list` macro in
//! `templates/macros.html` renders it.
//!
//! Sorting and paging are links (server-side), so they work without JavaScript and can be
//! bookmarked. The parameters are `q`, the filters' names, `sort`, `dir` and `page`.

use crate::i18n::{Messages, fill};

pub const PER_PAGE: i64 = 25;
/// The longest search text used; the rest is dropped.
const SEARCH_MAX: usize = 100;
/// The highest page number read (keeps the offset far from overflowing).
const PAGE_MAX: i64 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: &'static str,
    pub descending: bool,
}

impl Sort {
    pub const fn asc(column: &'static str) -> Sort {
        Sort {
            column,
            descending: false,
        }
    }

    pub const fn desc(column: &'static str) -> Sort {
        Sort {
            column,
            descending: true,
        }
    }

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

    /// `name` or `name_desc`: the order as one value, for queries that take it so.
    pub fn key(self) -> String {
        if self.descending {
            format!("{}_desc", self.column)
        } else {
            self.column.to_string()
        }
    }
}

/// What a list's query may ask.
#[derive(Debug)]
pub struct ListSpec {
    /// The list's own path, the target of its links and of its filter form.
    pub path: &'static str,
    /// Whether it has a search text (`q`).
    pub search: bool,
    /// Its named filters, in the order they appear in its links.
    pub filters: &'static [&'static str],
    /// Other names a filter is sent under: (form field, filter).
    pub aliases: &'static [(&'static str, &'static str)],
    /// The columns it may be sorted by; none: it has one fixed order.
    pub sorts: &'static [&'static str],
    /// The order when none, or a column not in `sorts`, is asked for.
    pub default_sort: Sort,
    pub per_page: i64,
    /// The path of its CSV export (the same query without the page), if it has one.
    pub csv: Option<&'static str>,
}

impl ListSpec {
    /// A list with no search, filters, sorting or export; start from it with `..`.
    pub const PLAIN: ListSpec = ListSpec {
        path: "",
        search: false,
        filters: &[],
        aliases: &[],
        sorts: &[],
        default_sort: Sort::asc(""),
        per_page: PER_PAGE,
        csv: None,
    };

    /// Reads the request's query string (`RawQuery`); what it does not know is left out.
    pub fn read(&'static self, query: Option<&str>) -> ListQuery {
        self.read_at(self.path.to_string(), query)
    }

    /// `read`, for a list whose path holds an id.
    pub fn read_at(&'static self, path: String, query: Option<&str>) -> ListQuery {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query.unwrap_or_default()).unwrap_or_default();
        let value = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| {
                    k == key
                        || self
                            .aliases
                            .iter()
                            .any(|(alias, name)| *name == key && k == alias)
                })
                .map(|(_, v)| v.trim())
        };
        ListQuery {
            spec: self,
            path,
            q: if self.search {
                value("q")
                    .unwrap_or_default()
                    .chars()
                    .take(SEARCH_MAX)
                    .collect()
            } else {
                String::new()
            },
            filters: self
                .filters
                .iter()
                .map(|name| (*name, value(name).unwrap_or_default().to_string()))
                .collect(),
            sort: Sort::parse(value("sort"), value("dir"), self.sorts, self.default_sort),
            page: value("page")
                .and_then(|page| page.parse::<i64>().ok())
                .unwrap_or(1)
                .clamp(1, PAGE_MAX),
        }
    }
}

/// A list's query as read: search text, filters, order and the page asked for.
#[derive(Debug, Clone)]
pub struct ListQuery {
    spec: &'static ListSpec,
    path: String,
    q: String,
    filters: Vec<(&'static str, String)>,
    pub sort: Sort,
    page: i64,
}

impl ListQuery {
    /// The search text, trimmed ("" when there is none).
    pub fn q(&self) -> &str {
        &self.q
    }

    /// The value of a filter ("" when it is not set).
    pub fn filter(&self, name: &str) -> &str {
        self.filters
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, value)| value)
    }

    /// Whether a checkbox filter is ticked (its value is "1").
    pub fn flag(&self, name: &str) -> bool {
        self.filter(name) == "1"
    }

    /// Keeps a filter's value only if `known` accepts it; otherwise the filter is unset.
    pub fn keep(&mut self, name: &str, known: impl FnOnce(&str) -> bool) -> &mut Self {
        if let Some((_, value)) = self.filters.iter_mut().find(|(n, _)| *n == name)
            && !value.is_empty()
            && !known(value)
        {
            value.clear();
        }
        self
    }

    /// Sets a filter's value (for rules that clean several filters together).
    pub fn set(&mut self, name: &str, value: String) -> &mut Self {
        if let Some((_, old)) = self.filters.iter_mut().find(|(n, _)| *n == name) {
            *old = value;
        }
        self
    }

    /// `keep` for a filter whose values are listed.
    pub fn keep_one_of(&mut self, name: &str, values: &[&str]) -> &mut Self {
        self.keep(name, |value| values.contains(&value))
    }

    /// The page asked for (1 or more).
    pub fn page(&self) -> i64 {
        self.page
    }

    /// Fetches the page asked for, query after query; handlers use `load!`, which runs it.
    pub fn pager<R>(&self) -> Pager<R> {
        Pager {
            query: self.clone(),
            page: self.page,
            then_last: false,
            fetched: None,
            fetches: 0,
        }
    }

    /// The query's parameters: search, filters, order (where the list sorts), page.
    fn params(&self, page: Option<i64>) -> Vec<(&'static str, String)> {
        let mut params = vec![("q", self.q.clone())];
        params.extend(self.filters.iter().cloned());
        if !self.spec.sorts.is_empty() {
            params.push(("sort", self.sort.column.to_string()));
            params.push(("dir", self.sort.dir().to_string()));
        }
        if let Some(page) = page {
            params.push(("page", page.to_string()));
        }
        params
    }

    fn url(&self, path: &str, page: Option<i64>) -> String {
        link(path, &self.params(page))
    }
}

/// Loads the page a `ListQuery` asks for into a `List`, in one line:
///
/// ```ignore
/// let list = table::load!(query, |limit, offset| repo::list(&mut tx, &filter, limit, offset));
/// ```
///
/// The fetch is a call of a repo function: it is awaited, its error returned from the
/// handler with `?`, and it answers `limit` rows from `offset` with the number of rows in
/// all (`Fetched`). It runs again for the last page when the page asked for is beyond the
/// end. A macro, not a function taking an async closure: such a closure, borrowing the
/// request's transaction, makes the handler's future fail axum's `Send` bound.
macro_rules! load {
    ($query:expr, |$limit:ident, $offset:ident| $fetch:expr) => {{
        let mut pager = $query.pager();
        while let Some(($limit, $offset)) = pager.wants() {
            pager.got($fetch.await?);
        }
        pager.list()
    }};
}
pub(crate) use load;

/// `path` with the non-empty parameters as its query.
fn link(path: &str, params: &[(&str, String)]) -> String {
    let params: Vec<&(&str, String)> = params.iter().filter(|(_, v)| !v.is_empty()).collect();
    if params.is_empty() {
        return path.to_string();
    }
    format!(
        "{path}?{}",
        serde_urlencoded::to_string(&params).unwrap_or_default()
    )
}

/// Fetches one page of a list (`ListQuery::pager`). A page beyond the end is the last
/// page: with a count of its own the query tells where that is; a count alongside the
/// rows (`count(*) OVER ()`) is not there without rows, so the first page is asked for it.
#[derive(Debug)]
pub struct Pager<R> {
    query: ListQuery,
    page: i64,
    /// The first page was asked for its count; the last page is next.
    then_last: bool,
    fetched: Option<(Vec<R>, i64)>,
    fetches: u8,
}

impl<R> Pager<R> {
    /// The (limit, offset) to fetch next, or `None` when the page is there.
    pub fn wants(&self) -> Option<(i64, i64)> {
        let per_page = self.query.spec.per_page;
        (self.fetched.is_none()).then_some((per_page, (self.page - 1) * per_page))
    }

    /// What the fetch answered.
    pub fn got(&mut self, fetched: impl Fetched<Row = R>) {
        let (rows, total) = fetched.page();
        let last = Paging::new(1, self.query.spec.per_page, total).pages();
        self.fetches += 1;
        let again = if self.fetches >= 3 {
            None
        } else if rows.is_empty() && self.page > 1 {
            self.then_last = total == 0;
            Some(if total == 0 { 1 } else { last })
        } else if std::mem::take(&mut self.then_last) && last > 1 {
            Some(last)
        } else {
            None
        };
        match again {
            Some(page) => self.page = page,
            None => self.fetched = Some((rows, total)),
        }
    }

    /// The page fetched.
    pub fn list(self) -> List<R> {
        let per_page = self.query.spec.per_page;
        let (rows, total) = self.fetched.unwrap_or_default();
        List {
            rows,
            paging: Paging::new(self.page, per_page, total),
            query: self.query,
            columns: Vec::new(),
        }
    }
}

/// One page of rows and how many rows there are in all, as a list's query answers it.
pub trait Fetched {
    type Row;
    fn page(self) -> (Vec<Self::Row>, i64);
}

/// A row that carries the number of matching rows (`count(*) OVER ()`).
pub trait Counted {
    fn total(&self) -> i64;
}

impl<R: Counted> Fetched for Vec<R> {
    type Row = R;
    fn page(self) -> (Vec<R>, i64) {
        let total = self.first().map_or(0, Counted::total);
        (self, total)
    }
}

/// Rows and a count from a query of its own.
impl<R> Fetched for (Vec<R>, i64) {
    type Row = R;
    fn page(self) -> (Vec<R>, i64) {
        self
    }
}

/// A column heading: a link that sorts by it, with `aria-sort` on the current one.
#[derive(Debug)]
pub struct Column {
    pub label: &'static str,
    pub href: Option<String>,
    pub aria_sort: Option<&'static str>,
    pub icon: &'static str,
    pub sr_hint: &'static str,
    /// A column of numbers, aligned right.
    pub right: bool,
}

/// A link to one page of a list.
#[derive(Debug, PartialEq, Eq)]
pub struct PageLink {
    pub number: i64,
    pub href: String,
    pub current: bool,
}

/// Where a list is: which page, how many rows in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

impl Paging {
    /// The page asked for, moved into the pages there are (1 to the last).
    pub fn new(requested: i64, per_page: i64, total: i64) -> Self {
        let mut paging = Paging {
            page: 1,
            per_page,
            total: total.max(0),
        };
        paging.page = requested.clamp(1, paging.pages());
        paging
    }

    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
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

    /// The page numbers offered: the first, the last and two either side of the current
    /// one; `None` where numbers are left out (never a single number: that one is shown).
    pub fn numbers(&self) -> Vec<Option<i64>> {
        let pages = self.pages();
        let mut shown: Vec<i64> = vec![1, pages];
        shown.extend((self.page - 2)..=(self.page + 2));
        shown.retain(|n| (1..=pages).contains(n));
        shown.sort_unstable();
        shown.dedup();
        let mut numbers = Vec::new();
        let mut previous = 0;
        for n in shown {
            match n - previous {
                1 => {}
                2 => numbers.push(Some(n - 1)),
                _ => numbers.push(None),
            }
            numbers.push(Some(n));
            previous = n;
        }
        numbers
    }
}

/// One page of a list, ready for the `list` macro.
#[derive(Debug)]
pub struct List<R> {
    pub rows: Vec<R>,
    pub paging: Paging,
    query: ListQuery,
    columns: Vec<Column>,
}

impl<R> List<R> {
    /// The rows as the page shows them.
    pub fn map<S>(self, f: impl FnMut(R) -> S) -> List<S> {
        List {
            rows: self.rows.into_iter().map(f).collect(),
            paging: self.paging,
            query: self.query,
            columns: self.columns,
        }
    }

    /// `map`, leaving out the rows `f` cannot show.
    pub fn filter_map<S>(self, f: impl FnMut(R) -> Option<S>) -> List<S> {
        List {
            rows: self.rows.into_iter().filter_map(f).collect(),
            paging: self.paging,
            query: self.query,
            columns: self.columns,
        }
    }

    /// The column headings: (label, the sort column it sorts by, if it does).
    pub fn columns(
        mut self,
        t: &'static Messages,
        spec: &[(&'static str, Option<&'static str>)],
    ) -> Self {
        let sort = self.query.sort;
        self.columns = spec
            .iter()
            .map(|&(label, key)| {
                let Some(key) = key.filter(|key| self.query.spec.sorts.contains(key)) else {
                    return Column {
                        label,
                        href: None,
                        aria_sort: None,
                        icon: "",
                        sr_hint: "",
                        right: false,
                    };
                };
                let current = sort.column == key;
                let next = Sort {
                    column: key,
                    descending: current && !sort.descending,
                };
                let mut params = self.query.params(None);
                for (name, value) in params.iter_mut() {
                    match *name {
                        "sort" => *value = next.column.to_string(),
                        "dir" => *value = next.dir().to_string(),
                        _ => {}
                    }
                }
                Column {
                    label,
                    href: Some(link(&self.query.path, &params)),
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
                    right: false,
                }
            })
            .collect();
        self
    }

    /// Aligns the columns at these positions (from 0) right: columns of numbers.
    pub fn right_aligned(mut self, positions: &[usize]) -> Self {
        for (i, column) in self.columns.iter_mut().enumerate() {
            column.right = positions.contains(&i);
        }
        self
    }

    pub fn headings(&self) -> &[Column] {
        &self.columns
    }

    /// The list's path: its filter form's target and its clear-filters link.
    pub fn path(&self) -> &str {
        &self.query.path
    }

    pub fn q(&self) -> &str {
        self.query.q()
    }

    pub fn filter(&self, name: &str) -> &str {
        self.query.filter(name)
    }

    pub fn flag(&self, name: &str) -> bool {
        self.query.flag(name)
    }

    /// Whether the list has a search or filter form.
    pub fn has_form(&self) -> bool {
        self.query.spec.search || !self.query.spec.filters.is_empty()
    }

    /// Whether a search or filter narrows the list (it offers to clear them).
    pub fn has_filters(&self) -> bool {
        !self.query.q.is_empty() || self.query.filters.iter().any(|(_, v)| !v.is_empty())
    }

    /// The CSV export of what the list shows (every page), where the list has one.
    pub fn csv_href(&self) -> Option<String> {
        self.query.spec.csv.map(|path| self.query.url(path, None))
    }

    /// "Viser 26–50 af 312", and how to sort where the list sorts.
    pub fn summary(&self, t: &Messages) -> String {
        let summary = self.paging.summary(t);
        if self.columns.iter().any(|column| column.href.is_some()) {
            format!("{summary}. {}", t.common.sortable_hint)
        } else {
            summary
        }
    }

    /// Whether there is more than one page.
    pub fn paged(&self) -> bool {
        self.paging.pages() > 1
    }

    pub fn position(&self, t: &Messages) -> String {
        self.paging.position(t)
    }

    fn page_href(&self, page: i64) -> String {
        self.query.url(&self.query.path, Some(page))
    }

    /// Links to the first, last and nearby pages; `None` marks numbers left out.
    pub fn page_links(&self) -> Vec<Option<PageLink>> {
        self.paging
            .numbers()
            .into_iter()
            .map(|number| {
                number.map(|number| PageLink {
                    number,
                    href: self.page_href(number),
                    current: number == self.paging.page,
                })
            })
            .collect()
    }

    pub fn previous_href(&self) -> Option<String> {
        (self.paging.page > 1).then(|| self.page_href(self.paging.page - 1))
    }

    pub fn next_href(&self) -> Option<String> {
        (self.paging.page < self.paging.pages()).then(|| self.page_href(self.paging.page + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    const STAFF: ListSpec = ListSpec {
        path: "/medarbejdere",
        search: true,
        filters: &["role", "status"],
        sorts: &["name", "email"],
        default_sort: Sort::asc("name"),
        ..ListSpec::PLAIN
    };

    const LOG: ListSpec = ListSpec {
        path: "/log",
        filters: &["member"],
        aliases: &[("member-filter", "member")],
        per_page: 10,
        csv: Some("/log.csv"),
        ..ListSpec::PLAIN
    };

    fn t() -> &'static Messages {
        Locale::Da.messages()
    }

    /// A list of `total` numbers, loaded as `page`; (rows, page shown, fetches made).
    fn load(spec: &'static ListSpec, query: &str, total: i64) -> (Vec<i64>, i64, usize) {
        let all: Vec<i64> = (1..=total).collect();
        let mut fetches = 0;
        let mut pager = spec.read(Some(query)).pager();
        while let Some((limit, offset)) = pager.wants() {
            fetches += 1;
            let rows: Vec<i64> = all
                .iter()
                .skip(offset as usize)
                .take(limit as usize)
                .copied()
                .collect();
            pager.got((rows, total));
        }
        let list = pager.list();
        (list.rows, list.paging.page, fetches)
    }

    struct Counting(i64);

    impl Counted for Counting {
        fn total(&self) -> i64 {
            self.0
        }
    }

    #[test]
    fn the_query_is_read_with_known_names_only() {
        let query = STAFF.read(Some(
            "q=++an+na++&role=mentor&status=&sort=email&dir=desc&page=3&password=x",
        ));
        assert_eq!(query.q(), "an na");
        assert_eq!(query.filter("role"), "mentor");
        assert_eq!(query.filter("status"), "");
        assert_eq!(query.filter("password"), "");
        assert_eq!(query.sort, Sort::desc("email"));
        assert_eq!(query.page(), 3);
        assert_eq!(
            query.url("/medarbejdere", Some(4)),
            "/medarbejdere?q=an+na&role=mentor&sort=email&dir=desc&page=4"
        );
        let long = STAFF.read(Some(&format!("q={}", "a".repeat(500))));
        assert_eq!(long.q().len(), SEARCH_MAX);
        // A list without search ignores q; a filter may come under its alias.
        let log = LOG.read(Some("q=x&member-filter=42"));
        assert_eq!((log.q(), log.filter("member")), ("", "42"));
        // Nonsense is no query at all.
        assert_eq!(STAFF.read(Some("%%%&&==")).page(), 1);
        assert_eq!(STAFF.read(None).sort, Sort::asc("name"));
    }

    #[test]
    fn an_unknown_sort_column_falls_back_to_the_default() {
        for query in [
            "sort=password_hash",
            "sort=password_hash&dir=desc",
            "sort=",
            "dir=desc",
        ] {
            assert_eq!(STAFF.read(Some(query)).sort, Sort::asc("name"), "{query}");
        }
        assert_eq!(STAFF.read(Some("sort=name&dir=up")).sort, Sort::asc("name"));
        // A list with one fixed order has no sort in its links.
        let log = LOG.read(Some("sort=name&dir=desc&member=7"));
        assert_eq!(log.url("/log", Some(2)), "/log?member=7&page=2");
    }

    #[test]
    fn page_zero_negative_or_not_a_number_is_the_first_page() {
        for query in ["page=0", "page=-3", "page=abc", "page=", "page=1.5", ""] {
            assert_eq!(STAFF.read(Some(query)).page(), 1, "{query}");
        }
        assert_eq!(STAFF.read(Some("page=99999999999999")).page(), PAGE_MAX);
    }

    #[test]
    fn unknown_filter_values_are_dropped() {
        let mut query = STAFF.read(Some("role=root&status=active"));
        query
            .keep("role", |role| role == "mentor")
            .keep_one_of("status", &["active", "inactive"]);
        assert_eq!(query.filter("role"), "");
        assert_eq!(query.filter("status"), "active");
        assert!(!query.flag("status"));
    }

    #[test]
    fn a_page_beyond_the_end_shows_the_last_page() {
        // 60 rows, 25 a page: page 9 is page 3, rows 51–60.
        let (rows, page, _) = load(&STAFF, "page=9", 60);
        assert_eq!(page, 3);
        assert_eq!(rows, (51..=60).collect::<Vec<_>>());
        // Within the pages: one fetch.
        assert_eq!(load(&STAFF, "page=2", 60), ((26..=50).collect(), 2, 1));
        // Nothing at all: page 1, empty.
        assert_eq!(load(&STAFF, "page=4", 0), (vec![], 1, 2));
        // Exactly one page.
        assert_eq!(load(&LOG, "page=2", 10).1, 1);
    }

    #[test]
    fn a_count_alongside_the_rows_is_found_beyond_the_end_too() {
        let mut pager = STAFF.read(Some("page=7")).pager();
        let mut fetches = 0;
        while let Some((limit, offset)) = pager.wants() {
            fetches += 1;
            // 30 rows, counted alongside: no rows, no count past the end.
            pager.got(
                (offset..30.min(offset + limit))
                    .map(|_| Counting(30))
                    .collect::<Vec<_>>(),
            );
        }
        assert_eq!(fetches, 3, "page 7, page 1 for the count, page 2");
        let list = pager.list();
        assert_eq!(
            (list.paging.page, list.paging.total, list.rows.len()),
            (2, 30, 5)
        );
    }

    #[test]
    fn paging_leaves_out_numbers_with_an_ellipsis() {
        let numbers = |page: i64, pages: i64| Paging::new(page, 25, pages * 25).numbers();
        // 1 page: just 1.
        assert_eq!(numbers(1, 1), vec![Some(1)]);
        // 3 pages: all of them.
        assert_eq!(numbers(2, 3), vec![Some(1), Some(2), Some(3)]);
        // 7 pages: from the first, 4–6 are left out; from the middle, all are shown.
        assert_eq!(
            numbers(1, 7),
            vec![Some(1), Some(2), Some(3), None, Some(7)]
        );
        assert_eq!(numbers(4, 7), (1..=7).map(Some).collect::<Vec<_>>());
        // A single number is shown, not left out: page 5 of 7 shows 2.
        assert_eq!(numbers(5, 7), (1..=7).map(Some).collect::<Vec<_>>());
        // 50 pages: both ends left out around the current one.
        assert_eq!(
            numbers(25, 50),
            vec![
                Some(1),
                None,
                Some(23),
                Some(24),
                Some(25),
                Some(26),
                Some(27),
                None,
                Some(50)
            ]
        );
        assert_eq!(
            numbers(50, 50),
            vec![Some(1), None, Some(48), Some(49), Some(50)]
        );
        // A page beyond the end is the last page; page 0 the first.
        assert_eq!(Paging::new(9, 25, 60).page, 3);
        assert_eq!(Paging::new(0, 25, 60).page, 1);
        assert_eq!(Paging::new(3, 25, 0).pages(), 1);
    }

    /// The list of a query whose every fetch answers `fetched`.
    fn answered(query: ListQuery, fetched: (Vec<()>, i64)) -> List<()> {
        let mut pager = query.pager();
        while pager.wants().is_some() {
            pager.got(fetched.clone());
        }
        pager.list()
    }

    #[test]
    fn the_list_offers_sorting_paging_clearing_and_csv() {
        let list = answered(
            STAFF.read(Some("q=an&role=mentor&page=2")),
            (vec![(); 25], 312),
        )
        .columns(
            t(),
            &[
                ("Navn", Some("name")),
                ("E-mail", Some("email")),
                ("Roller", None),
            ],
        );
        let headings = list.headings();
        assert_eq!(
            headings[0].href.as_deref(),
            Some("/medarbejdere?q=an&role=mentor&sort=name&dir=desc")
        );
        assert_eq!(headings[0].aria_sort, Some("ascending"));
        assert_eq!(
            headings[1].href.as_deref(),
            Some("/medarbejdere?q=an&role=mentor&sort=email&dir=asc")
        );
        assert_eq!(
            (headings[1].aria_sort, headings[2].href.as_ref()),
            (None, None)
        );
        assert_eq!(
            list.summary(t()),
            "Viser 26–50 af 312. Klik på en kolonneoverskrift for at sortere."
        );
        assert!(list.has_filters() && list.has_form() && list.paged());
        assert_eq!(list.csv_href(), None);
        assert_eq!(
            list.next_href().as_deref(),
            Some("/medarbejdere?q=an&role=mentor&sort=name&dir=asc&page=3")
        );
        let links = list.page_links();
        assert_eq!(links.len(), 6, "1 2 3 4 … 13: {links:?}");
        assert!(links[1].as_ref().is_some_and(|link| link.current));

        let log = answered(LOG.read(Some("member=7&page=2")), (vec![(); 3], 13));
        assert_eq!(log.csv_href().as_deref(), Some("/log.csv?member=7"));
        assert_eq!(log.summary(t()), "Viser 11–13 af 13");
        assert_eq!(log.previous_href().as_deref(), Some("/log?member=7&page=1"));
        assert_eq!(log.next_href(), None);
        let plain = answered(LOG.read(None), (vec![(); 3], 3));
        assert!(!plain.has_filters() && !plain.paged());
    }
}
