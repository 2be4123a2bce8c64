//! The service binary. All the work is in the library; run with `cargo run`.

fn main() -> std::process::ExitCode {
    template_microservice::start()
}
