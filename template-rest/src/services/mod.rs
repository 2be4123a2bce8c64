//! Business rules. Services take and return domain types, reach storage only through the
//! repository traits, and know nothing of HTTP or SQL.

pub mod auth;
pub mod passwords;
pub mod tokens;
pub mod users;

#[cfg(test)]
mod tests;
