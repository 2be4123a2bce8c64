//! Refresh tokens in SQL. Only their SHA-256 hashes are stored.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::pool::{DbPool, map_error};
use super::{RefreshTokenRepository, RepositoryResult};
use crate::domain::refresh_token::{NewRefreshToken, RefreshToken};

/// [`RefreshTokenRepository`] over SQL.
#[derive(Debug, Clone)]
pub(crate) struct SqlRefreshTokenRepository {
    pool: DbPool,
}

impl SqlRefreshTokenRepository {
    #[must_use]
    pub(crate) fn new(pool: DbPool) -> Self {
        Self { pool }
    }
}

/// Inserts `token` with any executor: the pool, or a transaction.
async fn insert_token<'executor, E>(executor: E, token: &NewRefreshToken) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'executor, Database = super::database::Db>,
{
    sqlx::query!(
        "INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        token.id,
        token.user_id,
        token.family_id,
        token.token_hash,
        token.expires_at,
        token.created_at,
    )
    .execute(executor)
    .await?;
    Ok(())
}

#[async_trait]
impl RefreshTokenRepository for SqlRefreshTokenRepository {
    async fn insert(&self, token: NewRefreshToken) -> RepositoryResult<()> {
        insert_token(&self.pool, &token).await.map_err(map_error)
    }

    async fn find_by_hash(&self, token_hash: &[u8]) -> RepositoryResult<Option<RefreshToken>> {
        sqlx::query_as!(
            RefreshToken,
            r#"SELECT id AS "id: Uuid", user_id AS "user_id: Uuid", family_id AS "family_id: Uuid",
                      token_hash AS "token_hash!", expires_at AS "expires_at: DateTime<Utc>",
                      revoked_at AS "revoked_at: DateTime<Utc>"
               FROM refresh_tokens WHERE token_hash = $1"#,
            token_hash,
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_error)
    }

    async fn rotate(
        &self,
        old_id: Uuid,
        replacement: NewRefreshToken,
        now: DateTime<Utc>,
    ) -> RepositoryResult<bool> {
        let mut transaction = self.pool.begin().await.map_err(map_error)?;
        let revoked = sqlx::query!(
            "UPDATE refresh_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
            old_id,
            now,
        )
        .execute(&mut *transaction)
        .await
        .map_err(map_error)?;
        if revoked.rows_affected() == 0 {
            return Ok(false);
        }
        insert_token(&mut *transaction, &replacement).await.map_err(map_error)?;
        transaction.commit().await.map_err(map_error)?;
        Ok(true)
    }

    async fn revoke(
        &self,
        user_id: Uuid,
        token_hash: &[u8],
        now: DateTime<Utc>,
    ) -> RepositoryResult<()> {
        sqlx::query!(
            "UPDATE refresh_tokens SET revoked_at = $3
             WHERE user_id = $1 AND token_hash = $2 AND revoked_at IS NULL",
            user_id,
            token_hash,
            now,
        )
        .execute(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(())
    }

    async fn revoke_family(&self, family_id: Uuid, now: DateTime<Utc>) -> RepositoryResult<()> {
        sqlx::query!(
            "UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL",
            family_id,
            now,
        )
        .execute(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(())
    }

    async fn purge(&self, ended_before: DateTime<Utc>) -> RepositoryResult<u64> {
        let purged = sqlx::query!(
            "DELETE FROM refresh_tokens WHERE expires_at < $1 OR revoked_at < $1",
            ended_before,
        )
        .execute(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(purged.rows_affected())
    }
}
