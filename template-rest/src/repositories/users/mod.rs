//! Users in SQL. Every statement is checked against the schema at compile time.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::database::Db;
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

mod search;

use search::{count_users, like_pattern, list_page};

/// [`UserRepository`] over SQL.
#[derive(Debug, Clone)]
pub(crate) struct SqlUserRepository {
    pool: DbPool,
}

impl SqlUserRepository {
    #[must_use]
    pub(crate) fn new(pool: DbPool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl UserRepository for SqlUserRepository {
    async fn create(&self, user: NewUser) -> RepositoryResult<User> {
        let user = user.stored_now();
        let role = user.role.as_str();
        sqlx::query!(
            "INSERT INTO users (id, email, name, role, password_hash, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
            user.id,
            user.email,
            user.name,
            role,
            user.password_hash,
            user.created_at,
        )
        .execute(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(user)
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
        let mut transaction = self.pool.begin().await.map_err(map_error)?;
        if changes.role == Some(Role::User) {
            keep_an_admin(&mut transaction, id).await?;
        }
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
        .fetch_optional(&mut *transaction)
        .await
        .map_err(map_error)?;
        transaction.commit().await.map_err(map_error)?;
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

    async fn replace_avatar(&self, id: Uuid, avatar: &Avatar) -> RepositoryResult<Option<User>> {
        let now = Utc::now();
        let mut transaction = self.pool.begin().await.map_err(map_error)?;
        // Writing first takes the row lock (PostgreSQL) or the write lock (SQLite), so the read
        // below sees the avatar that this replacement, and no other, replaces.
        let touched = sqlx::query!("UPDATE users SET updated_at = $2 WHERE id = $1", id, now)
            .execute(&mut *transaction)
            .await
            .map_err(map_error)?;
        if touched.rows_affected() == 0 {
            return Ok(None);
        }
        let before = user_rows!("SELECT ", " FROM users WHERE id = $1", id)
            .fetch_one(&mut *transaction)
            .await
            .map_err(map_error)?;
        let content_type = avatar.kind.content_type();
        sqlx::query!(
            "UPDATE users SET avatar_key = $2, avatar_content_type = $3 WHERE id = $1",
            id,
            avatar.key,
            content_type,
        )
        .execute(&mut *transaction)
        .await
        .map_err(map_error)?;
        transaction.commit().await.map_err(map_error)?;
        User::try_from(before).map(Some)
    }

    async fn delete(&self, id: Uuid) -> RepositoryResult<Option<User>> {
        let mut transaction = self.pool.begin().await.map_err(map_error)?;
        keep_an_admin(&mut transaction, id).await?;
        let row = user_rows!("DELETE FROM users WHERE id = $1 RETURNING ", "", id)
            .fetch_optional(&mut *transaction)
            .await
            .map_err(map_error)?;
        transaction.commit().await.map_err(map_error)?;
        row.map(User::try_from).transpose()
    }
}

/// Refuses a change that would remove the last administrator, when `id` is one. The guard row
/// is written first (see the `admin_guard` migration): that takes a row lock in PostgreSQL and
/// the write lock in SQLite, so such changes run one at a time, and the count below, read after
/// the lock, includes every change committed before.
async fn keep_an_admin(
    transaction: &mut sqlx::Transaction<'static, Db>,
    id: Uuid,
) -> RepositoryResult<()> {
    sqlx::query!("UPDATE admin_guard SET generation = generation + 1 WHERE id = 1")
        .execute(&mut **transaction)
        .await
        .map_err(map_error)?;
    let admins = sqlx::query!(
        r#"SELECT COUNT(*) AS "total!: i64",
                  COUNT(CASE WHEN id = $1 THEN 1 END) AS "target!: i64"
           FROM users WHERE role = 'admin'"#,
        id,
    )
    .fetch_one(&mut **transaction)
    .await
    .map_err(map_error)?;
    if admins.target > 0 && admins.total <= 1 {
        return Err(RepositoryError::LastAdmin);
    }
    Ok(())
}
