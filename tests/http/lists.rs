//! The list component's markup: a long list pages with a list of list items only (axe's
//! `list` rule), the current page marked, numbers left out shown as a hidden "…".

use scraper::{ElementRef, Selector};

use crate::support::TestApp;

#[tokio::test]
async fn a_long_list_pages_with_list_items_only() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    // 1,000 more entries in Aarhus's log: 50 a page, more than 20 pages.
    app.grow_audit_log("Aarhus", 1000).await;
    for (page, current, gaps) in [(1, "1", 1), (10, "10", 2), (999, "", 1)] {
        let response = coordinator.get(&format!("/adgangslog?page={page}")).await;
        assert_eq!(response.status, 200);
        let html = response.html();
        let list = html
            .select(&Selector::parse("nav.pagination ul.pagination__items").unwrap())
            .next()
            .expect("a paging list");
        let items: Vec<ElementRef> = list.child_elements().collect();
        assert!(items.len() > 3);
        for item in &items {
            assert_eq!(item.value().name(), "li", "page {page}: {}", item.html());
            assert_eq!(
                item.value().attr("role"),
                None,
                "page {page}: {}",
                item.html()
            );
            assert!(
                item.value()
                    .has_class("pagination-item", scraper::CaseSensitivity::CaseSensitive)
            );
        }
        let overflow: Vec<&ElementRef> = items
            .iter()
            .filter(|item| {
                item.value().has_class(
                    "pagination-overflow",
                    scraper::CaseSensitivity::CaseSensitive,
                )
            })
            .collect();
        assert_eq!(overflow.len(), gaps, "page {page}");
        for gap in overflow {
            let hidden = gap
                .select(&Selector::parse("span[aria-hidden=true]").unwrap())
                .next()
                .expect("the … hidden");
            assert_eq!(hidden.text().collect::<String>(), "…");
        }
        let current_page = response.text_of("nav.pagination li a[aria-current=page]");
        let last = items.last().unwrap().text().collect::<String>();
        let expected = if current.is_empty() {
            last.trim()
        } else {
            current
        };
        assert_eq!(current_page, expected, "page {page}");
    }
}
