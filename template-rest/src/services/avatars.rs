//! Avatar uploads: size and format checks, storage under a generated name, and clean-up of
//! the file each upload replaces (exactly once, however many uploads race).

use std::path::PathBuf;
use std::sync::Arc;

use uuid::Uuid;

use crate::domain::avatar::{Avatar, ImageType};
use crate::domain::user::Actor;
use crate::problem::{AppError, AppResult};
use crate::repositories::UserRepository;
use crate::repositories::storage::{Blob, Storage};

/// Where avatars are stored, and how large they may be.
#[derive(Debug, Clone)]
pub struct UploadSettings {
    /// Where uploaded files are stored (`UPLOAD_DIR`, default `uploads`).
    pub dir: PathBuf,
    /// Largest avatar upload (`UPLOAD_LIMIT_BYTES`, default 5 MiB).
    pub(crate) max_bytes: usize,
}

const NOT_FOUND: &str = "no user with this id";
const NO_AVATAR: &str = "this user has no avatar";

pub(crate) struct AvatarService {
    users: Arc<dyn UserRepository>,
    storage: Arc<dyn Storage>,
    max_bytes: usize,
}

impl AvatarService {
    /// Stores avatars of at most `max_bytes` in `storage`.
    #[must_use]
    pub(crate) fn new(
        users: Arc<dyn UserRepository>,
        storage: Arc<dyn Storage>,
        max_bytes: usize,
    ) -> Self {
        Self { users, storage, max_bytes }
    }

    /// The largest avatar accepted, in bytes.
    #[must_use]
    pub(crate) fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// Replaces the avatar of `id` with `bytes`. Only the user themself may: another user's id
    /// is a 404 (an administrator gets 403). Nothing is written unless every check passes.
    ///
    /// # Errors
    /// [`AppError::PayloadTooLarge`], [`AppError::UnsupportedMediaType`] for anything but PNG,
    /// JPEG or WebP, [`AppError::NotFound`], [`AppError::Forbidden`].
    pub(crate) async fn upload(&self, actor: Actor, id: Uuid, bytes: Vec<u8>) -> AppResult<Avatar> {
        if actor.id != id {
            return Err(if actor.is_admin() {
                AppError::Forbidden("only the user themself can change an avatar")
            } else {
                AppError::NotFound(NOT_FOUND)
            });
        }
        if bytes.len() > self.max_bytes {
            return Err(AppError::PayloadTooLarge("the image is larger than allowed"));
        }
        let kind = ImageType::detect(&bytes)
            .ok_or(AppError::UnsupportedMediaType("the image must be PNG, JPEG or WebP"))?;
        let avatar = Avatar { key: format!("{}.{}", Uuid::now_v7(), kind.extension()), kind };
        self.storage.put(&avatar.key, bytes).await?;
        let Some(before) = self.users.replace_avatar(id, &avatar).await? else {
            self.storage.delete(&avatar.key).await?;
            return Err(AppError::NotFound(NOT_FOUND));
        };
        if let Some(replaced) = before.avatar {
            self.storage.delete(&replaced.key).await?;
        }
        Ok(avatar)
    }

    /// The avatar of `id`, opened for streaming, and its format.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when the user or the avatar is missing.
    pub(crate) async fn download(&self, id: Uuid) -> AppResult<(ImageType, Blob)> {
        let user = self.users.find_by_id(id).await?.ok_or(AppError::NotFound(NOT_FOUND))?;
        let avatar = user.avatar.ok_or(AppError::NotFound(NO_AVATAR))?;
        let blob = self.storage.open(&avatar.key).await?.ok_or(AppError::NotFound(NO_AVATAR))?;
        Ok((avatar.kind, blob))
    }
}
