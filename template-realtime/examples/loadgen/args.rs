//! Command-line arguments, `--name value` pairs.

use std::net::SocketAddr;

/// What to run, and against which node.
#[derive(Debug, Clone)]
pub struct Args {
    /// The node's address.
    pub address: SocketAddr,
    /// How many subscribers to open.
    pub connections: usize,
    /// How many loopback source addresses (127.0.0.1, 127.0.0.2, …) to spread them over.
    pub sources: u8,
    /// The node's process id, to read its memory.
    pub server_pid: Option<u32>,
    /// The HS256 secret, issuer and audience the node verifies.
    pub secret: String,
    /// `iss` of the tokens.
    pub issuer: String,
    /// `aud` of the tokens.
    pub audience: String,
    /// Publish rates to try, in messages per second.
    pub rates: Vec<u32>,
    /// How long each rate runs.
    pub seconds: u64,
}

impl Args {
    /// Reads `--address`, `--connections`, `--sources`, `--server-pid`, `--secret`,
    /// `--issuer`, `--audience`, `--rates` (comma-separated) and `--seconds`.
    pub fn parse(mut args: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut parsed = Self::default();
        while let Some(name) = args.next() {
            let value = args.next().ok_or_else(|| format!("{name} needs a value"))?;
            parsed.set(&name, &value)?;
        }
        Ok(parsed)
    }

    fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let invalid = |_| format!("invalid {name}: {value}");
        match name {
            "--address" => self.address = value.parse().map_err(|_| format!("invalid {name}"))?,
            "--connections" => self.connections = value.parse().map_err(invalid)?,
            "--sources" => self.sources = value.parse().map_err(invalid)?,
            "--server-pid" => self.server_pid = Some(value.parse().map_err(invalid)?),
            "--secret" => value.clone_into(&mut self.secret),
            "--issuer" => value.clone_into(&mut self.issuer),
            "--audience" => value.clone_into(&mut self.audience),
            "--rates" => {
                let rates: Result<Vec<u32>, _> = value.split(',').map(str::parse).collect();
                self.rates = rates.map_err(invalid)?;
            }
            "--seconds" => self.seconds = value.parse().map_err(invalid)?,
            other => return Err(format!("unknown argument {other}")),
        }
        Ok(())
    }
}

impl Default for Args {
    fn default() -> Self {
        Self {
            address: SocketAddr::from(([127, 0, 0, 1], 8080)),
            connections: 10_000,
            sources: 4,
            server_pid: None,
            secret: String::new(),
            issuer: String::new(),
            audience: String::new(),
            rates: vec![25, 50, 100, 200],
            seconds: 5,
        }
    }
}
