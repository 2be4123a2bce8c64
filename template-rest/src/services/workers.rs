//! A fixed set of OS threads for CPU-heavy work: password hashing.
//!
//! Tokio's blocking pool grows to hundreds of threads under load, and each thread that ever
//! hashed keeps argon2's 19 MiB in its own allocator arena, so a login flood would leave
//! hundreds of MiB resident. A small, fixed pool keeps both the CPU and the memory that hashing
//! can take bounded, and leaves the async runtime free for every other request.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// Why work could not run.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// The work panicked, or the pool has shut down.
    #[error("the worker pool could not complete the job")]
    Lost,
}

/// A handle to the pool; cloning it shares the same threads. The threads exit when the last
/// handle is dropped.
#[derive(Debug, Clone)]
pub struct Workers {
    jobs: Sender<Job>,
}

impl Workers {
    /// Starts `count` threads named `name-0`, `name-1`…
    ///
    /// # Errors
    /// Fails when the operating system refuses a thread.
    pub fn start(count: usize, name: &str) -> std::io::Result<Self> {
        let (jobs, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for index in 0..count.max(1) {
            let receiver = receiver.clone();
            std::thread::Builder::new()
                .name(format!("{name}-{index}"))
                .spawn(move || work(&receiver))?;
        }
        Ok(Self { jobs })
    }

    /// Runs `job` on a pool thread and waits for its result without blocking the runtime.
    ///
    /// # Errors
    /// [`WorkerError::Lost`] when the job panicked.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, WorkerError> {
        let (result, receiver) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = result.send(job());
        });
        self.jobs.send(job).map_err(|_| WorkerError::Lost)?;
        receiver.await.map_err(|_| WorkerError::Lost)
    }
}

/// A pool thread: takes jobs until every handle is gone. A panicking job is contained, so the
/// pool never shrinks.
fn work(receiver: &Mutex<Receiver<Job>>) {
    loop {
        let next = receiver.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(job) = next else { return };
        if catch_unwind(AssertUnwindSafe(job)).is_err() {
            tracing::error!("a worker job panicked");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_on_the_named_threads() {
        let workers = Workers::start(2, "test-worker").unwrap();
        let name = workers.run(|| std::thread::current().name().map(str::to_owned)).await;
        assert!(name.unwrap().unwrap().starts_with("test-worker-"));
    }

    #[tokio::test]
    async fn a_panicking_job_is_contained_and_the_pool_keeps_working() {
        let workers = Workers::start(1, "test-panic").unwrap();
        assert!(workers.run(|| panic!("boom")).await.is_err());
        assert_eq!(workers.run(|| 2 + 2).await.unwrap(), 4);
    }
}
