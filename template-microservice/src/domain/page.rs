//! Pagination: which page a client asks for, and what a page holds.

use serde::Serialize;

/// Most items per page.
pub(crate) const MAX_PER_PAGE: u32 = 100;

/// A validated page request (`page` from 1, `per_page` from 1 to 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// The page, from 1.
    pub(crate) page: u32,
    /// Items per page.
    pub(crate) per_page: u32,
}

impl PageRequest {
    /// Rows to skip.
    #[must_use]
    pub(crate) fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }
}

/// One page of results.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    /// The items on this page.
    pub(crate) data: Vec<T>,
    /// Where this page sits.
    pub(crate) meta: PageMeta,
}

/// The position of a page.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PageMeta {
    /// The page, from 1.
    pub(crate) page: u32,
    /// Items per page.
    pub(crate) per_page: u32,
    /// Items on all pages.
    pub(crate) total: u64,
}
