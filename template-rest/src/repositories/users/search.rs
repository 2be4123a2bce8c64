//! Listing users: one page, sorted and searched, and the count of all that match.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{UserRow, map_error};
use crate::domain::page::UserQuery;
use crate::repositories::RepositoryResult;
use crate::repositories::pool::DbPool;

pub(super) async fn count_users(pool: &DbPool, pattern: Option<&str>) -> RepositoryResult<u64> {
    let total = sqlx::query_scalar!(
        r#"SELECT COUNT(*) AS "total!: i64" FROM users
           WHERE lower(email) LIKE $1 ESCAPE '\' OR lower(name) LIKE $1 ESCAPE '\' OR $1 IS NULL"#,
        pattern,
    )
    .fetch_one(pool)
    .await
    .map_err(map_error)?;
    Ok(u64::try_from(total).unwrap_or_default())
}

pub(super) async fn list_page(
    pool: &DbPool,
    query: &UserQuery,
    pattern: Option<&str>,
) -> RepositoryResult<Vec<UserRow>> {
    let limit = i64::from(query.per_page);
    let offset = i64::try_from(query.offset()).unwrap_or(i64::MAX);
    user_rows!(
        "SELECT ",
        r#" FROM users
            WHERE lower(email) LIKE $1 ESCAPE '\' OR lower(name) LIKE $1 ESCAPE '\' OR $1 IS NULL
            ORDER BY
              CASE WHEN $2 = 'email' THEN email END ASC,
              CASE WHEN $2 = '-email' THEN email END DESC,
              CASE WHEN $2 = 'name' THEN name END ASC,
              CASE WHEN $2 = '-name' THEN name END DESC,
              CASE WHEN $2 = 'created_at' THEN created_at END ASC,
              CASE WHEN $2 = '-created_at' THEN created_at END DESC,
              CASE WHEN $2 = 'updated_at' THEN updated_at END ASC,
              CASE WHEN $2 = '-updated_at' THEN updated_at END DESC,
              id ASC
            LIMIT $3 OFFSET $4"#,
        pattern,
        query.sort.key(),
        limit,
        offset,
    )
    .fetch_all(pool)
    .await
    .map_err(map_error)
}

/// A `LIKE` pattern that matches `search` anywhere, with `%`, `_` and `\` taken literally.
pub(super) fn like_pattern(search: &str) -> String {
    let mut pattern = String::with_capacity(search.len() + 2);
    pattern.push('%');
    for character in search.to_lowercase().chars() {
        if matches!(character, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(character);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("Ann"), "%ann%");
        assert_eq!(like_pattern("50%_\\"), "%50\\%\\_\\\\%");
    }
}
