//! Domain types shared by every layer. They know nothing of HTTP or SQL.

pub(crate) mod avatar;
pub(crate) mod page;
pub(crate) mod refresh_token;
pub(crate) mod user;
