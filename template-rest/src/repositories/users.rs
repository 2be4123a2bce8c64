//! Users in SQL. Every statement is checked against the schema at compile time.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::pool::{DbPool, map_error};
use super::{RepositoryError, RepositoryResult, UserRepository};
use crate::domain::avatar::{Avatar, ImageType};
use crate::domain::page::{Page, UserQuery};
use crate::domain::user::{NewUser, Role, User, UserChanges};

/// A `users` row as the driver returns it.
struct UserRow {
    id: Uuid,
    email: String,
    name: String,
    role: String,
    password_hash: String,
    avatar_key: Option<String>,
    avatar_content_type: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<UserRow> for User {
    type Error = RepositoryError;

    fn try_from(row: UserRow) -> Result<Self, Self::Error> {
        let role = Role::from_name(&row.role).ok_or_else(|| {
            RepositoryError::Other(
                format!("unknown role `{}` for user {}", row.role, row.id).into(),
            )
        })?;
        let avatar = avatar(row.avatar_key, row.avatar_content_type.as_deref())?;
        Ok(Self {
            id: row.id,
            email: row.email,
            name: row.name,
            role,
            password_hash: row.password_hash,
            avatar,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// The avatar stored in a row's two columns.
fn avatar(
    key: Option<String>,
    content_type: Option<&str>,
) -> Result<Option<Avatar>, RepositoryError> {
    let (Some(key), Some(content_type)) = (key, content_type) else { return Ok(None) };
    let kind = ImageType::from_content_type(content_type).ok_or_else(|| {
        RepositoryError::Other(format!("unknown avatar type `{content_type}`").into())
    })?;
    Ok(Some(Avatar { key, kind }))
}

/// Runs a statement that yields `users` rows, with the column list written once.
macro_rules! user_rows {
    ($head:literal, $tail:literal $(, $argument:expr)* $(,)?) => {
        sqlx::query_as!(
            UserRow,
            $head
                + r#"id AS "id: Uuid", email AS "email!", name AS "name!", role AS "role!",
                   password_hash AS "password_hash!", avatar_key AS "avatar_key?",
                   avatar_content_type AS "avatar_content_type?",
                   created_at AS "created_at: DateTime<Utc>",
                   updated_at AS "updated_at: DateTime<Utc>""#
                + $tail
            $(, $argument)*
        )
    };
}

/// [`UserRepository`] over SQL.
#[derive(Debug, Clone)]
pub struct SqlUserRepository {
    pool: DbPool,
}

impl SqlUserRepository {
    /// Wraps a pool.
    #[must_use]
    pub fn new(pool: DbPool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl UserRepository for SqlUserRepository {
    async fn create(&self, user: NewUser) -> RepositoryResult<User> {
        let now = Utc::now();
        let id = Uuid::now_v7();
        let role = user.role.as_str();
        sqlx::query!(
            "INSERT INTO users (id, email, name, role, password_hash, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
            id,
            user.email,
            user.name,
            role,
            user.password_hash,
            now,
        )
        .execute(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(User {
            id,
            email: user.email,
            name: user.name,
            role: user.role,
            password_hash: user.password_hash,
            avatar: None,
            created_at: now,
            updated_at: now,
        })
    }

    async fn find_by_id(&self, id: Uuid) -> RepositoryResult<Option<User>> {
        let row = user_rows!("SELECT ", " FROM users WHERE id = $1", id)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_error)?;
        row.map(User::try_from).transpose()
    }

    async fn find_by_email(&self, email: &str) -> RepositoryResult<Option<User>> {
        let row = user_rows!("SELECT ", " FROM users WHERE email = $1", email)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_error)?;
        row.map(User::try_from).transpose()
    }

    async fn list(&self, query: &UserQuery) -> RepositoryResult<Page<User>> {
        let pattern = query.search.as_deref().map(like_pattern);
        let total = count_users(&self.pool, pattern.as_deref()).await?;
        let rows = list_page(&self.pool, query, pattern.as_deref()).await?;
        let items = rows.into_iter().map(User::try_from).collect::<Result<_, _>>()?;
        Ok(Page { items, total })
    }

    async fn update(&self, id: Uuid, changes: &UserChanges) -> RepositoryResult<Option<User>> {
        let role = changes.role.map(Role::as_str);
        let now = Utc::now();
        let row = user_rows!(
            "UPDATE users SET name = COALESCE($2, name), email = COALESCE($3, email),
                role = COALESCE($4, role), updated_at = $5
             WHERE id = $1 RETURNING ",
            "",
            id,
            changes.name,
            changes.email,
            role,
            now,
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_error)?;
        row.map(User::try_from).transpose()
    }

    async fn change_password(&self, id: Uuid, password_hash: &str) -> RepositoryResult<bool> {
        let now = Utc::now();
        let mut transaction = self.pool.begin().await.map_err(map_error)?;
        let updated = sqlx::query!(
            "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1",
            id,
            password_hash,
            now,
        )
        .execute(&mut *transaction)
        .await
        .map_err(map_error)?;
        if updated.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query!(
            "UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
            id,
            now,
        )
        .execute(&mut *transaction)
        .await
        .map_err(map_error)?;
        transaction.commit().await.map_err(map_error)?;
        Ok(true)
    }

    async fn set_avatar(&self, id: Uuid, avatar: Option<&Avatar>) -> RepositoryResult<bool> {
        let key = avatar.map(|avatar| avatar.key.as_str());
        let content_type = avatar.map(|avatar| avatar.kind.content_type());
        let now = Utc::now();
        let updated = sqlx::query!(
            "UPDATE users SET avatar_key = $2, avatar_content_type = $3, updated_at = $4
             WHERE id = $1",
            id,
            key,
            content_type,
            now,
        )
        .execute(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(updated.rows_affected() > 0)
    }

    async fn delete(&self, id: Uuid) -> RepositoryResult<bool> {
        let deleted = sqlx::query!("DELETE FROM users WHERE id = $1", id)
            .execute(&self.pool)
            .await
            .map_err(map_error)?;
        Ok(deleted.rows_affected() > 0)
    }
}

async fn count_users(pool: &DbPool, pattern: Option<&str>) -> RepositoryResult<u64> {
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

async fn list_page(
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
fn like_pattern(search: &str) -> String {
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
