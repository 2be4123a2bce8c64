//! In-process fakes of the repository traits, for unit tests of the services.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{RefreshTokenRepository, RepositoryError, RepositoryResult, UserRepository};
use crate::domain::avatar::Avatar;
use crate::domain::page::{Page, UserQuery};
use crate::domain::refresh_token::{NewRefreshToken, RefreshToken};
use crate::domain::user::{NewUser, Role, User, UserChanges};

/// Users in a vector. Linked to the refresh tokens, as the SQL tables are by a foreign key.
#[derive(Debug, Default)]
pub(crate) struct FakeUsers {
    users: Mutex<Vec<User>>,
    tokens: Arc<FakeRefreshTokens>,
}

impl FakeUsers {
    /// Users whose password changes revoke tokens in `tokens`.
    pub(crate) fn linked(tokens: Arc<FakeRefreshTokens>) -> Self {
        Self { users: Mutex::default(), tokens }
    }

    fn with<T>(&self, body: impl FnOnce(&mut Vec<User>) -> T) -> T {
        body(&mut self.users.lock().expect("fake users lock"))
    }
}

#[async_trait]
impl UserRepository for FakeUsers {
    async fn create(&self, user: NewUser) -> RepositoryResult<User> {
        self.with(|users| {
            if users.iter().any(|existing| existing.email == user.email) {
                return Err(RepositoryError::Conflict);
            }
            let created = user.stored_now();
            users.push(created.clone());
            Ok(created)
        })
    }

    async fn find_by_id(&self, id: Uuid) -> RepositoryResult<Option<User>> {
        Ok(self.with(|users| users.iter().find(|user| user.id == id).cloned()))
    }

    async fn find_by_email(&self, email: &str) -> RepositoryResult<Option<User>> {
        Ok(self.with(|users| users.iter().find(|user| user.email == email).cloned()))
    }

    async fn list(&self, query: &UserQuery) -> RepositoryResult<Page<User>> {
        let skip = usize::try_from(query.offset()).unwrap_or(usize::MAX);
        let take = usize::try_from(query.per_page).unwrap_or(usize::MAX);
        Ok(self.with(|users| Page {
            items: users.iter().skip(skip).take(take).cloned().collect(),
            total: users.len() as u64,
        }))
    }

    async fn update(&self, id: Uuid, changes: &UserChanges) -> RepositoryResult<Option<User>> {
        self.with(|users| {
            let taken = changes.email.as_ref().is_some_and(|email| {
                users.iter().any(|user| user.id != id && &user.email == email)
            });
            if taken {
                return Err(RepositoryError::Conflict);
            }
            if changes.role == Some(Role::User) {
                keep_an_admin(users, id)?;
            }
            let Some(user) = users.iter_mut().find(|user| user.id == id) else {
                return Ok(None);
            };
            apply_changes(user, changes);
            Ok(Some(user.clone()))
        })
    }

    async fn change_password(&self, id: Uuid, password_hash: &str) -> RepositoryResult<bool> {
        let changed = self.with(|users| {
            let user = users.iter_mut().find(|user| user.id == id);
            user.map(|user| user.password_hash = password_hash.to_owned()).is_some()
        });
        if changed {
            self.tokens.revoke_user(id);
        }
        Ok(changed)
    }

    async fn replace_avatar(&self, id: Uuid, avatar: &Avatar) -> RepositoryResult<Option<User>> {
        Ok(self.with(|users| {
            let user = users.iter_mut().find(|user| user.id == id)?;
            let before = user.clone();
            user.avatar = Some(avatar.clone());
            Some(before)
        }))
    }

    async fn delete(&self, id: Uuid) -> RepositoryResult<Option<User>> {
        self.with(|users| {
            keep_an_admin(users, id)?;
            let index = users.iter().position(|user| user.id == id);
            Ok(index.map(|index| users.remove(index)))
        })
    }
}

