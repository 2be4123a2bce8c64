//! Pagination: which page a client asks for, and what a page holds.

use serde::Serialize;

/// Most items per page.
pub const MAX_PER_PAGE: u32 = 100;

/// A validated page request (`page` from 1, `per_page` from 1 to 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// The page, from 1.
    pub page: u32,
    /// Items per page.
    pub per_page: u32,
}

impl PageRequest {
    /// Rows to skip.
    #[must_use]
    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }
}

/// One page of results.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    /// The items on this page.
    pub data: Vec<T>,
    /// Where this page sits.
    pub meta: PageMeta,
}

/// The position of a page.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PageMeta {
    /// The page, from 1.
    pub page: u32,
    /// Items per page.
    pub per_page: u32,
    /// Items on all pages.
    pub total: u64,
}
