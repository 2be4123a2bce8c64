//! A service binary that xtask starts for a check or a benchmark: on a free loopback port, and
//! stopped with SIGTERM (so it drains as in production) when dropped, or killed if it has not
//! stopped within [`STOP_DEADLINE`].

use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{cmd, http};

/// How long a service may take to drain after SIGTERM before it is killed.
const STOP_DEADLINE: Duration = Duration::from_secs(20);

/// A started service. Dropping it sends SIGTERM and waits for the process to exit.
pub(crate) struct LocalService {
    child: Child,
    address: SocketAddr,
}

impl LocalService {
    /// Starts `command` with `HOST=127.0.0.1`, `PORT` set to a free port and stdout discarded.
    ///
    /// # Errors
    /// Fails when no port is free or the program cannot be started.
    pub(crate) fn start(mut command: Command) -> cmd::Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        command.env("HOST", "127.0.0.1").env("PORT", port.to_string()).stdout(Stdio::null());
        let child = command.spawn().map_err(|error| {
            let program = command.get_program().to_string_lossy().into_owned();
            cmd::Error::new(format!("cannot start {program}: {error}"))
        })?;
        Ok(Self { child, address: SocketAddr::from(([127, 0, 0, 1], port)) })
    }

    /// Starts `command` as [`LocalService::start`] does and waits until `/health/ready` answers
    /// 200.
    ///
    /// # Errors
    /// Fails as `start` does, or when the service is not ready within `limit`.
    pub(crate) fn start_ready(command: Command, limit: Duration) -> cmd::Result<Self> {
        let service = Self::start(command)?;
        http::wait_for_200(service.address, "/health/ready", Instant::now(), limit)?;
        Ok(service)
    }

    /// Where the service listens.
    pub(crate) fn address(&self) -> SocketAddr {
        self.address
    }

    /// The process id, to read its memory from `/proc`.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits for the exit, at most [`STOP_DEADLINE`]. Stopping twice does
    /// nothing more.
    pub(crate) fn stop(&mut self) {
        self.stop_within(STOP_DEADLINE);
    }

    /// Sends SIGTERM and waits for the exit; kills the process if it has not exited by
    /// `deadline`, so that a service that hangs in its shutdown cannot hang xtask.
    fn stop_within(&mut self, deadline: Duration) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let pid = self.child.id().to_string();
        let terminated = Command::new("kill").args(["-TERM", &pid]).status();
        let started = Instant::now();
        while terminated.is_ok() && started.elapsed() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("process {pid} had not stopped {} s after SIGTERM: killed", deadline.as_secs());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for LocalService {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::ExitStatusExt;
    use std::process::Command;
    use std::time::Duration;

    use super::LocalService;

    #[test]
    fn a_started_program_gets_a_port_and_is_stopped_on_drop() {
        let mut command = Command::new("sh");
        command.args(["-c", "test \"$HOST\" = 127.0.0.1 && test -n \"$PORT\" && exec sleep 30"]);
        let mut service = LocalService::start(command).unwrap();
        assert_ne!(service.address().port(), 0);
        service.stop();
        let status = service.child.try_wait().unwrap().expect("the process has exited");
        assert!(!status.success(), "sleep was terminated, not finished: {status:?}");
        service.stop();
    }

    #[test]
    fn a_program_that_ignores_sigterm_is_killed_after_the_deadline() {
        let mut command = Command::new("sh");
        command.args(["-c", "trap '' TERM && exec sleep 30"]);
        let mut service = LocalService::start(command).unwrap();
        std::thread::sleep(Duration::from_millis(200));
        service.stop_within(Duration::from_millis(300));
        let status = service.child.try_wait().unwrap().expect("the process has exited");
        assert_eq!(status.signal(), Some(9), "killed, not terminated: {status:?}");
    }

    #[test]
    fn a_program_that_does_not_exist_is_named_in_the_error() {
        let error = LocalService::start(Command::new("/nonexistent/service")).err().unwrap();
        assert!(error.to_string().contains("/nonexistent/service"), "{error}");
    }
}
