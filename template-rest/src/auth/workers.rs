//! A fixed set of OS threads for CPU-heavy work: password hashing.
//!
//! Tokio's blocking pool grows to hundreds of threads under load, and each thread that ever
//! hashed keeps argon2's 19 MiB in its own allocator arena, so a login flood would leave
//! hundreds of MiB resident. A small, fixed pool keeps both the CPU and the memory that hashing
//! can take bounded, and leaves the async runtime free for every other request.
//!
//! The queue in front of the threads is bounded too: each job takes a slot, and the slot
//! travels with the job until a thread is done with it, so a caller that gives up (a client
//! that hung up, a request that timed out) cannot free its slot for a newcomer while its job
//! still waits. A thread skips, unrun, every job whose caller is gone. When every slot is
//! taken, [`Workers::run`] refuses at once with [`WorkerError::Full`] instead of queueing.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

type Job = Box<dyn FnOnce() + Send>;

/// Why work could not run.
#[derive(Debug, thiserror::Error)]
pub(super) enum WorkerError {
    /// The work panicked, or the pool has shut down.
    #[error("the worker pool could not complete the job")]
    Lost,
    /// Every thread is busy and the queue is full.
    #[error("the worker pool is full")]
    Full,
}

/// A handle to the pool; cloning it shares the same threads. The threads exit when the last
/// handle is dropped.
#[derive(Debug, Clone)]
pub(super) struct Workers {
    jobs: Sender<Job>,
    slots: Arc<Semaphore>,
    name: &'static str,
}

impl Workers {
    /// Starts `count` threads named `name-0`, `name-1`…, with room for `queue` jobs waiting.
    ///
    /// # Errors
    /// Fails when the operating system refuses a thread.
    pub(super) fn start(count: usize, queue: usize, name: &'static str) -> std::io::Result<Self> {
        let (jobs, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for index in 0..count.max(1) {
            let receiver = receiver.clone();
            std::thread::Builder::new()
                .name(format!("{name}-{index}"))
                .spawn(move || work(&receiver))?;
        }
        let slots = Arc::new(Semaphore::new(count.max(1).saturating_add(queue)));
        Ok(Self { jobs, slots, name })
    }

    /// Runs `job` on a pool thread and waits for its result without blocking the runtime. If
    /// this future is dropped before a thread takes the job, the job never runs.
    ///
    /// # Errors
    /// [`WorkerError::Full`] at once when every slot is taken; [`WorkerError::Lost`] when the
    /// job panicked.
    pub(super) async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, WorkerError> {
        let Ok(slot) = self.slots.clone().try_acquire_owned() else {
            metrics::counter!("worker_jobs_total", "pool" => self.name, "outcome" => "refused")
                .increment(1);
            return Err(WorkerError::Full);
        };
        let (result, receiver) = oneshot::channel();
        let job = with_slot(slot, result, job, self.name);
        self.jobs.send(job).map_err(|_| WorkerError::Lost)?;
        receiver.await.map_err(|_| WorkerError::Lost)
    }
}

/// Wraps `job` so that it is skipped when its caller is gone, and frees its slot before its
/// caller hears of the outcome (a result, or a panic as [`WorkerError::Lost`]): a caller that
/// got its answer can always queue again.
fn with_slot<T: Send + 'static>(
    slot: OwnedSemaphorePermit,
    result: oneshot::Sender<T>,
    job: impl FnOnce() -> T + Send + 'static,
    pool: &'static str,
) -> Job {
    Box::new(move || {
        if result.is_closed() {
            drop(slot);
            metrics::counter!("worker_jobs_total", "pool" => pool, "outcome" => "skipped")
                .increment(1);
            return;
        }
        metrics::counter!("worker_jobs_total", "pool" => pool, "outcome" => "run").increment(1);
        let outcome = catch_unwind(AssertUnwindSafe(job));
        drop(slot);
        match outcome {
            Ok(value) => {
                let _ = result.send(value);
            }
            Err(panic) => {
                drop(result);
                resume_unwind(panic);
            }
        }
    })
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

    /// Keeps the pool's only thread busy until the returned sender sends; returns once the
    /// blocking job is running.
    pub(super) async fn occupy(
        workers: &Workers,
    ) -> (mpsc::Sender<()>, tokio::task::JoinHandle<Result<(), WorkerError>>) {
        let (release, gate) = mpsc::channel::<()>();
        let (started, running) = oneshot::channel::<()>();
        let busy = workers.clone();
        let handle = tokio::spawn(async move {
            busy.run(move || {
                let _ = started.send(());
                let _ = gate.recv();
            })
            .await
        });
        running.await.unwrap();
        (release, handle)
    }

    #[tokio::test]
    async fn jobs_run_on_the_named_threads() {
        let workers = Workers::start(2, 0, "test-worker").unwrap();
        let name = workers.run(|| std::thread::current().name().map(str::to_owned)).await;
        assert!(name.unwrap().unwrap().starts_with("test-worker-"));
    }

    #[tokio::test]
    async fn a_panicking_job_is_contained_and_the_pool_keeps_working() {
        let workers = Workers::start(1, 0, "test-panic").unwrap();
        assert!(workers.run(|| panic!("boom")).await.is_err());
        assert_eq!(workers.run(|| 2 + 2).await.unwrap(), 4);
    }

    #[tokio::test]
    async fn a_job_whose_caller_is_gone_is_skipped() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let workers = Workers::start(1, 4, "test-skip").unwrap();
        let (release, busy) = occupy(&workers).await;
        let ran = Arc::new(AtomicUsize::new(0));
        let counter = ran.clone();
        let mut abandoned = Box::pin(workers.run(move || counter.fetch_add(1, Ordering::SeqCst)));
        tokio::select! {
            biased;
            _ = &mut abandoned => panic!("the only worker is busy"),
            () = std::future::ready(()) => {}
        }
        drop(abandoned);
        release.send(()).unwrap();
        busy.await.unwrap().unwrap();
        workers.run(|| ()).await.unwrap();
        assert_eq!(ran.load(Ordering::SeqCst), 0, "the abandoned job never ran");
    }

    #[tokio::test]
    async fn a_full_pool_refuses_at_once_and_frees_the_slot_after_the_job() {
        let workers = Workers::start(1, 1, "test-full").unwrap();
        let (release, busy) = occupy(&workers).await;
        let queued = workers.clone();
        let queued = tokio::spawn(async move { queued.run(|| 1).await });
        while workers.slots.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(workers.run(|| 2).await, Err(WorkerError::Full)));
        release.send(()).unwrap();
        busy.await.unwrap().unwrap();
        assert_eq!(queued.await.unwrap().unwrap(), 1);
        assert_eq!(workers.run(|| 3).await.unwrap(), 3, "slots come back");
    }
}
