//! A service binary that xtask starts for a check or a benchmark: on a free loopback port, and
//! stopped with SIGTERM (so it drains as in production) when dropped.

use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{cmd, http};

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

    /// Sends SIGTERM and waits for the exit. Stopping twice does nothing more.
    pub(crate) fn stop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
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
    use super::LocalService;
    use std::process::Command;

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
    fn a_program_that_does_not_exist_is_named_in_the_error() {
        let error = LocalService::start(Command::new("/nonexistent/service")).err().unwrap();
        assert!(error.to_string().contains("/nonexistent/service"), "{error}");
    }
}
