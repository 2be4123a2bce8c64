//! Pagination and sorting of lists.

/// Largest page a client may ask for.
pub(crate) const MAX_PER_PAGE: u32 = 100;
/// Highest page number accepted: deep offsets are slow, and nobody pages that far.
pub(crate) const MAX_PAGE: u32 = 1_000_000;
/// Page size when the client does not say.
pub(crate) const DEFAULT_PER_PAGE: u32 = 20;

/// A column a user list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserSortField {
    /// Registration time (the default, newest first).
    CreatedAt,
    /// Last change.
    UpdatedAt,
    /// Email address.
    Email,
    /// Display name.
    Name,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Smallest first.
    Ascending,
    /// Largest first.
    Descending,
}

/// A sort order such as `-created_at` (descending) or `email` (ascending).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UserSort {
    pub(crate) field: UserSortField,
    pub(crate) direction: Direction,
}

impl Default for UserSort {
    fn default() -> Self {
        Self { field: UserSortField::CreatedAt, direction: Direction::Descending }
    }
}

impl UserSort {
    /// Every accepted spelling, for error messages and the API description.
    pub(crate) const ACCEPTED: &'static str =
        "created_at, -created_at, updated_at, -updated_at, email, -email, name, -name";

    /// Parses `field` or `-field`.
    #[must_use]
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let (direction, name) = match text.strip_prefix('-') {
            Some(name) => (Direction::Descending, name),
            None => (Direction::Ascending, text),
        };
        let field = match name {
            "created_at" => UserSortField::CreatedAt,
            "updated_at" => UserSortField::UpdatedAt,
            "email" => UserSortField::Email,
            "name" => UserSortField::Name,
            _ => return None,
        };
        Some(Self { field, direction })
    }

    /// The canonical spelling (`-created_at`), as the repositories match on it.
    #[must_use]
    pub(crate) fn key(self) -> &'static str {
        match (self.field, self.direction) {
            (UserSortField::CreatedAt, Direction::Ascending) => "created_at",
            (UserSortField::CreatedAt, Direction::Descending) => "-created_at",
            (UserSortField::UpdatedAt, Direction::Ascending) => "updated_at",
            (UserSortField::UpdatedAt, Direction::Descending) => "-updated_at",
            (UserSortField::Email, Direction::Ascending) => "email",
            (UserSortField::Email, Direction::Descending) => "-email",
            (UserSortField::Name, Direction::Ascending) => "name",
            (UserSortField::Name, Direction::Descending) => "-name",
        }
    }
}

/// A validated request for one page of users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UserQuery {
    /// Page number, from 1.
    pub(crate) page: u32,
    /// Page size, 1 to [`MAX_PER_PAGE`].
    pub(crate) per_page: u32,
    /// Order of the results.
    pub(crate) sort: UserSort,
    /// Case-insensitive substring of the email or the name.
    pub(crate) search: Option<String>,
}

impl UserQuery {
    /// Rows to skip before this page.
    #[must_use]
    pub(crate) fn offset(&self) -> u64 {
        u64::from(self.page.saturating_sub(1)) * u64::from(self.per_page)
    }
}

/// One page of results and the total across all pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Page<T> {
    /// The items on this page.
    pub(crate) items: Vec<T>,
    /// Matching items across all pages.
    pub(crate) total: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_keys_round_trip() {
        for key in UserSort::ACCEPTED.split(", ") {
            let sort = UserSort::parse(key).expect(key);
            assert_eq!(sort.key(), key);
        }
        assert_eq!(UserSort::parse("password_hash"), None);
        assert_eq!(UserSort::parse("--email"), None);
    }

    #[test]
    fn offset_counts_whole_pages() {
        let query = UserQuery { page: 3, per_page: 20, sort: UserSort::default(), search: None };
        assert_eq!(query.offset(), 40);
    }
}
