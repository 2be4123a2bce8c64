//! Avatar uploads, read into the avatar service's [`UploadSettings`]: where they are stored
//! and how large they may be.

use std::path::PathBuf;

use super::raw::{MIB, positive};
use super::{ConfigError, RawConfig};
use crate::services::UploadSettings;

/// Reads `UPLOAD_LIMIT_BYTES` (5 MiB) and `UPLOAD_DIR` (`uploads`).
pub(super) fn from_raw(raw: &RawConfig) -> Result<UploadSettings, ConfigError> {
    Ok(UploadSettings {
        max_bytes: positive("UPLOAD_LIMIT_BYTES", raw.upload_limit_bytes.unwrap_or(5 * MIB))?,
        dir: PathBuf::from(raw.upload_dir.as_deref().unwrap_or("uploads")),
    })
}