/// Refuses to remove the last administrator, as the SQL repository does.
fn keep_an_admin(users: &[User], id: Uuid) -> RepositoryResult<()> {
    let admins: Vec<Uuid> =
        users.iter().filter(|user| user.role == Role::Admin).map(|user| user.id).collect();
    if admins == [id] {
        return Err(RepositoryError::LastAdmin);
    }
    Ok(())
}

fn apply_changes(user: &mut User, changes: &UserChanges) {
    if let Some(name) = &changes.name {
        user.name.clone_from(name);
    }
    if let Some(email) = &changes.email {
        user.email.clone_from(email);
    }
    if let Some(role) = changes.role {
        user.role = role;
    }
    user.updated_at = Utc::now();
}

/// Refresh tokens in a vector.
#[derive(Debug, Default)]
pub(crate) struct FakeRefreshTokens {
    tokens: Mutex<Vec<RefreshToken>>,
}

impl FakeRefreshTokens {
    fn with<T>(&self, body: impl FnOnce(&mut Vec<RefreshToken>) -> T) -> T {
        body(&mut self.tokens.lock().expect("fake tokens lock"))
    }

    /// Every stored token, for assertions.
    pub(crate) fn all(&self) -> Vec<RefreshToken> {
        self.with(|tokens| tokens.clone())
    }

    fn revoke_user(&self, user_id: Uuid) {
        self.with(|tokens| {
            for token in tokens.iter_mut().filter(|token| token.user_id == user_id) {
                token.revoked_at.get_or_insert_with(Utc::now);
            }
        });
    }

    /// Moves the expiry of every token into the past.
    pub(crate) fn expire_all(&self) {
        self.with(|tokens| {
            for token in tokens {
                token.expires_at = Utc::now() - chrono::Duration::seconds(1);
            }
        });
    }
}

fn stored(token: NewRefreshToken) -> RefreshToken {
    RefreshToken {
        id: token.id,
        user_id: token.user_id,
        family_id: token.family_id,
        token_hash: token.token_hash,
        expires_at: token.expires_at,
        revoked_at: None,
    }
}

#[async_trait]
impl RefreshTokenRepository for FakeRefreshTokens {
    async fn insert(&self, token: NewRefreshToken) -> RepositoryResult<()> {
        self.with(|tokens| tokens.push(stored(token)));
        Ok(())
    }

    async fn find_by_hash(&self, token_hash: &[u8]) -> RepositoryResult<Option<RefreshToken>> {
        Ok(self.with(|tokens| tokens.iter().find(|token| token.token_hash == token_hash).cloned()))
    }

    async fn rotate(
        &self,
        old_id: Uuid,
        replacement: NewRefreshToken,
        now: DateTime<Utc>,
    ) -> RepositoryResult<bool> {
        Ok(self.with(|tokens| {
            let old =
                tokens.iter_mut().find(|token| token.id == old_id && token.revoked_at.is_none());
            let Some(old) = old else { return false };
            old.revoked_at = Some(now);
            tokens.push(stored(replacement));
            true
        }))
    }

    async fn revoke(
        &self,
        user_id: Uuid,
        token_hash: &[u8],
        now: DateTime<Utc>,
    ) -> RepositoryResult<()> {
        self.with(|tokens| {
            let mine = |token: &&mut RefreshToken| {
                token.user_id == user_id && token.token_hash == token_hash
            };
            if let Some(token) = tokens.iter_mut().find(mine) {
                token.revoked_at.get_or_insert(now);
            }
        });
        Ok(())
    }

    async fn revoke_family(&self, family_id: Uuid, now: DateTime<Utc>) -> RepositoryResult<()> {
        self.with(|tokens| {
            for token in tokens.iter_mut().filter(|token| token.family_id == family_id) {
                token.revoked_at.get_or_insert(now);
            }
        });
        Ok(())
    }

    async fn purge(&self, ended_before: DateTime<Utc>) -> RepositoryResult<u64> {
        Ok(self.with(|tokens| {
            let before = tokens.len();
            tokens.retain(|token| {
                token.expires_at >= ended_before
                    && token.revoked_at.is_none_or(|revoked| revoked >= ended_before)
            });
            (before - tokens.len()) as u64
        }))
    }
}
