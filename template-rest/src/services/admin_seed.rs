//! The first administrator, created at startup when missing (the template's `config/` reads
//! `ADMIN_EMAIL` and `ADMIN_PASSWORD` into it).

/// Who [`super::auth::AuthService::ensure_admin`] creates.
#[derive(Clone)]
pub struct AdminSeed {
    /// Login email of the administrator.
    pub email: String,
    /// Initial password (at least 12 characters).
    pub password: String,
}

impl std::fmt::Debug for AdminSeed {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("AdminSeed").field("email", &self.email).finish_non_exhaustive()
    }
}
