//! Business rules. Services take and return domain types, reach storage only through the
//! repository traits, and know nothing of HTTP or SQL.

pub mod argon2_memory;
pub mod auth;
pub mod avatars;
pub mod login_throttle;
pub mod mail;
pub mod passwords;
pub mod purge;
pub mod rate_limit;
pub mod tokens;
pub mod users;
pub mod workers;

#[cfg(test)]
mod tests;
