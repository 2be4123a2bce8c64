//! Domain types shared by every layer. They know nothing of HTTP or SQL.

pub mod avatar;
pub mod page;
pub mod refresh_token;
pub mod user;
