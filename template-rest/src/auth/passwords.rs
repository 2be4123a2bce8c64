//! Password hashing with Argon2id, off the async runtime and with bounded concurrency.
//!
//! Each hash takes tens of milliseconds of CPU and `memory_kib` of RAM. Hashing runs on a fixed
//! pool of threads (see `workers.rs`), so request handling never stalls and memory stays
//! bounded. The queue in front of them is bounded: when it is full, hashing is refused at once
//! with [`PasswordError::Busy`] (answer it 503 with `Retry-After`), and a job whose request was
//! cancelled or timed out is skipped instead of hashed for nobody.

use std::sync::Arc;
use std::time::Duration;

use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::OnceCell;

use super::argon2_memory;
use super::settings::HashingSettings;
use super::workers::{WorkerError, Workers};

/// How long a client refused by a full hashing queue should wait.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// Why a hasher could not be built.
#[derive(Debug, thiserror::Error)]
pub enum HasherError {
    /// The cost parameters are out of range.
    #[error("invalid argon2 parameters: {0}")]
    Params(#[from] argon2::Error),
    /// A hashing thread could not start.
    #[error("cannot start a hashing thread: {0}")]
    Thread(#[from] std::io::Error),
}

/// Why a password could not be hashed or checked.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// Every hashing thread is busy and the queue is full: ask the client to retry after the
    /// delay (503 with `Retry-After`).
    #[error("password hashing is busy")]
    Busy {
        /// A hint for the `Retry-After` header.
        retry_after: Duration,
    },
    /// Hashing failed: no randomness, or a worker panicked.
    #[error("password hashing failed: {0}")]
    Failed(Box<dyn std::error::Error + Send + Sync>),
}

/// Argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashCost {
    /// Memory per hash, in KiB.
    pub memory_kib: u32,
    /// Passes over memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl HashCost {
    /// OWASP Password Storage Cheat Sheet: m = 19 MiB, t = 2, p = 1.
    pub const OWASP: Self = Self { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 };
    /// The cheapest valid cost, for unit tests that do not measure hashing.
    pub const MINIMAL: Self = Self { memory_kib: 8, iterations: 1, parallelism: 1 };
}

/// Hashes and verifies passwords.
#[derive(Clone)]
pub struct PasswordHasher {
    argon2: Argon2<'static>,
    workers: Workers,
    dummy_hash: Arc<OnceCell<String>>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("PasswordHasher").finish_non_exhaustive()
    }
}

impl PasswordHasher {
    /// A hasher with the given cost, running `capacity.concurrency` hashes at once on as many
    /// dedicated threads, with room for `capacity.queue` more.
    ///
    /// # Errors
    /// Fails when the cost parameters are out of Argon2's range, or no thread can start.
    pub fn new(cost: HashCost, capacity: HashingSettings) -> Result<Self, HasherError> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)?;
        Ok(Self {
            argon2: Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
            workers: Workers::start(capacity.concurrency, capacity.queue, "argon2")?,
            dummy_hash: Arc::new(OnceCell::new()),
        })
    }

    /// Hashes `password` with a fresh random salt, as a PHC string.
    ///
    /// # Errors
    /// [`PasswordError::Busy`] when the queue is full; [`PasswordError::Failed`] otherwise.
    pub async fn hash(&self, password: &str) -> Result<String, PasswordError> {
        let argon2 = self.argon2.clone();
        let password = password.to_owned();
        self.run_blocking(move || argon2_memory::hash(&argon2, password.as_bytes()))
            .await?
            .map_err(PasswordError::Failed)
    }

    /// Whether `password` matches `hash`. A malformed hash counts as a mismatch.
    ///
    /// # Errors
    /// [`PasswordError::Busy`] when the queue is full; [`PasswordError::Failed`] otherwise.
    pub async fn verify(&self, password: &str, hash: &str) -> Result<bool, PasswordError> {
        let password = password.to_owned();
        let hash = hash.to_owned();
        let verified = move || argon2_memory::verify(password.as_bytes(), &hash).unwrap_or(false);
        self.run_blocking(verified).await
    }

    /// Spends the same time as [`verify`](Self::verify) against a real hash, and returns
    /// `false`. Used for unknown accounts, so response times do not reveal which emails exist.
    ///
    /// # Errors
    /// As for [`verify`](Self::verify).
    pub async fn verify_unknown_account(&self, password: &str) -> Result<bool, PasswordError> {
        let dummy = self.dummy_hash.get_or_try_init(|| self.hash("not a real password")).await?;
        self.verify(password, dummy).await?;
        Ok(false)
    }

    pub(super) async fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PasswordError> {
        self.workers.run(work).await.map_err(|error| match error {
            WorkerError::Full => PasswordError::Busy { retry_after: RETRY_AFTER },
            WorkerError::Lost => PasswordError::Failed(error.into()),
        })
    }
}
